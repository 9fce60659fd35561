"""E from the dimensions' blocks, and the top-k selection of a block: the engine's inner loop.

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

__all__ = ["combine", "block_top_columns", "merge_candidates", "merge_top_columns", "top_rows", "worker_pool"]


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


def top_rows(En: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best columns of every row, best first (``En``: E with NaN as -inf)."""
    part = np.argpartition(-En, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(En, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


def block_top_columns(En: np.ndarray, r0: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, row indices) of the k best rows of every column of a block whose first row is ``r0``."""
    n, m = En.shape
    if n <= k:
        return En, np.broadcast_to(np.arange(r0, r0 + n)[:, None], En.shape)
    # select along rows of the negated transpose (made in cache-sized tiles): a selection along
    # axis 0 walks the block with a stride of a whole row per element
    neg_T = np.empty((m, n), dtype=En.dtype)
    for j in range(0, m, TILE):
        np.negative(En[:, j:j + TILE].T, out=neg_T[j:j + TILE])
    sel = np.ascontiguousarray(np.argpartition(neg_T, k - 1, axis=1)[:, :k].T)
    return np.take_along_axis(En, sel, axis=0), sel + r0


def merge_candidates(best_v: np.ndarray, best_i: np.ndarray, cand_v: np.ndarray, cand_i: np.ndarray,
                     k: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge a block's k best rows per column into the running k best: a k + k selection."""
    v = np.vstack([best_v, cand_v])
    i = np.vstack([best_i, cand_i])
    sel = np.argpartition(-v, k - 1, axis=0)[:k]
    return np.take_along_axis(v, sel, axis=0), np.take_along_axis(i, sel, axis=0)


def merge_top_columns(best_v: np.ndarray, best_i: np.ndarray, En: np.ndarray, r0: int, k: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Merge the k best rows of a block (per column) into the running k best: a k + k selection, so
    the running candidates are never stacked onto the whole block."""
    return merge_candidates(best_v, best_i, *block_top_columns(En, r0, k), k)


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
