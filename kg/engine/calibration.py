"""Calibrated combination: each dimension on a common scale, counting less where its evidence is thin.

The dimensions S, F, C, M and Ef have very different distributions over the candidates: C is 0 for most
pairs and high for a few, F is spread over [0, 1], Ef is a log ratio. A fixed weighted mean lets a
dimension with a wide spread decide rankings whatever its weight, and a dimension that rests on one
failure mode or one causal step counts as much as one that rests on ten descriptors. Two corrections:

1. **Scale** (as Project Rephetio scales each degree-weighted path count by its mean before combining):
   each dimension d is replaced by its mid-rank percentile among all its defined values over the
   candidate pairs, estimated once per graph from a sample :math:`Z_d` (every pair of up to
   :data:`SAMPLE_ROWS` biological mechanisms with all ANN mechanisms),

   .. math::

       q_d(x) = \\frac{|\\{z \\in Z_d : z < x\\}| + \\tfrac12 |\\{z \\in Z_d : z = x\\}|}{|Z_d|} \\in [0, 1].

   A percentile is monotone, so the ranking by one dimension alone is unchanged; it puts every
   dimension on the same uniform scale, where 0.5 is a typical candidate.

2. **Evidence** (shrinkage of a weight by the amount of data behind a value): with :math:`n_d(x)` the
   number of items dimension d rests on for mechanism x (S: structural terms; F: functional terms;
   C: causal steps; M: failure modes with a characteristic; Ef: 1), a pair's evidence is the thinner
   side, :math:`e_d = \\min(n_d(b), n_d(a))`, and the weight becomes

   .. math::

       w'_d(b, a) = w_d\\, \\frac{e_d}{e_d + \\kappa}, \\qquad \\kappa = 1

   (one item on the thinner side: half the weight; three: three quarters).

Then, over the dimensions defined for the pair,

.. math::

    E(b, a) = \\frac{\\sum_d w'_d(b, a)\\, q_d(x_d(b, a))}{\\sum_d w'_d(b, a)}, \\qquad
    \\mathrm{coverage} = \\sum_{d\\ \\mathrm{defined}} w_d .

The presets keep their meaning: :math:`w_d` is still the share a dimension gets when evidence is
ample; coverage is unchanged. E stays in [0, 1] and reads as a weighted mean percentile: E = 0.9 means
the pair sits, on average, at the 90th percentile of the candidates on its dimensions.

Example
-------
>>> import numpy as np
>>> cal = Calibration({"C": np.array([0.0, 0.0, 0.0, 0.5, 1.0])})
>>> [round(float(q), 3) for q in cal.percentile("C", np.array([0.0, 0.5, 2.0]))]  # ties: mid-rank
[0.3, 0.7, 1.0]
>>> float(evidence_weight(np.array([1]), np.array([4]))[0, 0])  # the thinner side has one item
0.5
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


__all__ = ["KAPPA", "SAMPLE_ROWS", "MODES", "DEFAULT_MODE", "Calibration", "fit_calibration", "evidence_weight",
           "combine", "evidence_counts", "calibrated_combination"]

KAPPA = 1.0
SAMPLE_ROWS = 256
MAX_SAMPLE = 200_000  # values kept per dimension (a random subset when there are more)


@dataclass
class Calibration:
    """The sorted sample of each dimension's defined values (the reference distribution)."""

    samples: dict[str, np.ndarray]

    def percentile(self, d: str, x: np.ndarray) -> np.ndarray:
        """Mid-rank percentile of x in dimension d's sample; NaN stays NaN; no sample: x unchanged."""
        z = self.samples.get(d)
        if z is None or not len(z):
            return x
        lo = np.searchsorted(z, x, side="left")
        hi = np.searchsorted(z, x, side="right")
        q = ((lo + hi) / (2.0 * len(z))).astype(np.float32)
        return np.where(np.isnan(x), np.float32(np.nan), q)


def fit_calibration(blocks: list[Mapping[str, np.ndarray]], seed: int = 0,
                    names: Sequence[str] | None = None) -> Calibration:
    """Reference distributions from blocks of raw dimension values (NaN = undefined, skipped).

    ``names``: the dimensions to calibrate (default: the registry's)."""
    if names is None:
        from .dimensions import names as registry_names
        names = registry_names()
    rng = np.random.default_rng(seed)
    samples = {}
    for d in names:
        vals = np.concatenate([np.asarray(b[d], dtype=np.float32).ravel() for b in blocks if d in b] or
                              [np.zeros(0, dtype=np.float32)])
        vals = vals[~np.isnan(vals)]
        if len(vals) > MAX_SAMPLE:
            vals = rng.choice(vals, MAX_SAMPLE, replace=False)
        samples[d] = np.sort(vals)
    return Calibration(samples)


def evidence_weight(nb: np.ndarray, na: np.ndarray, kappa: float = KAPPA) -> np.ndarray:
    """e / (e + kappa) with e = min(n_b, n_a), for every pair of a block (rows b, columns a)."""
    e = np.minimum(np.asarray(nb, dtype=np.float32)[:, None], np.asarray(na, dtype=np.float32)[None, :])
    return e / (e + np.float32(kappa))


def combine(dims: Mapping[str, np.ndarray], weights: Mapping[str, float],
            calibration: Calibration | None = None,
            evidence: Mapping[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """E and coverage of a block: the weighted mean of the defined dimensions.

    Without ``calibration`` and ``evidence`` this is the plain weighted mean of the raw values.
    """
    shape = next(iter(dims.values())).shape
    num = np.zeros(shape, dtype=np.float32)
    den = np.zeros(shape, dtype=np.float32)
    cov = np.zeros(shape, dtype=np.float32)
    for d in weights:
        w = np.float32(weights.get(d, 0.0))
        if w == 0 or d not in dims:
            continue
        x = dims[d] if calibration is None else calibration.percentile(d, dims[d])
        ok = ~np.isnan(x)
        wd = w * (evidence[d] if evidence is not None and d in evidence else np.float32(1))
        num += np.where(ok, wd * np.where(ok, x, np.float32(0)), np.float32(0))
        den += np.where(ok, wd, np.float32(0))
        cov += w * ok
    with np.errstate(invalid="ignore", divide="ignore"):
        E = num / den  # 0/0 -> NaN: no weighted dimension is defined
    return E.astype(np.float32), cov


def evidence_counts(engine: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """n_d(x) for every mechanism of each side: (bio counts, ANN counts) per dimension of the registry
    (:meth:`kg.engine.dimensions.Dimension.evidence`)."""
    return {name: (d.evidence("bio"), d.evidence("ann")) for name, d in engine.dimensions.items()}


#: how the engine combines its dimensions: "none" (the plain weighted mean, default), "evidence"
#: (correction 2), "percentile" (corrections 1 and 2). The default stays the plain mean because the
#: report's weight-sensitivity analysis (kg.report.sensitivity) recombines the dimensions that way, and
#: the measured gain of "evidence" is small (docs/causal-and-failure-matching.md).
MODES = ("none", "evidence", "percentile")
DEFAULT_MODE = "none"


def calibrated_combination(engine: Any, dims: Mapping[str, np.ndarray], bi: Any,
                           aj: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The engine's hook: E and coverage of the block ``bi`` x ``aj`` (default all ANN columns).

    ``engine.calibration_mode`` (default :data:`DEFAULT_MODE`) selects the combination: ``"evidence"``
    weights each dimension by its evidence (correction 2), ``"percentile"`` also puts each dimension on
    its percentile scale (corrections 1 and 2), ``"none"`` is the plain weighted mean. The reference
    distributions of ``"percentile"`` are fitted on the first call, from :data:`SAMPLE_ROWS` biological
    rows (evenly spaced) against every ANN mechanism, and cached on the engine with the evidence counts.
    """
    mode = getattr(engine, "calibration_mode", DEFAULT_MODE)
    if mode not in MODES:
        raise ValueError(f"calibration mode {mode!r}: use one of {', '.join(MODES)}")
    state = getattr(engine, "_calibration", None)
    if mode == "none" or state == "fitting":  # the engine's plain weighted mean
        from .combine import combine as plain
        return plain(dims, engine.weights)
    if state is None or (mode == "percentile" and state[0] is None):
        cal = None
        if mode == "percentile":
            engine._calibration = "fitting"  # the blocks below combine without calibration
            nb = len(engine.features.bio)
            rows = np.unique(np.linspace(0, max(nb - 1, 0), min(SAMPLE_ROWS, nb)).astype(np.int64))
            cal = fit_calibration([engine.block(rows[i:i + 64]) for i in range(0, len(rows), 64)])
        engine._calibration = state = (cal, evidence_counts(engine))
    cal, counts = state
    full = aj is None or (isinstance(aj, slice) and aj == slice(None))
    ev = {d: evidence_weight(np.asarray(cb)[bi], np.asarray(ca) if full else np.asarray(ca)[aj])
          for d, (cb, ca) in counts.items()}
    return combine(dims, engine.weights, cal if mode == "percentile" else None, ev)
