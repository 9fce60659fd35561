"""E from the dimensions' blocks, and the top-k selections: the engine's inner loop.

Every selection ranks by E, then by the smaller index (:func:`order_keys`): :func:`top_rows` ranks a
block's rows, :class:`ColumnTopK` keeps the k best rows of every column over the blocks. The fused
combination of :meth:`Engine.top_k <kg.engine.core.Engine.top_k>` is
:meth:`Engine.ranked_block <kg.engine.core.Engine.ranked_block>`, the same sum as :func:`combine`.

.. math::

    E = \\frac{\\sum_{d\\,\\mathrm{defined}} w_d x_d}{\\sum_{d\\,\\mathrm{defined}} w_d}, \\qquad
    \\mathrm{coverage} = \\sum_{d\\,\\mathrm{defined}} w_d

Dimensions with weight 0 are skipped (not even computed by :meth:`Engine.top_k`); the weighted sum is
accumulated in place over the defined entries only, so no temporary array per dimension is made beyond
its NaN mask. E is NaN where no weighted dimension is defined (coverage 0).

>>> import numpy as np
>>> E, cov = combine({"x": np.array([[0.2, np.nan]], dtype=np.float32),
...                   "y": np.array([[0.6, 0.4]], dtype=np.float32)}, {"x": 0.5, "y": 0.5})
>>> [round(float(v), 3) for v in E[0]], [float(v) for v in cov[0]]
([0.4, 0.4], [1.0, 0.5])
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .linalg import TILE

__all__ = ["combine", "ColumnTopK", "decode_keys", "order_keys", "top_rows", "worker_pool"]


def combine(blocks: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(E, coverage) of a block from each dimension's scores (NaN = undefined) and the weights."""
    num = cov = None
    for d, w in weights.items():
        if not w or d not in blocks:
            continue
        x = blocks[d]
        w32 = np.float32(w)
        ok = x == x  # defined (not NaN), in one pass
        if num is None:
            num = np.zeros(x.shape, dtype=np.float32)
            cov = np.zeros(x.shape, dtype=np.float32)
        np.add(num, w32 * x, out=num, where=ok)
        np.add(cov, w32, out=cov, where=ok)
    if num is None:  # nothing weighted: every E undefined
        shape = next(iter(blocks.values())).shape if blocks else (0, 0)
        return np.full(shape, np.nan, dtype=np.float32), np.zeros(shape, dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        E = num / cov  # 0/0 -> NaN: no weighted dimension is defined
    return E, cov


def order_keys(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """One unsigned 64-bit key per (value, index): a larger key is a better candidate.

    The float32 value's bits, mapped so that unsigned order is numeric order, fill the high 32 bits;
    the complement of the index the low ones, so equal values rank the smaller index first. Every
    selection of the engine uses this one total order, which makes a top-k list independent of the
    block size and the number of threads. -inf (undefined E) ranks below every defined value.

    >>> k = order_keys(np.array([0.5, 0.5, 0.7, -np.inf], dtype=np.float32), np.array([3, 1, 9, 0]))
    >>> np.argsort(k)[::-1].tolist()   # 0.7, then 0.5 at index 1, 0.5 at index 3, -inf
    [2, 1, 0, 3]
    """
    v = np.asarray(values, dtype=np.float32) + np.float32(0)  # -0.0 -> +0.0: equal values, equal keys
    b = v.view(np.uint32)
    b = np.where(b >> 31, ~b, b | np.uint32(0x80000000))
    return (b.astype(np.uint64) << np.uint64(32)) | (np.uint64(0xFFFFFFFF) - np.asarray(index, dtype=np.uint64))


def decode_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, indices) of :func:`order_keys` keys."""
    hi = (keys >> np.uint64(32)).astype(np.uint32)
    bits = np.where(hi >> 31, hi & np.uint32(0x7FFFFFFF), ~hi)
    return bits.view(np.float32), (np.uint64(0xFFFFFFFF) - (keys & np.uint64(0xFFFFFFFF))).astype(np.int64)


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of a C-ordered boolean matrix's true entries: ``np.nonzero`` of a 2-D array
    costs about 20 times its 1-D form on a sparse mask of 10^6 cells."""
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def _best_first(keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest keys of every row, best first, decoded to (indices, values)."""
    m = keys.shape[1]
    top = np.partition(keys, m - k, axis=1)[:, m - k:] if m > k else keys
    top = np.sort(top, axis=1)[:, ::-1]
    vals, idx = decode_keys(top)
    return idx, vals


#: columns per group in :func:`top_rows`'s bound; at least this many groups per wanted column
GROUP, MIN_GROUPS_PER_K = 64, 4


def top_rows(En: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best columns of every row, best first, ties by column (``En``: E with NaN as -inf).

    A row's k best values are all at least the k-th largest of its group maxima (each of those k
    groups holds a value that large), so only the few entries above that bound are ranked exactly:
    one reduction and one comparison over the block instead of a selection in every row.
    """
    n, m = En.shape
    groups = m // GROUP
    if groups < MIN_GROUPS_PER_K * k:  # a narrow block: rank every entry
        return _best_first(order_keys(En, np.broadcast_to(np.arange(m), En.shape)), k)
    # group g = the columns j with j % groups == g: the maximum over a middle axis is elementwise
    gmax = En[:, :groups * GROUP].reshape(n, GROUP, groups).max(axis=1)
    bound = np.partition(gmax, groups - k, axis=1)[:, groups - k]
    r, c = _nonzero(En >= bound[:, None])
    keys = order_keys(En[r, c], c)
    counts = np.bincount(r, minlength=n)
    width = int(counts.max())
    pad = np.zeros((n, width), dtype=np.uint64)  # key 0 ranks below every real entry
    pad[r, np.arange(len(r)) - np.repeat(np.cumsum(counts) - counts, counts)] = keys
    return _best_first(pad, k)


class ColumnTopK:
    """The k best rows of every column over a sequence of row blocks, ties by row.

    A block only offers the entries at or above each column's current k-th best value
    (:meth:`candidates`, run in the worker threads on a snapshot of those values, which only rise),
    and :meth:`merge` ranks them against the running k exactly, so most of a large block is
    dismissed by one comparison. Blocks must be merged in row order.
    """

    def __init__(self, k: int, m: int):
        self.k, self.m = k, m
        self.keys = np.zeros((m, k), dtype=np.uint64)   # per column its k best keys (0: none yet)
        self.kth = np.zeros(m, dtype=np.uint64)          # the smallest of them
        self.floor = np.full(m, -np.inf, dtype=np.float32)  # its value, once k rows were seen

    def candidates(self, En: np.ndarray, r0: int) -> tuple[np.ndarray, np.ndarray]:
        """(columns, keys) of the entries of a block (first row ``r0``) that may enter a column's k best."""
        n, m = En.shape
        floor = self.floor.copy()
        if n > self.k and np.isneginf(floor).sum() * n > 4 * self.k * m:
            # early blocks: the block's own k-th best per column bounds its candidates (a selection
            # along rows of the negated transpose, made in cache-sized tiles; see the module's TILE)
            neg_T = np.empty((m, n), dtype=En.dtype)
            for j in range(0, m, TILE):
                np.negative(En[:, j:j + TILE].T, out=neg_T[j:j + TILE])
            np.maximum(floor, -np.partition(neg_T, self.k - 1, axis=1)[:, self.k - 1], out=floor)
        r, c = _nonzero(En >= floor)
        return c, order_keys(En[r, c], r + r0)

    def merge(self, cols: np.ndarray, keys: np.ndarray) -> None:
        """Rank a block's candidates against the running k best of their columns."""
        keep = keys > self.kth[cols]
        cols, keys = cols[keep], keys[keep]
        if not cols.size:
            return
        order = np.argsort(cols, kind="stable")
        cols, keys = cols[order], keys[order]
        uc, start, cnt = np.unique(cols, return_index=True, return_counts=True)
        width = int(cnt.max())
        pad = np.zeros((len(uc), self.k + width), dtype=np.uint64)
        pad[:, :self.k] = self.keys[uc]
        pad[np.repeat(np.arange(len(uc)), cnt), self.k + np.arange(len(cols)) - np.repeat(start, cnt)] = keys
        top = np.partition(pad, width, axis=1)[:, width:]
        self.keys[uc] = top
        self.kth[uc] = kth = top.min(axis=1)
        vals, _ = decode_keys(kth)
        self.floor[uc] = np.where(kth > 0, vals, -np.inf)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """(row indices, values) of every column's k best, best first: arrays of shape (m, k)."""
        return _best_first(self.keys, self.k)


def worker_pool(threads: int | None, tasks: int):
    """A thread pool for the engine's blocks (a serial stand-in when one thread is enough).

    ``threads``: None = the machine's cores, at most 4.
    """
    import os
    n = threads if threads is not None else min(4, os.cpu_count() or 1)
    if n <= 1 or tasks <= 1:
        return _Serial()
    from concurrent.futures import ThreadPoolExecutor  # only when there is parallel work
    return ThreadPoolExecutor(max_workers=n, thread_name_prefix="bionn-kg-block")


class _Serial:
    """The executor interface, run in the calling thread."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    @staticmethod
    def map(fn, items):
        return map(fn, items)
