"""Efficiency differential Ef: the log-ratio of the energy an ANN mechanism and a biological one need
for the same outcome, mapped to [0, 1].

Both costs are converted to SI with their unit's multiplier (J for energy per event, W for power)
and compared only when they are of the same quantity kind and stated for the same outcome kind
(J. Harris, 'BioNN-ANN Equivalence Framework', sections 4.1-4.2):

.. math::

    Ef(b, a) = \\mathrm{clip}\\Big(\\tfrac12 + \\frac{\\log_{10}(e_a / e_b)}{2R}, 0, 1\\Big), \\quad R = 6

so 0.5 is parity, 1 means the ANN side needs at least a million times more energy (the gap the
efficiency hypothesis is about), 0 the reverse. Missing data gives NaN and a stated reason, never 0.
With several shared outcome kinds the log-ratios are averaged.

>>> round(ef_value(1e-9, 1e-12), 3)    # the ANN analog needs 1000x more
0.75
"""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["DECADES", "ef_value", "ef_from_logs", "ef_reason"]

DECADES = 6.0


def ef_value(e_ann: float, e_bio: float) -> float:
    """Ef of one pair of energies (same outcome and quantity kind, SI units)."""
    return float(ef_from_logs(np.log10([[e_bio]]), np.log10([[e_ann]]))[0, 0])


def ef_from_logs(Lb: np.ndarray, La: np.ndarray) -> np.ndarray:
    """Ef for every pair from log10 SI energies (rows: mechanisms, columns: (outcome, quantity) kinds).

    Only the sub-block of mechanisms that have any profile (few) is computed; the rest is NaN, as is a
    pair with no shared outcome kind. Several shared kinds: their log-ratios are averaged.
    """
    res = np.full((Lb.shape[0], La.shape[0]), np.nan, dtype=np.float32)
    rows = np.flatnonzero(~np.isnan(Lb).all(axis=1)) if Lb.shape[1] else np.array([], dtype=int)
    cols = np.flatnonzero(~np.isnan(La).all(axis=1)) if La.shape[1] else np.array([], dtype=int)
    if rows.size and cols.size:
        diff = La[cols][None, :, :] - Lb[rows][:, None, :]  # (rows, cols, outcome kinds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # no shared outcome: Ef undefined
            mean = np.nanmean(diff, axis=2)
        res[np.ix_(rows, cols)] = np.clip(0.5 + mean / (2 * DECADES), 0, 1)
    return res


def _shared(eb: dict, ea: dict) -> list[str]:
    return sorted(o for o in set(eb) & set(ea) if eb[o][1] == ea[o][1])


def ef_reason(b: str, a: str, energy: dict, issues: dict, label) -> str:
    """Why Ef is what it is (or why it is missing), in words."""
    for m in (b, a):
        if m not in energy:
            why = issues.get(m, "no efficiency profile")
            return f"missing: {label(m)} has {why}" if m not in issues else f"missing: {why}"
    shared = _shared(energy[b], energy[a])
    if not shared:
        return (f"missing: the profiles of {label(b)} and {label(a)} are for different outcomes or "
                "quantities, so their costs cannot be compared")
    parts = [f"{label(o)}: ANN {energy[a][o][0]:.3g} vs bio {energy[b][o][0]:.3g} (SI units)"
             for o in shared]
    return "; ".join(parts)
