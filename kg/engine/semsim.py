"""Hierarchy-aware term-set similarity: information content, Lin, best-match average.

For a descriptor hierarchy with term set :math:`T` (one per dimension S, F, M):

.. math::

    IC(t) = -\\log \\frac{|\\mathrm{desc}^*(t)|}{|T|}, \\qquad
    \\mathrm{Lin}(t, u) = \\frac{2\\, IC(\\mathrm{MICA}(t, u))}{IC(t) + IC(u)}

where :math:`\\mathrm{desc}^*` are the reflexive descendants and MICA the most informative common
(reflexive) ancestor; Lin(t, t) = 1. Two term sets A, B are compared by the best-match average

.. math::

    \\mathrm{BMA}(A, B) = \\tfrac12 \\Big( \\tfrac{1}{|A|} \\sum_{a \\in A} \\max_{b \\in B} \\mathrm{Lin}(a, b)
                                  + \\tfrac{1}{|B|} \\sum_{b \\in B} \\max_{a \\in A} \\mathrm{Lin}(a, b) \\Big).

All pairs are vectorised with "max-profiles": for each mechanism i of one side,
:math:`P_i[t] = \\max_{a \\in A_i} \\mathrm{Lin}(a, t)` (an n x T array), so that the sum over the other
side's terms is a sparse-dense product, :math:`X_{ann} P_{bio}^T`.

References
----------
Resnik, IJCAI 1995; Lin, ICML 1998; Pesquita et al., PLoS Comput Biol 5(7) 2009 (best-match average);
the intrinsic IC of OAK/semsimian.

Example
-------
>>> import numpy as np
>>> # root 0 with children 1 and 2; 2 has child 3
>>> lin = lin_matrix([[], [0], [0], [2]])
>>> float(lin[1, 1]), float(lin[1, 2]), round(float(lin[2, 3]), 3)
(1.0, 0.0, 0.667)
"""
from __future__ import annotations

import numpy as np

from .linalg import Matrix, add_transposed, nonzero_lists, row_counts

__all__ = ["ancestors", "information_content", "lin_matrix", "max_profile", "max_profile_t", "side_profiles", "bma_block"]


def ancestors(parents: list[list[int]]) -> list[set[int]]:
    """Reflexive ancestor sets of every term (cycles are tolerated: visited terms are skipped)."""
    out: list[set[int] | None] = [None] * len(parents)

    def visit(t: int, stack: set[int]) -> set[int]:
        if out[t] is not None:
            return out[t]  # type: ignore[return-value]
        acc = {t}
        for p in parents[t]:
            if p not in stack:
                acc |= visit(p, stack | {t})
        out[t] = acc
        return acc

    return [visit(t, set()) for t in range(len(parents))]


def information_content(anc: list[set[int]]) -> np.ndarray:
    """Intrinsic IC from the number of reflexive descendants of each term."""
    n = len(anc)
    desc = np.zeros(n)
    for a in anc:
        for u in a:
            desc[u] += 1
    return np.maximum(-np.log(desc / max(n, 1)), 0.0) if n else desc


def _depth_first(parents: list[list[int]]) -> np.ndarray:
    """Terms in depth-first order from the roots (children in index order, each term once): in a tree
    every term's descendants then form one contiguous range."""
    n = len(parents)
    children: list[list[int]] = [[] for _ in range(n)]
    for t, ps in enumerate(parents):
        for p in ps:
            children[p].append(t)
    seen = np.zeros(n, dtype=bool)
    order: list[int] = []
    for root in [t for t in range(n) if not parents[t]] + list(range(n)):  # then terms only in cycles
        if seen[root]:
            continue
        stack = [root]
        while stack:
            t = stack.pop()
            if seen[t]:
                continue
            seen[t] = True
            order.append(t)
            stack.extend(reversed([c for c in children[t] if not seen[c]]))
    return np.asarray(order, dtype=np.int64)


def lin_matrix(parents: list[list[int]], anc: list[set[int]] | None = None) -> np.ndarray:
    """T x T Lin similarity (float32). MICA via descendant blocks in increasing IC order.

    ``anc``: the reflexive ancestor sets, if the caller has them already.

    Each term u writes Lin with u as the common ancestor, 2 IC(u) / (IC(t) + IC(v)), on the block of
    its descendants, the more informative later. The terms are numbered depth-first while writing, so
    that in a tree each block is a plain slice, and the result is put back in the terms' order.
    """
    n = len(parents)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    anc = ancestors(parents) if anc is None else anc
    ic = information_content(anc)
    order = _depth_first(parents)
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    ic_d = ic[order]  # IC in depth-first numbering
    desc: list[list[int]] = [[] for _ in range(n)]
    for t, a in enumerate(anc):
        for u in a:
            desc[u].append(pos[t])
    lin = np.zeros((n, n), dtype=np.float32)
    for u in np.argsort(ic, kind="stable").tolist():  # larger IC later overwrites: the most informative wins
        # an IC of 0 gives Lin 0, already there, and a term that is its own only descendant writes the
        # diagonal, which is 1 anyway: skipping both leaves the root's n x n block unwritten
        if ic[u] <= 0 or len(desc[u]) < 2:
            continue
        d = np.sort(np.asarray(desc[u], dtype=np.int64))
        ic_b = ic_d[d]
        block = 2 * ic[u] / (ic_b[:, None] + ic_b[None, :])  # float64, as the ratio always was
        if d[-1] - d[0] + 1 == len(d):
            lin[d[0]:d[-1] + 1, d[0]:d[-1] + 1] = block
        else:  # not a subtree of a tree (several parents): the same block, by index
            lin[np.ix_(d, d)] = block
    np.fill_diagonal(lin, 1.0)
    return lin[np.ix_(pos, pos)]


def _padded_terms(X: Matrix, sentinel: int) -> np.ndarray:
    """Each row's term indices (its non-zero columns), padded to the longest row with ``sentinel``:
    rows x width, so that a profile is ``width`` vectorised gathers instead of a loop over rows."""
    counts, cols = nonzero_lists(X)
    width = int(counts.max()) if counts.size else 0
    idx = np.full((len(counts), width), sentinel, dtype=np.int64)
    if width:
        starts = np.cumsum(counts) - counts
        idx[np.repeat(np.arange(len(counts)), counts), np.arange(len(cols)) - np.repeat(starts, counts)] = cols
    return idx


def max_profile(X: Matrix, lin: np.ndarray, block: int = 4096) -> np.ndarray:
    """P[i, t] = max over the terms a of row i of Lin[a, t]; rows without terms are 0.

    Each row's term list is padded to the longest one with a sentinel all-zero row of Lin, so the max
    is a handful of vectorised gathers instead of a loop over mechanisms.
    """
    n, T = X.shape
    P = np.zeros((n, T), dtype=np.float32)
    if T == 0:
        return P
    ext = np.vstack([lin, np.zeros((1, T), dtype=lin.dtype)])  # row T: the sentinel
    for r0 in range(0, n, block):
        idx = _padded_terms(X[r0:r0 + block], T)
        rows, width = idx.shape
        if width == 0:
            continue
        out = P[r0:r0 + rows]
        np.take(ext, idx[:, 0], axis=0, out=out)
        for j in range(1, width):
            np.maximum(out, ext[idx[:, j]], out=out)
    return P


def max_profile_t(X: Matrix, lin: np.ndarray, block: int = 128) -> np.ndarray:
    """The transpose of :func:`max_profile`, C-contiguous (T x n): ``max_profile(X, lin).T`` without
    the transposed copy of an n x T array (a strided pass 3-8x slower than building it).

    Rows are profiled in blocks small enough to stay in cache, each written transposed into its
    columns; the values are the same maxima of the same Lin entries.
    """
    n, T = X.shape
    out = np.zeros((T, n), dtype=np.float32)
    if T == 0 or n == 0:
        return out
    ext = np.vstack([lin, np.zeros((1, T), dtype=lin.dtype)]).astype(np.float32, copy=False)
    idx = _padded_terms(X, T)
    width = idx.shape[1]
    if width == 0:
        return out
    buf = np.empty((block, T), dtype=np.float32)
    tmp = np.empty((block, T), dtype=np.float32)
    for r0 in range(0, n, block):
        ii = idx[r0:r0 + block]
        o, t = buf[:len(ii)], tmp[:len(ii)]
        np.take(ext, ii[:, 0], axis=0, out=o)
        for j in range(1, width):
            np.take(ext, ii[:, j], axis=0, out=t)
            np.maximum(o, t, out=o)
        out[:, r0:r0 + len(ii)] = o.T
    return out


def side_profiles(X_bio: Matrix, X_ann: Matrix, lin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The biological max-profile and the transposed ANN one (the operands of :func:`bma_block`),
    built on two threads: their gathers and maxima release the GIL (one after the other on one core)."""
    from .combine import worker_pool
    with worker_pool(None, 2) as ex:
        Pb, Pa_T = ex.map(lambda f: f(), (lambda: max_profile(X_bio, lin), lambda: max_profile_t(X_ann, lin)))
    return Pb, Pa_T


def bma_block(Xb: Matrix, Pb: np.ndarray, Xa: Matrix, Pa_T: np.ndarray,
              Pb_T: np.ndarray | None = None) -> np.ndarray:
    """Best-match average Lin for every (b, a) of a block: NaN where either side has no terms.

    ``Pa_T`` is the ANN side's max-profile transposed (T x n_ann, C-contiguous, made once); ``Pb_T``,
    the block's own profile transposed, if the caller has it contiguous already. Both halves are
    scaled while contiguous; the ANN-to-bio half is added transposed in cache-sized tiles
    (:func:`kg.engine.linalg.add_transposed`).
    """
    nb = row_counts(Xb)
    na = row_counts(Xa)
    out = np.asarray(Xb @ Pa_T, dtype=np.float32)              # sum over b's terms of their best match in a
    PbT = np.ascontiguousarray(Pb.T) if Pb_T is None else Pb_T
    a_to_b = np.asarray(Xa @ PbT, dtype=np.float32)            # (n_ann x block): a's terms' best match in b
    with np.errstate(invalid="ignore", divide="ignore"):
        out *= (0.5 / nb).astype(np.float32)[:, None]
        a_to_b *= (0.5 / na).astype(np.float32)[:, None]
    add_transposed(out, a_to_b)
    out[nb == 0, :] = np.nan
    out[:, na == 0] = np.nan
    return out
