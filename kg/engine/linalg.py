"""The engine's matrices: dense NumPy arrays for small graphs, scipy.sparse CSR matrices for large ones.

Every formula of the engine is written once, against ``@`` and the helpers below, which accept either
representation. Why two: importing ``scipy.sparse`` takes 0.2-0.3 s (its array-API layer imports
``numpy.f2py`` and ``numpy.testing``), longer than scoring the whole shipped graph, so a command such as
``bionn-kg analogies`` would spend most of its time importing; at 10^4 mechanisms per side, dense
incidence and path matrices would not fit in memory, so large graphs stay sparse.
``tests/test_engine_backends.py`` checks that both representations give the same scores.

>>> import numpy as np
>>> M = incidence([0, 0, 1], [2, 2, 0], (2, 3), dense=True)
>>> M
array([[0., 0., 1.],
       [1., 0., 0.]], dtype=float32)
>>> row_counts(M).tolist(), row_cols(M, 0)
([1, 1], [2])
>>> S = incidence([0, 0, 1], [2, 2, 0], (2, 3), dense=False)
>>> bool((to_dense(S) == M).all()), row_cols(S, 0)
(True, [2])
"""
from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Matrix", "DENSE_MAX_CELLS", "choose_dense", "incidence", "is_sparse", "row_counts", "row_cols",
           "nonzero_lists", "scale", "to_dense", "row_sq_norms", "vstack", "hstack", "add_transposed",
           "add_product", "add_sparse", "sparse_product", "transposed", "gc_paused", "TILE"]

Matrix = Union[np.ndarray, "sp.csr_matrix"]

#: largest matrix (rows x columns) kept dense: 4 million float32 cells are 16 MB
DENSE_MAX_CELLS = 4_000_000


def _sparse() -> Any:
    import scipy.sparse as sp  # only when a graph is too large for dense matrices
    return sp


def choose_dense(*shapes: tuple[int, int]) -> bool:
    """True if every one of these matrix shapes is small enough to be stored dense."""
    return all(r * c <= DENSE_MAX_CELLS for r, c in shapes)


def is_sparse(M: Matrix) -> bool:
    return not isinstance(M, np.ndarray)


def incidence(rows: Sequence[int], cols: Sequence[int], shape: tuple[int, int], dense: bool) -> Matrix:
    """Binary float32 matrix with a one at each (rows[i], cols[i]); duplicates collapse to one."""
    if dense:
        M = np.zeros(shape, dtype=np.float32)
        if len(rows):
            M[np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)] = 1.0
        return M
    sp = _sparse()
    if not len(rows):
        return sp.csr_matrix(shape, dtype=np.float32)
    M = sp.csr_matrix((np.ones(len(rows), dtype=np.float32),
                       (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))), shape=shape)
    M.data[:] = 1.0
    return M


def row_counts(M: Matrix) -> np.ndarray:
    """Number of non-zero entries in each row."""
    if is_sparse(M):
        return np.diff(M.tocsr().indptr)
    return np.count_nonzero(M, axis=1)


def row_cols(M: Matrix, i: int) -> list[int]:
    """Column indices of the non-zero entries of row i, in increasing order."""
    if is_sparse(M):
        return sorted(int(c) for c in M[i].indices)
    return np.flatnonzero(M[i]).tolist()


def nonzero_lists(M: Matrix) -> tuple[np.ndarray, np.ndarray]:
    """(non-zeros per row, their column indices row after row): the CSR structure of M."""
    if is_sparse(M):
        M = M.tocsr()
        return np.diff(M.indptr), M.indices
    r, c = np.nonzero(M)
    return np.bincount(r, minlength=M.shape[0]), c


def scale(M: Matrix, r: np.ndarray | None = None, c: np.ndarray | None = None) -> Matrix:
    """diag(r) @ M @ diag(c), keeping M's representation (float32)."""
    if is_sparse(M):  # on the stored values: a product with sparse diagonals costs a full matmat
        out = M.tocsr(copy=True)
        out.sum_duplicates()
        data = out.data.astype(np.result_type(out.data, np.float32), copy=False)
        if r is not None:
            data = data * np.asarray(r)[np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))]
        if c is not None:
            data = data * np.asarray(c)[out.indices]
        out.data = data
        out.eliminate_zeros()
        return out
    out = np.asarray(M, dtype=np.float32)
    if r is not None:
        out = r[:, None] * out
    if c is not None:
        out = out * c[None, :]
    return out.astype(np.float32, copy=False)


def transposed(M: Matrix) -> Matrix:
    """M transposed in row-major form (CSR or C-contiguous), made once: a sparse product with ``M.T``
    would convert it to CSR on every call."""
    return M.T.tocsr() if is_sparse(M) else np.ascontiguousarray(M.T)


def to_dense(M: Matrix) -> np.ndarray:
    return M.toarray() if is_sparse(M) else np.asarray(M)


def row_sq_norms(M: Matrix) -> np.ndarray:
    """Squared Euclidean norm of each row."""
    if is_sparse(M):
        return np.asarray(M.multiply(M).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", M, M)


def vstack(blocks: Sequence[Matrix]) -> Matrix:
    if any(is_sparse(b) for b in blocks):
        return _sparse().vstack(blocks, format="csr")
    return np.vstack(blocks)


def hstack(blocks: Sequence[Matrix]) -> Matrix:
    if any(is_sparse(b) for b in blocks):
        return _sparse().hstack(blocks, format="csr")
    return np.hstack(blocks)


#: columns per tile in :func:`add_transposed` (a 512 x 256 float32 tile is 0.5 MB: it stays in cache)
TILE = 256


def add_transposed(out: np.ndarray, M: np.ndarray, tile: int = TILE) -> np.ndarray:
    """``out += M.T`` in column tiles, for C-ordered ``out`` (n x m) and ``M`` (m x n).

    Adding a transposed view in one pass reads ``M`` with a stride of a whole row per element, which
    is 4x slower than contiguous work at 512 x 10^4; tiles of ``tile`` columns keep both operands in cache.

    >>> out = np.zeros((2, 3), dtype=np.float32)
    >>> add_transposed(out, np.arange(6, dtype=np.float32).reshape(3, 2), tile=2).tolist()
    [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    """
    for j in range(0, out.shape[1], tile):
        o = out[:, j:j + tile]
        o += M[j:j + tile].T
    return out


def _sparsetools() -> Any:
    """scipy's compiled CSR kernels, which add into a given output (None if this scipy lacks them)."""
    try:
        from scipy.sparse import _sparsetools
    except ImportError:  # pragma: no cover - a scipy without the module: the public operators below
        return None
    return _sparsetools


def add_product(out: np.ndarray, A: Matrix, B: np.ndarray) -> np.ndarray:
    """``out += A @ B`` for a C-ordered float32 ``out`` and dense ``B``, with no temporary when A is sparse.

    scipy's own product writes into a fresh zeroed array that would then be added: two extra passes
    over a block of 10^6 cells; its compiled kernel accumulates into ``out`` directly.

    >>> out = np.ones((1, 2), dtype=np.float32)
    >>> add_product(out, np.array([[1.0, 2.0]], dtype=np.float32), np.eye(2, dtype=np.float32)).tolist()
    [[2.0, 3.0]]
    """
    st = _sparsetools() if is_sparse(A) else None
    if st is None or not (out.flags.c_contiguous and out.dtype == np.float32):
        out += A @ B
        return out
    A = A.tocsr()
    B = np.ascontiguousarray(B, dtype=np.float32)
    st.csr_matvecs(A.shape[0], A.shape[1], B.shape[1], A.indptr, A.indices,
                   A.data.astype(np.float32, copy=False), B.ravel(), out.ravel())
    return out


def add_sparse(out: np.ndarray, S: Matrix, factor: float = 1.0, hi: float | None = None) -> np.ndarray:
    """``out += factor * min(S, hi)`` (``hi`` None: no cap) for a C-ordered float32 ``out``, touching
    only S's stored entries when it is sparse. A stored entry given twice is added twice (capped
    each); a product's result has none. Its indices need not be sorted (a product's are not, and
    sorting them would cost more than the addition).

    >>> out = np.zeros((1, 2), dtype=np.float32)
    >>> add_sparse(out, np.array([[0.5, 3.0]], dtype=np.float32), 2.0, hi=1.0).tolist()
    [[1.0, 2.0]]
    """
    if not is_sparse(S):
        x = np.asarray(S, dtype=np.float32)
        if hi is not None:
            x = np.minimum(x, np.float32(hi))
        out += np.float32(factor) * x
        return out
    S = S.tocsr()
    data = S.data.astype(np.float32, copy=False)
    if hi is not None:
        data = np.minimum(data, np.float32(hi))
    data = np.float32(factor) * data
    st = _sparsetools()
    if st is None or not (out.flags.c_contiguous and out.dtype == np.float32):
        np.add.at(out, (np.repeat(np.arange(S.shape[0]), np.diff(S.indptr)), S.indices), data)
        return out
    st.csr_todense(S.shape[0], S.shape[1], S.indptr, S.indices, data, out.ravel())
    return out


def sparse_product(A: Matrix, B: Matrix) -> Matrix:
    """``A @ B``, as scipy computes it but without its first pass when both are sparse.

    scipy sizes the result with a symbolic product (a full pass over the multiplications, a quarter
    of the time of a product whose cost is its output, such as the path cosines); the number of
    multiplications, known from A's column indices and B's row lengths, bounds it as well, so the
    buffers are made that large and the numeric pass fills them. Entries that sum to exactly 0 are
    not stored, as in scipy.

    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix(np.array([[1, 0, 2], [0, 0, 0]], dtype=np.float32))
    >>> B = sp.csr_matrix(np.array([[1, 1], [5, 0], [0, 3]], dtype=np.float32))
    >>> sparse_product(A, B).toarray().tolist()
    [[1.0, 7.0], [0.0, 0.0]]
    """
    st = _sparsetools() if is_sparse(A) and is_sparse(B) else None
    if st is None:
        return A @ B
    sp = _sparse()
    A, B = A.tocsr(), B.tocsr()
    (m, k), n = A.shape, B.shape[1]
    if k != B.shape[0]:
        raise ValueError(f"shapes {A.shape} and {B.shape} do not align")
    bound = int(np.diff(B.indptr)[A.indices].sum())
    big = max(bound, A.nnz, B.nnz, m + 1, n + 1, k + 1) >= np.iinfo(np.int32).max
    it = np.int64 if big else np.int32
    dtype = np.result_type(A.dtype, B.dtype)
    indptr = np.empty(m + 1, dtype=it)
    indices = np.empty(bound, dtype=it)
    data = np.empty(bound, dtype=dtype)
    st.csr_matmat(m, n, A.indptr.astype(it, copy=False), A.indices.astype(it, copy=False),
                  A.data.astype(dtype, copy=False), B.indptr.astype(it, copy=False),
                  B.indices.astype(it, copy=False), B.data.astype(dtype, copy=False), indptr, indices, data)
    nnz = int(indptr[-1])
    return sp.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(m, n))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small acyclic containers are built (the
    features' rows, the causal steps' tuples and sets): collections triggered by their allocation
    would traverse every object alive and could free none of them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
