"""The engine's dimensions on a tiny named graph, with hand-computed values."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kg.engine import Engine, parse_weights
from kg.errors import KGError

EX = "https://example.org/tiny/"


def test_structural_siblings_related_through_common_parent(tiny_engine):
    s = tiny_engine.pair(EX + "gate", EX + "dropgate")
    # 4 structural terms; 'inhibition' has 3 reflexive descendants: IC = ln(4/3); leaves ln 4
    lin = 2 * math.log(4 / 3) / (2 * math.log(4))
    assert s["BMA_S"] == pytest.approx(lin, rel=1e-5)
    assert 0 < s["S"] < 1


def test_identical_causal_chain_scores_one_and_reversed_chain_less(tiny_engine):
    # same relations step by step, but every participant differs (neurons/units, activity/features are
    # unrelated roots): each step scores Lin_R * (alpha + (1 - alpha) * 0) = alpha, the two-step path
    # alpha^2 (graded C, kg.engine.causal; C was 1 when participants were ignored). The three relation
    # paths occur in 2 of the 4 chains: w1 = 1 + ln(5/3) per step, w2 = 2 w1 for the pair, so
    # C = (2 w1 alpha + w2 alpha^2) / (2 w1 + w2) = (alpha + alpha^2) / 2
    from kg.engine.causal import ALPHA
    assert tiny_engine.pair(EX + "gate", EX + "dropgate")["C"] == pytest.approx((ALPHA + ALPHA ** 2) / 2)
    c = tiny_engine.pair(EX + "spark", EX + "boost")["C"]
    assert 0 < c < 1  # same relations, but the pair (amplifies -> accumulates) is not preserved


def test_missing_failure_modes_make_M_undefined_not_zero(tiny_engine):
    s = tiny_engine.pair(EX + "gate", EX + "dropgate")
    assert math.isnan(s["M"])
    assert s["coverage"] == pytest.approx(0.75)  # balanced weights without M
    assert tiny_engine.pair(EX + "spark", EX + "boost")["M"] == pytest.approx(1.0)


def test_E_is_weighted_mean_of_defined_dimensions(tiny_engine):
    s = tiny_engine.pair(EX + "gate", EX + "dropgate")
    assert s["E"] == pytest.approx((s["S"] + s["F"] + s["C"]) / 3, rel=1e-5)


def test_E_with_evidence_weights(tiny_engine):
    tiny_engine.calibration_mode = "evidence"
    try:
        s = tiny_engine.pair(EX + "gate", EX + "dropgate")
    finally:
        del tiny_engine.calibration_mode
    # evidence weights e / (e + 1), e the thinner side (kg.engine.calibration): one structural term and
    # one functional term on each side (1/2), two causal steps on each side (2/3); equal preset weights
    r = {"S": 0.5, "F": 0.5, "C": 2 / 3}
    assert s["E"] == pytest.approx(sum(r[d] * s[d] for d in r) / sum(r.values()), rel=1e-5)


def test_best_analog_of_each_tiny_mechanism(tiny_engine):
    top = tiny_engine.top_k(1)
    ann = tiny_engine.features.ann
    assert [ann[i] for i in top.bio_idx[:, 0]] == [EX + "dropgate", EX + "boost"]


def test_matrix_equals_pairwise_and_topk_agrees(engine):
    res = engine.matrix()
    rng = np.random.default_rng(0)
    for _ in range(20):
        i, j = rng.integers(len(res.bio)), rng.integers(len(res.ann))
        s = engine.pair(res.bio[i], res.ann[j])
        for d in ("E", "S", "F", "C", "M"):
            assert np.isnan(s[d]) and np.isnan(res.dims.get(d, res.E)[i, j]) or \
                s[d] == pytest.approx(float((res.E if d == "E" else res.dims[d])[i, j]), abs=1e-6)
    top = engine.top_k(3, block_size=7)
    E = np.where(np.isnan(res.E), -np.inf, res.E)
    assert np.allclose(np.sort(E, axis=1)[:, ::-1][:, :3], np.nan_to_num(top.bio_E, nan=-np.inf))
    assert np.allclose(np.sort(E, axis=0)[::-1][:3].T, np.nan_to_num(top.ann_E, nan=-np.inf))


def test_scores_are_in_unit_interval(engine):
    res = engine.matrix()
    for d, arr in [("E", res.E), *res.dims.items()]:
        vals = arr[~np.isnan(arr)]
        assert vals.size == 0 or (vals.min() >= -1e-6 and vals.max() <= 1 + 1e-6), d


@pytest.mark.parametrize("text, message", [
    ("S=0.5,F=0.6", "sum to 1"),
    ("S=-0.2,F=1.2", "non-negative"),
    ("S=0.5,X=0.5", "bad weight"),
    ("S=abc,F=1", "not a number"),
])
def test_bad_weights_are_errors(text, message):
    with pytest.raises(KGError, match=message):
        parse_weights(text)


def test_same_domain_pair_is_refused(tiny_engine):
    with pytest.raises(KGError, match="both biological"):
        tiny_engine.pair(EX + "gate", EX + "spark")


def test_presets_change_E_but_not_dimensions(shipped_graph, engine):
    other = Engine(shipped_graph, preset="neuroscience", features=engine.features)
    a, b = engine.matrix(), other.matrix()
    assert np.array_equal(a.dims["S"], b.dims["S"], equal_nan=True)
    assert not np.array_equal(a.E, b.E, equal_nan=True)


def test_topk_is_the_same_on_one_thread_and_on_several(engine):
    """Blocks run on a thread pool; small blocks force several of them and the k + k merges."""
    one = engine.top_k(5, block_size=7, threads=1)
    many = engine.top_k(5, block_size=7, threads=3)
    assert np.array_equal(one.bio_idx, many.bio_idx) and np.array_equal(one.ann_idx, many.ann_idx)
    assert np.allclose(one.bio_E, many.bio_E, equal_nan=True)
    whole = engine.top_k(5, block_size=10_000, threads=1)
    assert np.allclose(np.sort(whole.ann_E, axis=1), np.sort(many.ann_E, axis=1), equal_nan=True)
