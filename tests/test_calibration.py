"""Calibrated combination (kg.engine.calibration): percentile scale and evidence weights, by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kg.engine.calibration import Calibration, combine, evidence_weight, fit_calibration

EX = "https://example.org/tiny/"


def test_percentile_is_mid_rank_and_keeps_nan():
    cal = Calibration({"F": np.array([0.1, 0.2, 0.2, 0.9], dtype=np.float32)})
    q = cal.percentile("F", np.array([0.2, 0.05, 1.0, np.nan], dtype=np.float32))
    assert q[:3].tolist() == pytest.approx([(1 + 3) / 8, 0.0, 1.0])
    assert math.isnan(q[3])


def test_fit_skips_undefined_values():
    cal = fit_calibration([{"C": np.array([[np.nan, 0.0], [1.0, np.nan]])}])
    assert cal.samples["C"].tolist() == [0.0, 1.0]


def test_evidence_weight_uses_the_thinner_side():
    w = evidence_weight(np.array([1, 3]), np.array([4, 0]))
    assert np.allclose(w, [[1 / 2, 0.0], [3 / 4, 0.0]])


def test_combine_worked_by_hand():
    dims = {"S": np.array([[0.2]]), "F": np.array([[0.8]]), "C": np.array([[np.nan]])}
    w = {"S": 0.25, "F": 0.25, "C": 0.5}
    E, cov = combine(dims, w)
    assert E[0, 0] == pytest.approx(0.5) and cov[0, 0] == pytest.approx(0.5)   # C undefined
    ev = {"S": np.array([[0.5]]), "F": np.array([[0.75]])}
    E, cov = combine(dims, w, evidence=ev)
    assert E[0, 0] == pytest.approx((0.25 * 0.5 * 0.2 + 0.25 * 0.75 * 0.8) / (0.25 * 0.5 + 0.25 * 0.75))
    assert cov[0, 0] == pytest.approx(0.5)  # coverage keeps the preset's meaning
    cal = Calibration({"S": np.array([0.1, 0.3]), "F": np.array([0.5, 0.9])})
    E, _ = combine(dims, w, cal)
    assert E[0, 0] == pytest.approx((0.5 + 0.5) / 2)  # each at the middle of its own distribution


def test_percentile_mode_on_the_tiny_engine(tiny_engine):
    tiny_engine.calibration_mode = "percentile"
    try:
        res = tiny_engine.matrix()
    finally:
        del tiny_engine.calibration_mode
        tiny_engine._calibration = None
    E = res.E[~np.isnan(res.E)]
    assert E.size and ((E >= 0) & (E <= 1)).all()
    # the best analogs are unchanged on this graph
    assert np.nanargmax(res.E[0]) == res.ann.index(EX + "dropgate")


def test_unknown_mode_is_an_error(tiny_engine):
    tiny_engine.calibration_mode = "zscore"
    try:
        with pytest.raises(ValueError, match="calibration mode"):
            tiny_engine.pair(EX + "gate", EX + "dropgate")
    finally:
        del tiny_engine.calibration_mode
