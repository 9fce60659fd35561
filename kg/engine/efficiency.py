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

import math

import numpy as np

__all__ = ["DECADES", "ef_value", "ef_block", "ef_reason"]

DECADES = 6.0


def ef_value(e_ann: float, e_bio: float) -> float:
    return float(min(1.0, max(0.0, 0.5 + math.log10(e_ann / e_bio) / (2 * DECADES))))


def _shared(eb: dict, ea: dict) -> list[str]:
    return sorted(o for o in set(eb) & set(ea) if eb[o][1] == ea[o][1])


def ef_block(bio: list[str], ann: list[str], energy: dict[str, dict[str, tuple[float, str]]]) -> np.ndarray:
    out = np.full((len(bio), len(ann)), np.nan, dtype=np.float32)
    bi = [(i, energy[m]) for i, m in enumerate(bio) if m in energy]
    ai = [(j, energy[m]) for j, m in enumerate(ann) if m in energy]
    for i, eb in bi:
        for j, ea in ai:
            shared = _shared(eb, ea)
            if shared:
                logs = [math.log10(ea[o][0] / eb[o][0]) for o in shared]
                out[i, j] = min(1.0, max(0.0, 0.5 + float(np.mean(logs)) / (2 * DECADES)))
    return out


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
