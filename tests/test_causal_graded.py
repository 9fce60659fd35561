"""Graded causal alignment C (kg.engine.causal) on tiny named chains, values worked out by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kg.engine.causal import (ALPHA, chain_grams, dice_block, gram_matrix, graded_alignments, path_similarity,
                              prepare_causal, step_similarity)

# relation hierarchy: 0 selects {1 takes the maximum, 2 sharpens}; 3 combines {4 sums}
RELS = (["selects", "takesMax", "sharpens", "combines", "sums"], [[], [0], [0], [], [3]])
# participants: 'x', 'y', 'z' unrelated roots
PTS = (["x", "y", "z"], [[], [], []])
# IC over the 5 relations: selects ln(5/3), combines ln(5/2), leaves ln 5
IC_SEL, IC_LEAF = math.log(5 / 3), math.log(5)
LIN_MAX_SHARPEN = 2 * IC_SEL / (2 * IC_LEAF)  # 0.3174: siblings under 'selects'


def chain(*steps):
    """[(relation, participants...), ...] -> the step dicts of the engine, linked in order."""
    return [{"step": f"s{i}", "relation": r, "participants": set(ps), "conditions": set(), "index": i + 1,
             "next": {f"s{i + 1}"} if i + 1 < len(steps) else set()} for i, (r, *ps) in enumerate(steps)]


def C(model, i=0, j=1):
    G, P, w = model.G, model.P, model.w
    return float(dice_block(G[i:i + 1], G[j:j + 1], w, P[i:i + 1], P[j:j + 1])[0, 0])


def test_sibling_relations_align_by_lin():
    # one step each, same participant: sigma = Lin(takes the maximum, sharpens) * (alpha + (1 - alpha) * 1)
    m = prepare_causal([chain(("takesMax", "x")), chain(("sharpens", "x"))], RELS, PTS)
    assert C(m) == pytest.approx(LIN_MAX_SHARPEN, rel=1e-5)
    assert LIN_MAX_SHARPEN == pytest.approx(0.3174, abs=1e-4)


def test_unrelated_relations_do_not_align():
    m = prepare_causal([chain(("takesMax", "x")), chain(("sums", "x"))], RELS, PTS)
    assert C(m) == 0.0


def test_two_step_chain_with_several_participants_worked_by_hand():
    # b: takes the maximum of {x, y} -> sums {z};   a: sharpens {x} -> sums {z}
    m = prepare_causal([chain(("takesMax", "x", "y"), ("sums", "z")), chain(("sharpens", "x"), ("sums", "z"))],
                       RELS, PTS)
    bma = 0.5 * ((1 + 0) / 2 + 1 / 1)                          # BMA_P({x, y}, {x}) = 0.75
    s1 = LIN_MAX_SHARPEN * (ALPHA + (1 - ALPHA) * bma)         # first steps: 0.2777
    s2 = 1.0                                                   # sums {z} on both sides
    k2 = s1 * s2                                               # the two-step path: product of its steps
    # weights: 2 mechanisms; df 1 -> 1 + ln(3/2), df 2 (sums) -> 1; paths of length 2 count double
    w1, w_sum, w2 = 1 + math.log(1.5), 1.0, 2 * (1 + math.log(1.5))
    expected = (w1 * s1 + w_sum * s2 + w2 * k2) / (w1 + w_sum + w2)  # the same on both sides
    assert C(m) == pytest.approx(expected, rel=1e-5)
    assert expected == pytest.approx(0.4162, abs=1e-3)


def test_reversed_chain_keeps_single_steps_but_not_the_path():
    m = prepare_causal([chain(("takesMax",), ("sums",)), chain(("sums",), ("takesMax",))], RELS, PTS)
    w1 = 1 + math.log(3 / 3)   # each relation in both chains: df 2
    w2 = 2 * (1 + math.log(3 / 2))
    # unigrams match exactly (no participants on either side: BMA_P = 1); the pairs do not align
    assert C(m) == pytest.approx((2 * w1) / (2 * w1 + w2), rel=1e-5)


def test_identical_relations_without_hierarchy_equal_exact_dice():
    chains = [chain(("a",), ("b",), ("c",)), chain(("a",), ("b",)), chain(("c",), ("a",))]
    flat = (["a", "b", "c"], [[], [], []])
    m = prepare_causal(chains, flat, ([], []))
    G, _, w = gram_matrix([chain_grams(c) for c in chains])
    exact = dice_block(G[:1], G[1:], w)
    graded = dice_block(m.G[:1], m.G[1:], m.w, m.P[:1], m.P[1:])
    assert np.allclose(exact, graded, atol=1e-6)


def test_condition_counts_as_a_participant():
    b = chain(("takesMax", "x"))
    b[0]["conditions"] = {"y"}
    m = prepare_causal([b, chain(("takesMax", "x"))], RELS, PTS)
    bma = 0.5 * (0.5 + 1.0)  # {x, y} against {x}
    assert C(m) == pytest.approx(ALPHA + (1 - ALPHA) * bma, rel=1e-5)


def test_dense_and_sparse_models_agree():
    chains = [chain(("takesMax", "x", "y"), ("sums", "z")), chain(("sharpens", "x"), ("sums", "z")),
              chain(("selects", "z"), ("combines", "y"), ("sums", "x"))]
    d = prepare_causal(chains, RELS, PTS, dense=True)
    s = prepare_causal(chains, RELS, PTS, dense=False)
    for i in range(3):
        for j in range(3):
            assert C(d, i, j) == pytest.approx(C(s, i, j), abs=1e-6)


def test_graded_alignment_names_the_aligned_steps():
    b, a = chain(("takesMax", "x"), ("sums", "z")), chain(("sharpens", "x"), ("sums", "z"))
    m = prepare_causal([b, a], RELS, PTS)
    (pb, pa, k), *_ = graded_alignments(m, b, a)
    assert [s["relation"] for s in pb] == ["takesMax", "sums"] and [s["relation"] for s in pa] == ["sharpens", "sums"]
    assert k == pytest.approx(LIN_MAX_SHARPEN, rel=1e-5)


def test_step_and_path_similarity_helpers():
    assert step_similarity(1.0, 0.0) == ALPHA
    assert path_similarity([0.25, 0.5]) == pytest.approx(0.125)
    assert path_similarity([0.25, 1.0], geometric=True) == pytest.approx(0.5)
    assert path_similarity([0.0, 1.0]) == 0.0


def test_shipped_vocabulary_grades_takes_maximum_against_selects(engine):
    # the hierarchy read from the graph (features/causal_terms): takes the maximum is a kind of selects
    cm = engine.dimension("C").model
    B = "https://w3id.org/bionn-kg/"
    i, j = cm.rel_index[B + "rel_takesMaximum"], cm.rel_index[B + "rel_selects"]
    assert 0 < cm.lin_r[i, j] < 1
    i, j = cm.rel_index[B + "rel_dividesBy"], cm.rel_index[B + "rel_normalises"]
    assert 0 < cm.lin_r[i, j] < 1


def test_split_profiles_give_the_same_cross_side_scores():
    chains = [chain(("takesMax", "x", "y"), ("sums", "z")), chain(("selects", "z"), ("combines", "y"), ("sums", "x")),
              chain(("sharpens", "x"), ("sums", "z")), chain(("sums", "z"))]
    full = prepare_causal(chains, RELS, PTS)
    for dense in (True, False):
        half = prepare_causal(chains, RELS, PTS, dense=dense, split=2)
        for i in range(2):
            for j in range(2, 4):
                assert C(half, i, j) == pytest.approx(C(full, i, j), abs=1e-6)


def test_score_explains_graded_alignments(engine):
    # synaptic pruning and weight decay share no identical relation path, yet graded C > 0: the
    # explanation names the aligned steps and their similarity instead of an empty table
    B = "https://w3id.org/bionn-kg/"
    c = engine.pair(B + "SynapticPruning", B + "WeightDecay")["C"]
    rows = engine.dimension("C").aligned_steps(B + "SynapticPruning", B + "WeightDecay")
    assert c > 0 and rows and all(0 < r["similarity"] <= 1 for r in rows)
