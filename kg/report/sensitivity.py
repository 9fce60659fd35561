"""How sensitive each biological mechanism's top analog is to the weights.

The dimensions do not depend on the weights, so one :meth:`Engine.matrix` is enough: for every point w
of a grid on the weight simplex over the registered dimensions marked for it (all but the energy one)
we recombine the stored dimensions exactly as the engine does,
:math:`E_w = \\sum_d w_d x_d / \\sum_{d\\,\\mathrm{defined}} w_d` (undefined where no weighted
dimension is defined), and ask whether the reference top analog (the balanced preset's) is still the
best. All grid points are evaluated at once with tensor products over row blocks; nothing loops over
pairs or grid points in Python.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

__all__ = ["simplex_grid", "recombine", "top_stability", "Stability", "grid_dims"]


def grid_dims(available: Sequence[str] | None = None) -> tuple[str, ...]:
    """The dimensions the grid varies: the registered ones marked ``in_sensitivity_grid`` (a data-poor
    dimension such as the energy one is kept at 0 on the grid), restricted to ``available``."""
    from ..engine.dimensions import registered
    return tuple(d.name for d in registered()
                 if d.in_sensitivity_grid and (available is None or d.name in available))


def __getattr__(name: str):
    if name == "GRID_DIMS":  # the default grid, from the registry
        return grid_dims()
    raise AttributeError(name)


def simplex_grid(step: float = 0.1, dims: Sequence[str] | None = None) -> np.ndarray:
    """All weight vectors with components in multiples of ``step`` that sum to 1 (stars and bars).

    >>> simplex_grid(0.5, ("x", "y")).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    >>> len(simplex_grid(0.1, ("w", "x", "y", "z")))
    286
    """
    dims = grid_dims() if dims is None else dims
    n = int(round(1 / step))
    k = len(dims)
    pts = []
    for bars in combinations(range(n + k - 1), k - 1):
        edges = (-1, *bars, n + k - 1)
        pts.append([edges[i + 1] - edges[i] - 1 for i in range(k)])
    return np.array(sorted(pts), dtype=np.float64) / n


def recombine(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """E for every weight vector: X is (d, rows, cols) with NaN = undefined, W is (g, d) -> (g, rows, cols)."""
    ok = ~np.isnan(X)
    num = np.tensordot(W, np.where(ok, X, 0.0), axes=(1, 0))
    den = np.tensordot(W, ok.astype(np.float64), axes=(1, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass
class Stability:
    """Per biological mechanism: its reference top analog and how often it stays top on the grid."""

    grid: np.ndarray           # (g, d) weight vectors
    reference: np.ndarray      # (n_bio,) index of the reference top analog, -1 when undefined
    share: np.ndarray          # (n_bio,) share of (defined) grid points where it stays top; NaN if undefined
    n_distinct: np.ndarray     # (n_bio,) how many different analogs are top somewhere on the grid
    challenger: np.ndarray     # (n_bio,) the analog most often top instead, -1 if none
    challenger_share: np.ndarray


def top_stability(dims: dict[str, np.ndarray], reference_weights: dict[str, float], step: float = 0.1,
                  tol: float = 1e-6, budget: int = 20_000_000, grid: Sequence[str] | None = None) -> Stability:
    """Share of grid points where the reference-weights top analog of each row is (one of) the best.

    Ties within ``tol`` count as staying top. Rows are processed in blocks so that the (grid x rows x
    columns) array stays under ``budget`` elements.
    """
    grid = tuple(grid) if grid is not None else grid_dims([k for k in dims])
    W = simplex_grid(step, grid)
    X = np.stack([np.asarray(dims[d], dtype=np.float64) for d in grid])
    n_bio, n_ann = X.shape[1], X.shape[2]
    wref = np.array([[reference_weights.get(d, 0.0) for d in grid]])
    if wref.sum() == 0:
        wref = np.full((1, len(grid)), 1 / len(grid))
    reference = np.full(n_bio, -1, dtype=np.int64)
    share = np.full(n_bio, np.nan)
    n_distinct = np.zeros(n_bio, dtype=np.int64)
    challenger = np.full(n_bio, -1, dtype=np.int64)
    challenger_share = np.zeros(n_bio)
    if n_bio == 0 or n_ann == 0:
        return Stability(W, reference, share, n_distinct, challenger, challenger_share)
    block = max(1, budget // max(1, len(W) * n_ann))
    for r0 in range(0, n_bio, block):
        Xb = X[:, r0:r0 + block]
        Eref = recombine(Xb, wref)[0]
        Eg = recombine(Xb, W)                                     # (g, rows, n_ann)
        has_ref = ~np.isnan(Eref).all(axis=1)
        ref = np.where(has_ref, np.argmax(np.nan_to_num(Eref, nan=-np.inf), axis=1), -1)
        En = np.nan_to_num(Eg, nan=-np.inf)
        best = En.max(axis=2)                                     # (g, rows)
        defined = np.isfinite(best)
        rows = np.arange(Xb.shape[1])
        ref_val = En[:, rows, np.maximum(ref, 0)]                 # (g, rows)
        stays = (ref_val >= best - tol) & defined
        n_def = defined.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            sh = np.where(has_ref & (n_def > 0), stays.sum(axis=0) / np.maximum(n_def, 1), np.nan)
        top = np.argmax(En, axis=2)                               # (g, rows)
        for r in range(Xb.shape[1]):                              # per mechanism, over g values only
            if ref[r] < 0:
                continue
            tops = top[defined[:, r], r]
            n_distinct[r0 + r] = len(np.unique(tops))
            others = tops[~stays[defined[:, r], r]]
            if others.size:
                vals, counts = np.unique(others, return_counts=True)
                challenger[r0 + r] = int(vals[np.argmax(counts)])
                challenger_share[r0 + r] = counts.max() / max(1, n_def[r])
        reference[r0:r0 + len(ref)] = ref
        share[r0:r0 + len(ref)] = sh
    return Stability(W, reference, share, n_distinct, challenger, challenger_share)
