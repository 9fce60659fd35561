"""The top-k stage: the fused combination gives the E of the blocks, and the selections rank by
(E, then the smaller index) exactly, whatever the block size or the number of threads."""
from __future__ import annotations

import numpy as np
import pytest

from kg.engine import Engine
from kg.engine.combine import ColumnTopK, decode_keys, order_keys, top_rows
from kg.engine.features import extract_features


def _brute(M: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k best columns by (value descending, column ascending), with a stable sort."""
    idx = np.argsort(-M, axis=1, kind="stable")[:, :k]
    return idx, np.take_along_axis(M, idx, axis=1)


def _tied(shape, seed: int) -> np.ndarray:
    """Scores with many exact ties and undefined (-inf) entries, as E on coarse data has."""
    rng = np.random.default_rng(seed)
    M = (rng.integers(0, 6, shape) / 5).astype(np.float32)
    M[rng.random(shape) < 0.1] = -np.inf
    return M


@pytest.mark.parametrize("shape, k", [((7, 9), 3), ((50, 4000), 10), ((3, 2000), 1), ((20, 300), 20)])
def test_top_rows_ranks_by_value_then_column(shape, k):
    M = _tied(shape, seed=shape[1])
    idx, vals = top_rows(M, k)
    want_idx, want_vals = _brute(M, k)
    assert np.array_equal(idx, want_idx) and np.array_equal(vals, want_vals)


@pytest.mark.parametrize("block", [1, 4, 13, 200])
def test_column_top_k_ranks_by_value_then_row_in_any_blocks(block):
    M = _tied((200, 60), seed=block)
    sel = ColumnTopK(5, M.shape[1])
    for r0 in range(0, len(M), block):
        sel.merge(*sel.candidates(M[r0:r0 + block], r0))
    idx, vals = sel.result()
    want_idx, want_vals = _brute(M.T, 5)
    assert np.array_equal(idx, want_idx) and np.array_equal(vals, want_vals)


def test_order_keys_round_trip():
    v = np.array([0.0, -0.0, 1.0, 0.25, -np.inf, 3e-8], dtype=np.float32)
    i = np.array([0, 5, 7, 2**31, 3, 1])
    back_v, back_i = decode_keys(order_keys(v, i))
    assert np.array_equal(back_v, v) and np.array_equal(back_i, i)
    assert order_keys(v[:1], i[:1]) == order_keys(v[1:2], i[:1])  # -0.0 is 0.0


@pytest.fixture(scope="module", params=["dense", "sparse"])
def both(request, shipped_graph):
    return Engine(shipped_graph, features=extract_features(shipped_graph, dense=request.param == "dense"))


@pytest.mark.parametrize("weights", ["balanced", "engineering", "neuroscience", "S=0.5,C=0.5"])
def test_fused_block_is_the_combined_E(both, weights):
    """ranked_block adds every weighted dimension in place; block() combines the dimensions' blocks.
    The shipped graph has mechanisms without chains or failure modes (undefined rows and columns),
    and Ef (engineering) is undefined in scattered cells."""
    preset, custom = (weights, None) if "=" not in weights else (None, weights)
    eng = Engine(both.graph, preset=preset, weights=custom, features=both.features)
    n = len(eng.features.bio)
    want = eng.block(slice(0, n))["E"]
    got = eng.ranked_block(slice(0, n))
    assert np.array_equal(np.isneginf(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], rtol=0, atol=1e-6)


def test_topk_does_not_depend_on_the_blocks(both):
    """Exact ties are ranked by index on both sides, so any block size gives the same lists."""
    a = both.top_k(5, block_size=7, threads=3)
    b = both.top_k(5, block_size=10_000, threads=1)
    for x, y in ((a.bio_idx, b.bio_idx), (a.ann_idx, b.ann_idx)):
        assert np.array_equal(x, y)
    # dense products (BLAS) round by the block's shape: the same E to the last bit only when sparse
    for x, y in ((a.bio_E, b.bio_E), (a.ann_E, b.ann_E)):
        np.testing.assert_allclose(x, y, rtol=0, atol=0 if both.features.dense is False else 1e-6)


def test_linalg_kernels_match_scipy():
    """sparse_product sizes its result from the multiplication count; add_product and add_sparse
    accumulate into the given block: the same numbers as scipy's operators."""
    sp = pytest.importorskip("scipy.sparse")
    from kg.engine.linalg import add_product, add_sparse, sparse_product
    rng = np.random.default_rng(3)
    A = sp.random(40, 30, density=0.1, format="lil", dtype=np.float32, random_state=rng)
    A[5] = 0  # an empty row
    A = A.tocsr()
    B = sp.random(30, 50, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    C, D = sparse_product(A, B), A @ B
    assert C.nnz == D.nnz and abs(C - D).max() < 1e-6
    X = np.eye(2, dtype=np.float32)
    assert sparse_product(sp.csr_matrix(X), sp.csr_matrix(-X) + sp.csr_matrix(X)).nnz == 0  # zeros not stored
    out = np.ones((40, 50), dtype=np.float32)
    add_product(out, A, B.toarray())
    np.testing.assert_allclose(out, 1 + D.toarray(), atol=1e-6)
    out = np.zeros((40, 50), dtype=np.float32)
    add_sparse(out, D, 0.5, hi=0.1)
    np.testing.assert_allclose(out, 0.5 * np.minimum(D.toarray(), 0.1), atol=1e-7)


def test_calibrated_topk_goes_through_the_blocks(engine):
    """The calibrated combination is not fused: top_k then ranks block()'s E."""
    engine.calibration_mode = "evidence"
    try:
        top, res = engine.top_k(3, block_size=7), engine.matrix()
    finally:
        del engine.calibration_mode
    E = np.where(np.isnan(res.E), -np.inf, res.E)
    assert np.allclose(np.sort(E, axis=1)[:, ::-1][:, :3], np.nan_to_num(top.bio_E, nan=-np.inf))
    assert np.allclose(np.sort(E, axis=0)[::-1][:3].T, np.nan_to_num(top.ann_E, nan=-np.inf))
