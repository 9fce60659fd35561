"""Partial analogies, donors and the engine's domain rules on a tiny named graph (fixtures/partial.ttl).

Structural hierarchy of the fixture (8 terms, IC = ln(8 / reflexive descendants)):
timing (IC ln 8/3) > slow, fast (ln 8); scaling (ln 4) > multiplicative (ln 8); trigger (ln 4) >
activity-dependent trigger (ln 8); bound (ln 8). Homeostatic scaling has {slow, multiplicative, trigger,
bound}; clipping {fast, bound}; the normaliser {multiplicative}; the scheduler {slow, activity trigger}.
"""
from __future__ import annotations

import math

import pytest

from kg.errors import KGError, UnknownEntityError

EX = "https://example.org/partial/"
FIXTURE = "partial.ttl"

LN8, LN4, LN8_3 = math.log(8), math.log(4), math.log(8 / 3)


@pytest.fixture(scope="module")
def eng():
    from pathlib import Path

    from kg.engine import Engine
    from kg.graph import load_graph
    return Engine(load_graph([Path(__file__).parent / "fixtures" / FIXTURE], base=False, check=False))


def _by_label(rows):
    return {r["label"]: r for r in rows}


def test_descriptors_without_counterpart_ranked_by_ic(eng):
    from kg.engine.partial import missing
    m = missing(eng, "homeostatic scaling", "clipping")
    lacks = [r for r in m["ann_lacks"] if r["dimension"] == "S"]
    # slow vs fast: Lin = 2 IC(timing) / (IC(slow) + IC(fast)) = ln(8/3) / ln 8 = 0.4717 < 0.5: lacking;
    # multiplicative and trigger share no ancestor with clipping's terms (Lin 0); bound is the same term.
    # Order: IC ln 8 (multiplicative, slow: by label) before IC ln 4 (trigger).
    assert [r["label"] for r in lacks] == ["multiplicative scaling", "slow timescale", "trigger"]
    slow = _by_label(lacks)["slow timescale"]
    assert slow["ic"] == pytest.approx(LN8, abs=1e-4)
    assert slow["similarity"] == pytest.approx(LN8_3 / LN8, abs=1e-4)  # 0.4717
    assert slow["closest"] == "fast timescale"
    assert _by_label(lacks)["trigger"]["ic"] == pytest.approx(LN4, abs=1e-4)
    assert {r["id"] for r in lacks} == {EX + "multiplicative", EX + "slow", EX + "trigger"}
    # and from clipping's side: fast timescale (Lin 0.4717 to slow) and the failure characteristic it
    # does not share (numeric overflow)
    bio_lacks = {(r["dimension"], r["label"]) for r in m["bio_lacks"]}
    assert ("S", "fast timescale") in bio_lacks and ("M", "numeric overflow") in bio_lacks
    assert ("S", "bound on runaway activity") not in bio_lacks


def test_unaligned_causal_steps_with_relation_rarity(eng):
    from kg.engine.partial import missing
    m = missing(eng, "homeostatic scaling", "clipping")
    # shared relation paths: only (senses); so "scales" (homeostatic) and "truncates" (clipping) are unaligned.
    # ic = -ln((df + 1) / (N + 1)) with N = 3 chains: scales df 2 -> ln(4/3); truncates df 1 -> ln 2
    (c,) = [r for r in m["ann_lacks"] if r["dimension"] == "C"]
    assert c["label"] == "scales(synaptic weights)" and c["id"] == EX + "scales"
    assert c["ic"] == pytest.approx(math.log(4 / 3), abs=1e-4)
    (c2,) = [r for r in m["bio_lacks"] if r["dimension"] == "C"]
    assert c2["label"] == "truncates(gradient)" and c2["ic"] == pytest.approx(math.log(2), abs=1e-4)


def test_hand_worked_scores_of_the_fixture(eng):
    s = eng.pair(EX + "homeostatic", EX + "clip")
    # BMA_S: b->a (0.4717 + 0 + 0 + 1) / 4, a->b (0.4717 + 1) / 2, averaged
    lin = LN8_3 / LN8
    assert s["BMA_S"] == pytest.approx(0.5 * ((lin + 1) / 4 + (lin + 1) / 2), abs=1e-5)
    # BMA_M: {runaway} vs {runaway, overflow}: (1 + (1 + 0) / 2) / 2
    assert s["BMA_M"] == pytest.approx(0.75, abs=1e-6)
    # C: w(senses) = w(scales) = 1 + ln(4/3), w(truncates) = 1 + ln 2, pairs 2 (1 + ln 2); the one
    # aligned step, senses, acts on unrelated participants (activity vs gradient: Lin 0), so graded C
    # scores it sigma = Lin_R (alpha + (1 - alpha) BMA_P) = 1 * (0.5 + 0.5 * 0) = 0.5 (kg.engine.causal)
    ws, wt, wp = 1 + math.log(4 / 3), 1 + math.log(2), 2 * (1 + math.log(2))
    sigma = 0.5
    assert s["C"] == pytest.approx(2 * sigma * ws / ((2 * ws + wp) + (ws + wt + wp)), abs=1e-5)


def test_donors_supply_what_the_best_analog_lacks(eng):
    from kg.engine.partial import gaps
    g = gaps(eng, "homeostatic scaling", top=3)
    top = g["analogs"][0]
    assert top["label"] == "normaliser"
    donors = {r["label"]: (r["donor"]["label"], r["donor"]["match"]) for r in top["lacks"]}
    assert donors["bound on runaway activity"] == ("clipping", 1.0)
    assert donors["slow timescale"] == ("scheduler", 1.0)   # clipping's fast timescale is 0.47: too far
    # trigger vs activity-dependent trigger: 2 ln 4 / (ln 4 + ln 8) = 0.8
    assert donors["trigger"][0] == "scheduler"
    assert donors["trigger"][1] == pytest.approx(2 * LN4 / (LN4 + LN8), abs=1e-4)
    assert donors["senses(firing rate)"] == ("clipping", 1.0)
    assert top["composite"] == ["normaliser", "clipping", "scheduler"] and top["without_donor"] == []


def test_a_descriptor_no_mechanism_has_has_no_donor(eng):
    from kg.engine.partial import gaps
    g = gaps(eng, "clipping", top=3)
    homeo = next(a for a in g["analogs"] if a["label"] == "homeostatic scaling")
    assert homeo["without_donor"] == ["fast timescale", "truncates(gradient)", "numeric overflow"]


def test_sentence_never_says_matched_and_lacking(eng):
    from kg.engine.partial import lacks_sentence
    text = lacks_sentence(eng, "homeostatic scaling", "clipping")
    shared, _, lacking = text.partition(" but lacks: ")
    assert "bound on runaway activity" in shared and "slow timescale" not in shared
    assert lacking.startswith("multiplicative scaling, slow timescale, trigger")


# -- the domain rules, from the Python API ----------------------------------------------------------
def test_ids_may_be_labels_curies_or_iris_in_either_order(eng):
    a = eng.pair("homeostatic scaling", "clipping")
    b = eng.pair(EX + "clip", EX + "homeostatic")
    assert a["E"] == pytest.approx(b["E"])


def test_drug_class_is_compared_through_its_molecular_action(eng):
    iri, note = eng.resolve_with_note(EX + "drug")
    assert iri == EX + "homeostatic" and "molecular action" in note
    assert [m for m, _ in eng.ranking("scaling drug")] == [m for m, _ in eng.ranking(EX + "homeostatic")]


def test_unknown_id_is_a_KGError_with_closest_labels(eng):
    with pytest.raises(UnknownEntityError) as exc:
        eng.ranking("homeostatic scalin")
    assert any("homeostatic scaling" in s for s in exc.value.suggestions)


def test_same_domain_pair_is_a_KGError(eng):
    with pytest.raises(KGError, match="both ANN"):
        eng.pair("clipping", "normaliser")


def test_non_mechanism_is_a_KGError(eng):
    with pytest.raises(KGError, match="not a mechanism"):
        eng.ranking(EX + "slow")


def test_undescribed_mechanism_is_a_KGError_not_nan_rows(eng):
    with pytest.raises(KGError, match="bare mechanism .* has none of"):
        eng.ranking("bare mechanism")
    with pytest.raises(KGError, match="has none of"):
        eng.pair(EX + "bare", EX + "clip")


def test_all_undefined_ranking_is_a_KGError_not_nan_rows(eng):
    from kg.engine import Engine
    other = Engine(eng.graph, weights="S=0.5,C=0.5", features=eng.features)
    with pytest.raises(KGError, match="undefined E with every ANN"):
        other.ranking("orphan")      # described by its failure mode only, and M has weight 0
    assert not math.isnan(eng.ranking("orphan")[0][1]["E"])
