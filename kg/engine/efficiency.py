"""Efficiency differential Ef: how many orders of magnitude more energy an ANN mechanism needs than a
biological one for the same outcome, mapped to [0, 1].

Costs are converted to SI per outcome event with their unit's multiplier (J for energy per event, W for
power); a power stated with the rate of the outcome events it sustains is an energy per event,
``P / rate`` (:func:`to_si`). Two costs are compared only when they are stated for the same outcome kind
(*grain*: one synaptic event, one spike, one weight update, a whole system...) and quantity kind
(J. Harris, 'BioNN-ANN Equivalence Framework', sections 4.1-4.2). With

.. math::

    D(b, a) = \\log_{10}(e_a / e_b) \\quad \\text{(biology's advantage, in orders of magnitude)}

.. math::

    Ef(b, a) = \\mathrm{clip}\\Big(\\tfrac12 + \\frac{D(b, a)}{2R}, 0, 1\\Big), \\quad R = 6

0.5 is parity, 1 means the ANN side needs at least a million times more energy (the gap the efficiency
hypothesis is about), 0 the reverse. The raw ratio :math:`e_a / e_b` is called ``cost_ratio`` and
:math:`D` ``orders_of_magnitude`` everywhere (queries, report, CLI); ``Ef`` is only the clipped, mapped
value. Missing data gives NaN and a stated reason, never 0. When a pair shares several grains the
log-ratios are averaged.

>>> round(ef_value(1e-9, 1e-12), 3)    # the ANN analog needs 1000x more
0.75
>>> round(to_si(278.0, 1e-3, rate=35.0), 6)   # 278 mW at 35 inferences/s: J per inference
0.007943
>>> format_si(7.489e-15, "J")
'7.49 fJ'
"""
from __future__ import annotations

import math
import warnings

import numpy as np

__all__ = ["DECADES", "ef_value", "ef_from_logs", "ef_reason", "to_si", "orders_of_magnitude",
           "ef_from_orders", "format_si", "QUANTITY_SYMBOL"]

DECADES = 6.0

QUANTITY_SYMBOL = {"https://w3id.org/bionn-kg/qk_Energy": "J", "https://w3id.org/bionn-kg/qk_Power": "W"}

_PREFIXES = [(1e-18, "a"), (1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, ""),
             (1e3, "k"), (1e6, "M"), (1e9, "G")]  # SI prefixes, not dimension names


def to_si(value: float, multiplier: float, rate: float | None = None) -> float:
    """A cost in SI units: ``value * multiplier``; divided by ``rate`` (events/s) when a power is stated
    with the rate of the outcome events it sustains (W / Hz = J per event).

    >>> to_si(4.6, 1e-12)            # 4.6 pJ
    4.6e-12
    >>> to_si(2.0, 1e-9)             # 2 nJ
    2e-09
    >>> to_si(20.0, 1.0)             # 20 W stays a power
    20.0
    """
    if rate is not None:
        if not rate > 0:
            raise ValueError(f"an event rate must be positive, not {rate!r}")
        return value * multiplier / rate
    return value * multiplier


def orders_of_magnitude(e_ann: float, e_bio: float) -> float:
    """D = log10(e_ann / e_bio): biology's advantage for the same grain, in orders of magnitude."""
    if not (e_ann > 0 and e_bio > 0):
        return float("nan")
    return math.log10(e_ann / e_bio)


def ef_from_orders(d: float) -> float:
    """Ef from D (orders of magnitude): clip(0.5 + D / 2R, 0, 1)."""
    if math.isnan(d):
        return float("nan")
    return min(1.0, max(0.0, 0.5 + d / (2 * DECADES)))


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


def format_si(value: float | None, unit: str = "J", digits: int = 3) -> str:
    """Engineering notation with an SI prefix (``7.49 fJ``, ``9.6 pJ``, ``20 W``); never ``0.000000``.

    >>> format_si(9.6e-12, "J")
    '9.6 pJ'
    >>> format_si(0.063, "W")
    '63 mW'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == 0:
        return f"0 {unit}"
    mag = abs(value)
    scale, prefix = _PREFIXES[0]
    for s, p in _PREFIXES:
        if mag >= s * 0.9995:
            scale, prefix = s, p
    return f"{value / scale:.{digits}g} {prefix}{unit}"


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
        return (f"missing: the profiles of {label(b)} and {label(a)} are for different outcomes (grains) or "
                "quantities, so their costs cannot be compared")
    parts = []
    for o in shared:
        ea, q = energy[a][o]
        eb = energy[b][o][0]
        sym = QUANTITY_SYMBOL.get(q, "SI")
        parts.append(f"{label(o)}: ANN {format_si(ea, sym)} vs bio {format_si(eb, sym)} "
                     f"(cost_ratio {ea / eb:.3g}, {orders_of_magnitude(ea, eb):+.2f} orders of magnitude)")
    return "; ".join(parts)
