"""Causal similarity C: structure mapping over causal chains, as weighted relation-path overlap.

Each mechanism's causal chain is a sequence of steps linked by RO:0002411 (causally upstream of);
each step applies one relation of the shared vocabulary (``amplifies``, ``acts on coefficient``,
``injects noise``...) to a participant. Following structure mapping (Falkenhainer, Forbus & Gentner
1989), relations must match identically while the participants they act on may differ, and a longer
preserved chain counts more than isolated matches (systematicity). The engine encodes a chain by its
relation paths of length 1 to 3 along the causal links ("grams" g) and weighs each by

.. math::

    w(g) = |g| \\cdot \\big(1 + \\ln\\tfrac{N + 1}{df(g) + 1}\\big)

(longer paths count more; relations used by every mechanism count less). With :math:`G_x` the set of
grams of mechanism x and :math:`s(x, y) = \\sum_{g \\in G_x \\cap G_y} w(g)`, the score is normalised by
the self-matches:

.. math::

    C(b, a) = \\frac{2\\, s(b, a)}{s(b, b) + s(a, a)} \\in [0, 1].

A preserved chain of three relations contributes its three relations, two pairs and one triple, so
it outweighs three scattered matches. A gram is counted once (set semantics: a one-to-one mapping).
All pairs: a sparse product :math:`G_b W G_a^T`.

Example
-------
>>> chains = {"b": [("blocks", []), ("accumulates", [])], "a": [("blocks", []), ("accumulates", [])],
...           "c": [("accumulates", []), ("blocks", [])]}
>>> def steps(rels):
...     return [{"step": f"s{i}", "relation": r, "next": {f"s{i+1}"} if i + 1 < len(rels) else set()}
...             for i, (r, _) in enumerate(rels)]
>>> grams = {m: chain_grams(steps(c)) for m, c in chains.items()}
>>> sorted(grams["b"])
[('accumulates',), ('blocks',), ('blocks', 'accumulates')]
>>> G, vocab, w = gram_matrix([grams["b"], grams["a"], grams["c"]])
>>> C = dice_block(G[:1], G[1:], w)
>>> [round(float(x), 3) for x in C[0]]   # same chain; same relations, reversed order
[1.0, 0.402]

Graded alignment
----------------
Writers who describe the two sides independently pick related but different relations ("takes the
maximum" / "selects", "divides by" / "normalises") and participants. With relation types and
participants in ``skos:broader`` hierarchies, an aligned pair of steps x, y is scored by the
information-content similarity (Lin, :mod:`kg.engine.semsim`) of their relations and of their
participant sets :math:`\\Pi_x, \\Pi_y` (best-match average, BMA):

.. math::

    \\sigma(x, y) = \\mathrm{Lin}_R(r_x, r_y)\\,\\big(\\alpha + (1 - \\alpha)\\,
                    \\mathrm{BMA}_P(\\Pi_x, \\Pi_y)\\big),

with :math:`\\mathrm{BMA}_P = 1` when neither step names a participant and 0 when only one does.
The relation must be related (:math:`\\mathrm{Lin}_R > 0`) for the steps to align at all, as structure
mapping requires relations, not entities, to match; participants add the remaining
:math:`1 - \\alpha` (default :data:`ALPHA` = 0.5). Two step paths g, h of the same length k align
step by step, and the path matches as far as every one of its steps does,
:math:`K(g, h) = \\prod_{i} \\sigma(g_i, h_i)` (a conjunction: one unrelated step breaks the chain, and
three loose matches do not add up to a preserved chain; the path's weight already grows with its
length). The geometric mean :math:`\\prod_i \\sigma_i^{1/k}` is available (``geometric=True``) but scored
lower on both benchmarks (docs/causal-and-failure-matching.md). A path is matched to its best counterpart, and the Dice score becomes

.. math::

    C(b, a) = \\frac{\\sum_{g \\in G_b} w(g) \\max_{h \\in G_a} K(g, h)
                    + \\sum_{h \\in G_a} w(h) \\max_{g \\in G_b} K(g, h)}
                   {\\sum_{g \\in G_b} w(g) + \\sum_{h \\in G_a} w(h)},

with the weights w of the relation paths above (length times IDF), so the preference for long preserved
chains is kept. When K is the identity (identical relations and participants only), this is the Dice
score above. All pairs: with the max-profile :math:`P_a[g] = \\max_{h \\in G_a} K(g, h)` of each
mechanism, the numerator is :math:`(G_b \\operatorname{diag} w) P_a^T + ((G_a \\operatorname{diag} w)
P_b^T)^T`. K is sparse: it is computed only between paths whose relations are related at every step.

>>> # 0 a root; 1 selects and 2 combines under it; 3 takes the maximum and 4 sharpens are kinds of selects
>>> lin_r = lin_matrix([[], [0], [0], [1], [1]])
>>> [round(float(lin_r[3, j]), 3) for j in (3, 1, 4, 2)]   # itself, its parent, a sibling, unrelated
[1.0, 0.482, 0.317, 0.0]

References
----------
Falkenhainer, Forbus & Gentner, Artificial Intelligence 41 (1989); Forbus et al., Cognitive Science
41(5) 2017; Lin, ICML 1998.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .linalg import (DENSE_MAX_CELLS, Matrix, choose_dense, incidence, is_sparse, nonzero_lists, scale,
                     sparse_product, to_dense)
from .semsim import bma_block, lin_matrix, max_profile

__all__ = ["MAX_GRAM", "ALPHA", "chain_grams", "gram_matrix", "dice_block", "aligned_grams",
           "step_grams", "step_similarity", "path_similarity", "max_product_profile", "graded_block", "transposed",
           "CausalModel", "prepare_causal", "causal_model", "graded_alignments"]

MAX_GRAM = 3
#: share of an aligned step's score that needs only the relation to match (the rest is participants)
ALPHA = 0.5
Gram = tuple[str, ...]
#: a step path with its participants: ((relation, (participant, ...)), ...)
StepGram = tuple[tuple[str, tuple[str, ...]], ...]


def _paths(steps: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """All step paths of length 1..MAX_GRAM along the causal links (step index order when unlinked)."""
    by_id = {s["step"]: s for s in steps}
    has_links = any(s.get("next") for s in steps)
    if not has_links:  # fall back on the declared order
        nxt = {steps[i]["step"]: {steps[i + 1]["step"]} for i in range(len(steps) - 1)}
    else:
        nxt = {s["step"]: {n for n in s.get("next", ()) if n in by_id} for s in steps}
    out: list[list[dict[str, Any]]] = []
    frontier = [[s] for s in steps]
    for _ in range(MAX_GRAM):
        out.extend(frontier)
        frontier = [p + [by_id[n]] for p in frontier for n in sorted(nxt.get(p[-1]["step"], ()))
                    if all(n != q["step"] for q in p)]
    return out


def chain_grams(steps: Sequence[dict[str, Any]]) -> set[Gram]:
    """The relation paths (length 1..3) of a chain."""
    return {tuple(s["relation"] for s in p) for p in _paths(steps)}


def gram_matrix(gram_sets: Sequence[Iterable[Gram]], dense: bool = False
                ) -> tuple[Matrix, dict[Gram, int], np.ndarray]:
    """Binary mechanism x gram matrix, the gram vocabulary and the weight of each gram.

    ``dense``: a dense array unless the matrix is too large for one (:func:`kg.engine.linalg.choose_dense`).
    """
    vocab: dict[Gram, int] = {}
    rows, cols = [], []
    for i, gs in enumerate(gram_sets):
        for g in gs:
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    shape = (len(gram_sets), len(vocab))
    G = incidence(rows, cols, shape, dense and choose_dense(shape))
    n = sum(1 for gs in gram_sets if gs)
    df = np.asarray(G.sum(axis=0)).ravel()
    length = np.array([len(g) for g in sorted(vocab, key=vocab.get)], dtype=np.float32)
    w = (length * (1.0 + np.log((n + 1) / (df + 1)))).astype(np.float32)
    return G, vocab, w


def dice_block(Gb: Matrix, Ga: Matrix, w: np.ndarray, Pb: Matrix | None = None,
               Pa: Matrix | None = None, Pa_T: Matrix | None = None, GaW_T: Matrix | None = None) -> np.ndarray:
    """C for every pair of a block; NaN where either mechanism has no causal chain.

    With the max-profiles ``Pb`` and ``Pa`` (or ``Pa_T``, its transpose from :func:`transposed`, made
    once for all blocks) of a graded model (:func:`prepare_causal`), the graded score
    (:func:`graded_block`, with ``GaW_T`` if given); without them, exact matching of relation paths.
    """
    if Pb is not None and (Pa is not None or Pa_T is not None):
        return graded_block(Gb, Ga, w, Pb, Pa, Pa_T, GaW_T)
    sb = np.asarray(Gb @ w).ravel()
    sa = np.asarray(Ga @ w).ravel()
    shared = to_dense(scale(Gb, c=w) @ Ga.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 2 * shared / (sb[:, None] + sa[None, :])
    out[(sb == 0)[:, None] | (sa == 0)[None, :]] = np.nan
    return out.astype(np.float32)


def aligned_grams(steps_b: Sequence[dict[str, Any]], steps_a: Sequence[dict[str, Any]]
                  ) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Maximal shared relation paths with the steps that realise them on each side (for explanations).

    A path is kept only if no longer shared path contains it.
    """
    pb: dict[Gram, list[dict[str, Any]]] = {}
    for p in _paths(steps_b):
        pb.setdefault(tuple(s["relation"] for s in p), p)
    pa: dict[Gram, list[dict[str, Any]]] = {}
    for p in _paths(steps_a):
        pa.setdefault(tuple(s["relation"] for s in p), p)
    shared = sorted(set(pb) & set(pa), key=lambda g: (-len(g), g))
    kept: list[Gram] = []
    for g in shared:
        if not any(_contains(k, g) for k in kept):
            kept.append(g)
    return [(pb[g], pa[g]) for g in kept]


def _contains(big: Gram, small: Gram) -> bool:
    n = len(small)
    return any(big[i:i + n] == small for i in range(len(big) - n + 1))


# -- graded alignment ------------------------------------------------------------------------------

def step_grams(steps: Sequence[dict[str, Any]]) -> set[StepGram]:
    """The step paths (length 1..3) of a chain with each step's participants and conditions.

    A step's participants are what it acts on (``bkg:actsOn``, several allowed) and its conditions
    (``bkg:underCondition``), sorted so that the same set gives the same key.
    """
    def key(s: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
        return s["relation"], tuple(sorted(set(s.get("participants", ())) | set(s.get("conditions", ()))))
    return {tuple(key(s) for s in p) for p in _paths(steps)}


def step_similarity(lin_r: float, bma_p: float, alpha: float = ALPHA) -> float:
    """sigma(x, y) = Lin_R * (alpha + (1 - alpha) * BMA_P) for one aligned pair of steps."""
    return lin_r * (alpha + (1 - alpha) * bma_p)


def path_similarity(sigmas: Sequence[float], geometric: bool = False) -> float:
    """K(g, h): product (or geometric mean) of the step similarities of two aligned paths."""
    k = len(sigmas)
    if not k:
        return 0.0
    p = float(np.prod(np.asarray(sigmas, dtype=np.float64)))
    return p ** (1.0 / k) if geometric else p


def _set_similarity(sets: list[tuple[int, ...]], lin_p: np.ndarray) -> np.ndarray:
    """BMA of Lin over participant sets (all pairs): 1 between two empty sets, 0 against one empty set."""
    n, T = len(sets), lin_p.shape[0]
    X = np.zeros((n, T), dtype=np.float32)
    for i, ps in enumerate(sets):
        X[i, list(ps)] = 1.0
    if T:
        P = max_profile(X, lin_p)
        S = bma_block(X, P, X, np.ascontiguousarray(P.T))
    else:
        S = np.full((n, n), np.nan, dtype=np.float32)
    empty = X.sum(axis=1) == 0
    S[np.isnan(S)] = 0.0
    S[np.ix_(empty, empty)] = 1.0
    return S


def _tuple_pairs(T: np.ndarray, lin_r: np.ndarray, block: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of relation tuples (rows of T, n x k) related at every position, with prod of Lin_R."""
    n, k = T.shape
    if not np.count_nonzero(lin_r - np.diag(np.diag(lin_r))):  # flat relations: only identical tuples
        i = np.arange(n)
        return i, i, np.ones(n, dtype=np.float64)
    rows, cols, vals = [], [], []
    for r0 in range(0, n, block):
        S = np.ones((min(block, n - r0), n), dtype=np.float64)
        for pos in range(k):
            S *= lin_r[T[r0:r0 + block, pos]][:, T[:, pos]]
        r, c = np.nonzero(S)
        rows.append(r + r0)
        cols.append(c)
        vals.append(S[r, c])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _gram_kernel(lengths: np.ndarray, rels: np.ndarray, psets: np.ndarray, sets: list[tuple[int, ...]],
                 lin_r: np.ndarray, lin_p: np.ndarray, alpha: float, geometric: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """K(g, h) for every pair of step paths that can align: (rows, cols, values), sorted by row.

    Path i has ``lengths[i]`` steps; ``rels[i, j]`` is the relation index of its step j and
    ``psets[i, j]`` the index in ``sets`` of that step's participant set (padded past the length).
    Paths are grouped by their relation tuple; the relation part of K is computed once per pair of
    related tuples, the participant part by a lookup in the participant-set similarity table.
    """
    S_set = _set_similarity(sets, lin_p).astype(np.float64)
    factor_table = alpha + (1 - alpha) * S_set
    R, C, V = [], [], []
    for k in np.unique(lengths).tolist():
        members_a = np.flatnonzero(lengths == k)
        tuples = rels[members_a, :k]
        pset_a = psets[members_a, :k]
        uniq, tid = np.unique(tuples, axis=0, return_inverse=True)
        tid = tid.ravel()
        order = np.argsort(tid, kind="stable")
        counts = np.bincount(tid, minlength=len(uniq))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        ti, tj, tv = _tuple_pairs(uniq, lin_r)
        n_pairs = counts[ti] * counts[tj]
        total = int(n_pairs.sum())
        if not total:
            continue
        pid = np.repeat(np.arange(len(ti)), n_pairs)
        q = np.arange(total) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
        nj = counts[tj[pid]]
        left = order[starts[ti[pid]] + q // nj]
        right = order[starts[tj[pid]] + q % nj]
        factor = np.prod(factor_table[pset_a[left], pset_a[right]], axis=1)
        val = (tv[pid] * factor) ** (1.0 / k) if geometric else tv[pid] * factor
        keep = val > 0
        R.append(members_a[left[keep]])
        C.append(members_a[right[keep]])
        V.append(val[keep])
    if not R:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    rows, cols, vals = np.concatenate(R), np.concatenate(C), np.concatenate(V)
    o = np.argsort(rows, kind="stable")
    return rows[o], cols[o], vals[o]


def _ragged(starts: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, s + w)`` for each start s and width w (one pass, no loop)."""
    total = int(widths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offset = np.cumsum(widths) - widths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - offset, widths)


def max_product_profile(G: Matrix, K: tuple[np.ndarray, np.ndarray, np.ndarray], n_keys: int,
                        dense: bool, keep: np.ndarray | None = None) -> Matrix:
    """P[m, h] = max over the keys g of row m of G of K(g, h) (K as row-sorted COO arrays).

    Joins each non-zero (m, g) of G with row g of K, then keeps the largest value per (m, h) with one
    sort and no loop over mechanisms: the cell (m, h) and the value's float32 bits (which order like
    the values, all positive) share one unsigned 64-bit key, so a plain ``np.sort`` groups the cells
    and puts each cell's maximum last. ``keep`` (a pair (row split, (mask for rows before it, mask for
    rows from it)) over the keys) limits the columns computed; K is filtered once per side before the join.
    """
    n = G.shape[0]
    kr, kc, kv = K
    counts, gcols = nonzero_lists(G)
    gcols = np.asarray(gcols, dtype=np.int64)
    row_end = np.cumsum(counts)
    sides = [(0, n, None)] if keep is None else [(0, keep[0], keep[1][0]), (keep[0], n, keep[1][1])]
    # rows per sort: the cell index (row within the chunk x n_keys + column) must fit in 32 bits
    chunk = max(1, (1 << 32) // max(n_keys, 1) - 1)
    tasks = []
    for lo, hi, mask in sides:
        if mask is None:
            sr, sc, sv = kr, kc, kv
        else:
            ok = mask[kc]
            sr, sc, sv = kr[ok], kc[ok], kv[ok]
        indptr = np.searchsorted(sr, np.arange(n_keys + 1))
        # each entry of K as one key: its column in the high 32 bits, its value's bits in the low ones
        entry = (sc.astype(np.uint64) << np.uint64(32)) | sv.astype(np.float32).view(np.uint32).astype(np.uint64)
        step = min(chunk, max(1, -(-(hi - lo) // 2)))  # at least two pieces per side, for the threads
        tasks.extend((c0, min(hi, c0 + step), indptr, entry) for c0 in range(lo, hi, step))

    def piece(task: tuple[int, int, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        c0, c1, indptr, entry = task
        e0 = int(row_end[c0 - 1]) if c0 else 0
        e1 = int(row_end[c1 - 1]) if c1 else 0
        g = gcols[e0:e1]
        width = indptr[g + 1] - indptr[g]
        row_key = np.repeat(np.arange(c1 - c0, dtype=np.uint64) * np.uint64(n_keys) << np.uint64(32),
                            counts[c0:c1])
        key = entry[_ragged(indptr[g], width)]
        key += np.repeat(row_key, width)
        key.sort()
        if not len(key):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        cell = key >> np.uint64(32)
        last = np.empty(len(key), dtype=bool)
        np.not_equal(cell[1:], cell[:-1], out=last[:-1])
        last[-1] = True
        top = key[np.flatnonzero(last)]
        return ((top >> np.uint64(32)).astype(np.int64) + c0 * n_keys,
                (top & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.float32))

    from .combine import worker_pool  # NumPy's sort and gathers release the GIL: pieces run on threads
    with worker_pool(None, len(tasks) if n * n_keys > DENSE_MAX_CELLS else 1) as ex:
        parts = list(ex.map(piece, tasks))
    flats, vals = [p[0] for p in parts], [p[1] for p in parts]
    flat = np.concatenate(flats) if flats else np.zeros(0, dtype=np.int64)
    vmax = np.concatenate(vals) if vals else np.zeros(0, dtype=np.float32)
    if dense:
        P = np.zeros((n, n_keys), dtype=np.float32)
        P.ravel()[flat] = vmax
        return P
    import scipy.sparse as sp  # large graphs only
    rows = flat // n_keys
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix((vmax, (flat - rows * n_keys).astype(np.int32), indptr), shape=(n, n_keys))


def transposed(M: Matrix) -> Matrix:
    """M transposed in row-major form (CSR or C-contiguous): the right operand of every block.

    A sparse product with ``P.T`` converts it to CSR on each call, which at 10^4 mechanisms per side
    costs more than the product itself; the engine transposes the ANN profile once.
    """
    return M.T.tocsr() if is_sparse(M) else np.ascontiguousarray(M.T)


def graded_block(Gb: Matrix, Ga: Matrix, w: np.ndarray, Pb: Matrix, Pa: Matrix | None,
                 Pa_T: Matrix | None = None, GaW_T: Matrix | None = None) -> np.ndarray:
    """Graded C for every pair of a block (formula in the module docstring); NaN without a chain.

    Give the ANN profile as ``Pa`` or, faster when it is used for many blocks, as ``Pa_T``
    (:func:`transposed`); likewise the weighted ANN incidence transposed, ``GaW_T`` =
    ``transposed(scale(Ga, c=w))``, so that the ANN-to-bio half is a row-major product
    :math:`P_b (G_a \\operatorname{diag} w)^T` rather than a transposed one.
    """
    sb = np.asarray(Gb @ w).ravel()
    sa = np.asarray(Ga @ w).ravel()
    PaT = Pa.T if Pa_T is None else Pa_T
    if is_sparse(Gb) and is_sparse(Pb):
        # both halves are sparse (a mechanism matches few paths): add them sparse and divide only
        # their non-zeros; every other pair with a chain on both sides scores 0
        GwT = transposed(scale(Ga, c=w)) if GaW_T is None else GaW_T
        num = graded_nonzeros(sparse_product(scale(Gb, c=w), PaT) + sparse_product(Pb, GwT), sb, sa).tocoo()
        out = np.zeros((Gb.shape[0], Ga.shape[0]), dtype=np.float32)
        out[num.row, num.col] = num.data
    else:
        num = to_dense(scale(Gb, c=w) @ PaT) + to_dense(scale(Ga, c=w) @ Pb.T).T
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.minimum(num / (sb[:, None] + sa[None, :]), 1.0).astype(np.float32)
    out[sb == 0, :] = np.nan
    out[:, sa == 0] = np.nan
    return out


def graded_nonzeros(num: Matrix, sb: np.ndarray, sa: np.ndarray) -> Matrix:
    """Graded C of a block at the non-zeros of its numerator ``num`` (sparse, from sparse operands:
    every other pair with a chain on both sides scores 0), as a CSR matrix: :func:`graded_block`'s
    sparse case, and the engine's fused top-k (:meth:`kg.engine.dimensions.causal.Causal.add_weighted`).
    ``sb``, ``sa``: the self-weights ``Gb @ w`` and ``Ga @ w``."""
    num = num.tocsr()
    rows = np.repeat(np.arange(num.shape[0]), np.diff(num.indptr))
    with np.errstate(invalid="ignore", divide="ignore"):
        num.data = np.minimum(num.data / (sb[rows] + sa[num.indices]), 1.0)
    return num


class CausalModel:
    """Everything C needs, prepared once per graph: step-path incidence, weights and max-profiles.

    Attributes
    ----------
    keys : list of StepGram
        The step paths (with participants) of all mechanisms; column index of ``G`` and ``P``.
    G : Matrix
        Mechanisms (the rows given to :func:`prepare_causal`) x keys, binary.
    w : numpy.ndarray
        Weight of each key: the weight of its relation path (length x IDF, :func:`gram_matrix`).
    P : Matrix
        Max-profiles: ``P[m, h]`` = best K(g, h) over the keys g of mechanism m.
    lin_r, lin_p : numpy.ndarray
        Lin similarity of relation types and of participants.
    """

    def __init__(self, keys, G, w, P, rel_terms, lin_r, pt_terms, lin_p, alpha):
        self.keys, self.G, self.w, self.P = keys, G, w, P
        self.rel_terms, self.lin_r, self.pt_terms, self.lin_p, self.alpha = rel_terms, lin_r, pt_terms, lin_p, alpha
        self.rel_index = {t: i for i, t in enumerate(rel_terms)}
        self.pt_index = {t: i for i, t in enumerate(pt_terms)}

    def rows(self, sl: slice | np.ndarray) -> tuple[Matrix, Matrix]:
        return self.G[sl], self.P[sl]


def prepare_causal(chains: Sequence[Sequence[dict[str, Any]]],
                   rel_hierarchy: tuple[list[str], list[list[int]]],
                   pt_hierarchy: tuple[list[str], list[list[int]]],
                   dense: bool = True, alpha: float = ALPHA, rel_power: float = 1.0,
                   geometric: bool = False, split: int | None = None) -> CausalModel:
    """Build the graded causal model of a list of chains (one per mechanism, in row order).

    ``alpha``: share of a step's score that needs only the relation; ``rel_power``: relations are
    compared by :math:`\\mathrm{Lin}_R^{\\,p}` (1: Lin itself; larger values grade more strictly);
    ``geometric``: the geometric mean of the steps of a path instead of their product.
    ``split``: the chains are two sides (rows before ``split`` and from it) that are only ever compared
    with each other; each side's profile is then computed only at the other side's keys (half the work).

    ``rel_hierarchy`` and ``pt_hierarchy``: (terms, parent indices) of relation types and participants,
    as in :attr:`kg.engine.features.Features.causal_terms`; relations or participants not in them
    become roots.
    """
    rel_terms, rel_par = list(rel_hierarchy[0]), [list(p) for p in rel_hierarchy[1]]
    pt_terms, pt_par = list(pt_hierarchy[0]), [list(p) for p in pt_hierarchy[1]]
    rel_index = {t: i for i, t in enumerate(rel_terms)}
    pt_index = {t: i for i, t in enumerate(pt_terms)}
    # steps interned once: (relation, participants) -> step id, so paths are tuples of small integers
    step_id: dict[tuple[str, tuple[str, ...]], int] = {}
    step_keys: list[tuple[str, tuple[str, ...]]] = []
    step_rel: list[int] = []
    step_pts: list[tuple[int, ...]] = []
    path_sets: list[set[tuple[int, ...]]] = []
    for steps in chains:
        sid: dict[Any, int] = {}
        for s in steps:
            key = (s["relation"], tuple(sorted(set(s.get("participants", ())) | set(s.get("conditions", ())))))
            i = step_id.get(key)
            if i is None:  # anything used but not in the hierarchies: a root
                i = step_id[key] = len(step_keys)
                step_keys.append(key)
                r = key[0]
                if r not in rel_index:
                    rel_index[r] = len(rel_terms)
                    rel_terms.append(r)
                    rel_par.append([])
                for p in key[1]:
                    if p not in pt_index:
                        pt_index[p] = len(pt_terms)
                        pt_terms.append(p)
                        pt_par.append([])
                step_rel.append(rel_index[r])
                step_pts.append(tuple(sorted(pt_index[p] for p in key[1])))
            sid[s["step"]] = i
        path_sets.append({tuple(sid[s["step"]] for s in p) for p in _paths(steps)})
    lin_r = lin_matrix(rel_par).astype(np.float64) ** rel_power
    lin_p = lin_matrix(pt_par)
    vocab: dict[tuple[int, ...], int] = {}
    rows, cols = [], []
    for i, gs in enumerate(path_sets):
        for g in sorted(gs):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    int_keys = list(vocab)  # insertion order = column order
    keys = [tuple(step_keys[s] for s in g) for g in int_keys]
    n, nk = len(chains), len(int_keys)
    dense = dense and choose_dense((n, nk))  # the profile P is n x keys: sparse when large
    G = incidence(rows, cols, (n, nk), dense)
    # weights from the relation paths (as in the exact score): length x IDF of the relation path
    srel = np.asarray(step_rel, dtype=np.int64)
    rel_of = [tuple(srel[list(g)].tolist()) for g in int_keys]
    rel_paths = [{rel_of[vocab[g]] for g in gs} for gs in path_sets]
    _, rvocab, rw = gram_matrix(rel_paths, dense=True)
    w = rw[np.array([rvocab[r] for r in rel_of], dtype=np.int64)].astype(np.float32) if nk else \
        np.zeros(0, dtype=np.float32)
    # path arrays for the kernel: relation and participant-set index of each step, padded
    set_id: dict[tuple[int, ...], int] = {}
    step_set = np.array([set_id.setdefault(p, len(set_id)) for p in step_pts], dtype=np.int64)
    lengths = np.array([len(g) for g in int_keys], dtype=np.int64)
    padded = np.zeros((nk, MAX_GRAM), dtype=np.int64)
    for j in range(MAX_GRAM):
        has = lengths > j
        padded[has, j] = [g[j] for g, h in zip(int_keys, has) if h]
    K = _gram_kernel(lengths, srel[padded], step_set[padded], list(set_id), lin_r, lin_p, alpha, geometric)
    keep = None
    if split is not None:
        r_arr, c_arr = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        on_side = [np.zeros(nk, dtype=bool), np.zeros(nk, dtype=bool)]
        on_side[0][c_arr[r_arr < split]] = True
        on_side[1][c_arr[r_arr >= split]] = True
        keep = (split, (on_side[1], on_side[0]))  # rows of side 0 need side 1's keys, and vice versa
    P = max_product_profile(G, K, nk, dense, keep)
    model = CausalModel(keys, G, w, P, rel_terms, lin_r, pt_terms, lin_p, alpha)
    model.geometric = geometric
    # each chain's relation paths (chain_grams), as relation IRIs: the exact score's grams, walked once
    names = {i: rel_terms[i] for s in rel_paths for g in s for i in g}
    model.relation_grams = [{tuple(names[i] for i in g) for g in s} for s in rel_paths]
    return model


def graded_alignments(model: CausalModel, steps_b: Sequence[dict[str, Any]],
                      steps_a: Sequence[dict[str, Any]], top: int = 3
                      ) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]], float]]:
    """The best-aligned step paths of two chains with their K (for explanations), longest and best first.

    A path is kept only if no kept path of the same pair contains it on both sides.
    """
    def sig(x: dict[str, Any], y: dict[str, Any]) -> float:
        ri, rj = model.rel_index.get(x["relation"]), model.rel_index.get(y["relation"])
        lr = float(model.lin_r[ri, rj]) if ri is not None and rj is not None else float(x["relation"] == y["relation"])
        px = sorted(model.pt_index[p] for p in set(x.get("participants", ())) | set(x.get("conditions", ())) if p in model.pt_index)
        py = sorted(model.pt_index[p] for p in set(y.get("participants", ())) | set(y.get("conditions", ())) if p in model.pt_index)
        if not px and not py:
            bp = 1.0
        elif not px or not py:
            bp = 0.0
        else:
            L = model.lin_p[np.ix_(px, py)]
            bp = 0.5 * (float(L.max(axis=1).mean()) + float(L.max(axis=0).mean()))
        return step_similarity(lr, bp, model.alpha)

    cands = []
    pa = _paths(steps_a)
    for p in _paths(steps_b):
        for q in pa:
            if len(q) != len(p):
                continue
            k = path_similarity([sig(x, y) for x, y in zip(p, q)], getattr(model, "geometric", False))
            if k > 0:
                cands.append((p, q, k))
    cands.sort(key=lambda t: (-len(t[0]), -t[2]))
    kept: list[tuple[list[dict[str, Any]], list[dict[str, Any]], float]] = []
    for p, q, k in cands:
        ids_p, ids_q = {s["step"] for s in p}, {s["step"] for s in q}
        if any(ids_p <= {s["step"] for s in kp} and ids_q <= {s["step"] for s in kq} for kp, kq, _ in kept):
            continue
        kept.append((p, q, k))
        if len(kept) >= top:
            break
    return kept


def causal_model(features: Any, alpha: float = ALPHA) -> CausalModel:
    """:func:`prepare_causal` for an engine's features: rows are the biological then the ANN mechanisms."""
    f = features
    empty: tuple[list[str], list[list[int]]] = ([], [])
    return prepare_causal([f.chains.steps.get(m, []) for m in f.bio + f.ann], f.causal_terms.get("R", empty),
                          f.causal_terms.get("P", empty), f.dense, alpha, split=len(f.bio))
