"""Degree-weighted path counts (DWPC) over metapaths, for all pairs, as sparse matrix products.

For a dimension with mechanism-term incidence :math:`A` (edge type "has feature") and term-broader
incidence :math:`B`, the engine uses two symmetric metapaths between a biological mechanism b and an
ANN mechanism a:

* ``M-T-M``: b -has-> t <-has- a (a shared term);
* ``M-T-P-T-M``: b -has-> t -broader-> p <-broader- t' <-has- a (terms that are siblings under p).

Each path weighs the product over its edges (u, v) of :math:`(d(u)\\,d(v))^{-w}`, degrees taken within
the edge's type, with damping w = 0.4 (Himmelstein & Baranzini 2015). Both metapaths factor as
:math:`\\mathrm{DWPC}(b, a) = u_b \\cdot u_a` with

.. math::

    U_1 = D_m^{-w} A D_t^{-w}, \\qquad U_2 = U_1 \\; D_{out}^{-w} B D_{in}^{-w}

(a product of degree-normalised sparse matrices, as in hetmatpy). The engine reports the proximity

.. math::

    P(b, a) = \\frac{u_b \\cdot u_a}{\\lVert u_b \\rVert \\lVert u_a \\rVert}, \\qquad u = [U_1 \\; U_2]

which is in [0, 1] (the DWPC normalised by the self-path counts, as structure mapping normalises by
self-matches) and enters S, F and M as :math:`(1-\\beta)\\,\\mathrm{BMA} + \\beta P`.

Example
-------
>>> import numpy as np, scipy.sparse as sp
>>> A = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0]], dtype=np.float32))
>>> B = sp.csr_matrix(np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]], dtype=np.float32))
>>> U = path_vectors(A, B)
>>> P = cosine_block(U[:1], U[1:])
>>> [round(float(x), 3) for x in P[0]]   # a sibling term only, then the same term
[0.365, 1.0]
>>> Ud = path_vectors(A.toarray(), B.toarray())   # dense arrays, as for small graphs: the same numbers
>>> bool(np.allclose(cosine_block(Ud[:1], Ud[1:]), P))
True

References
----------
Himmelstein & Baranzini, PLoS Comput Biol 11(7) 2015; Himmelstein et al., eLife 6 2017 (Project
Rephetio); hetmatpy.
"""
from __future__ import annotations

import numpy as np

from typing import NamedTuple

from .linalg import Matrix, hstack, row_sq_norms, scale, sparse_product, to_dense, transposed

__all__ = ["DAMPING", "degree_weight", "path_vectors", "unit_rows", "cosine_block", "METAPATHS",
           "PathOperands", "path_operands", "path_products"]

DAMPING = 0.4
METAPATHS = ("M-T-M", "M-T-P-T-M")


def degree_weight(M: Matrix, w: float = DAMPING) -> Matrix:
    """D_row^-w M D_col^-w for a binary incidence matrix (zero degrees stay zero)."""
    dr = np.asarray(M.sum(axis=1)).ravel()
    dc = np.asarray(M.sum(axis=0)).ravel()
    with np.errstate(divide="ignore"):
        r = np.where(dr > 0, dr ** -w, 0.0).astype(np.float32)
        c = np.where(dc > 0, dc ** -w, 0.0).astype(np.float32)
    return scale(M, r, c)


def path_vectors(A: Matrix, B: Matrix, w: float = DAMPING) -> Matrix:
    """Rows u_m = [U1 | U2] for every mechanism (rows of A: all mechanisms of both sides)."""
    U1 = degree_weight(A, w)
    U2 = U1 @ degree_weight(B, w)
    return hstack([U1, U2])


def unit_rows(U: Matrix) -> tuple[Matrix, np.ndarray]:
    """(U with every non-zero row scaled to unit length, the row norms): done once per dimension, so
    that every block's cosine is a bare product instead of recomputing the ANN side's norms."""
    norms = np.sqrt(row_sq_norms(U)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(norms > 0, 1.0 / norms, 0.0).astype(np.float32)
    return scale(U, inv), norms


def cosine_block(Ub: Matrix, Ua: Matrix, norms: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Normalised DWPC for every pair of a block; NaN where a mechanism has no path at all.

    With ``norms`` = (norms of Ub's rows, norms of Ua's rows), ``Ub`` and ``Ua`` are taken as already
    unit-normalised by :func:`unit_rows` and the norms only mark the mechanisms without paths.
    """
    if norms is None:
        nb = np.sqrt(row_sq_norms(Ub))
        na = np.sqrt(row_sq_norms(Ua))
        dots = to_dense(Ub @ Ua.T)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = dots / (nb[:, None] * na[None, :])
    else:
        nb, na = norms
        out = np.asarray(to_dense(Ub @ Ua.T), dtype=np.float32)
    out[(nb == 0)[:, None] | (na == 0)[None, :]] = np.nan
    return np.clip(out, 0.0, 1.0, out=out).astype(np.float32, copy=False)


class PathOperands(NamedTuple):
    """Everything per mechanism that the all-pairs proximity needs, made once (:func:`path_operands`)."""

    Ub: Matrix         #: unit path vectors of the biological mechanisms (rows)
    Ua: Matrix         #: the same for the ANN mechanisms
    Ua_T: Matrix       #: ``Ua`` transposed, row-major: the right operand of every block's product
    norms_b: np.ndarray  #: path vector norms (0: the mechanism has no path, P is undefined)
    norms_a: np.ndarray


def path_operands(A: Matrix, B: Matrix, n_bio: int, w: float = DAMPING) -> PathOperands:
    """The path stage's preparation: degree-weighted path vectors of both metapaths for the
    mechanisms of both sides (rows of ``A``, the biological ones first), each normalised to unit
    length once, and the ANN side transposed once, so that a block's cosines are one sparse product
    (:func:`path_products`)."""
    U, norms = unit_rows(path_vectors(A, B, w))
    Ua = U[n_bio:]
    return PathOperands(U[:n_bio], Ua, transposed(Ua), norms[:n_bio], norms[n_bio:])


def path_products(ops: PathOperands, bi) -> Matrix:
    """Cosines of the path vectors of bio rows ``bi`` x every ANN mechanism: one product, sparse for
    sparse operands (only the pairs joined by a path are stored; up to rounding they are at most 1)."""
    return sparse_product(ops.Ub[bi], ops.Ua_T)
