"""Graded failure matching M (kg.engine.failure): failure modes one by one, with trigger direction."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kg.engine.failure import GAMMA, TRIGGERS, failure_mode_similarity, trigger_factor, trigger_lin
from kg.engine.semsim import lin_matrix

EXCESS, DEFICIT, ABSENCE, MISDIRECTION = TRIGGERS
# characteristics: 0 instability {1 runaway, 2 drift}; 3 signal loss
LIN_M = lin_matrix([[], [0], [0], []])
IC_INST, IC_LEAF = math.log(4 / 3), math.log(4)
LIN_RUNAWAY_DRIFT = 2 * IC_INST / (2 * IC_LEAF)


def test_trigger_factor_by_direction():
    lin_t = trigger_lin(TRIGGERS, {ABSENCE: [DEFICIT]})
    # 4 triggers: deficit has 2 reflexive descendants -> IC ln 2; absence a leaf -> IC ln 4
    lin_abs_def = 2 * math.log(2) / (math.log(2) + math.log(4))
    assert trigger_factor([ABSENCE], [DEFICIT], lin_t, TRIGGERS) == pytest.approx(GAMMA + (1 - GAMMA) * lin_abs_def)
    assert trigger_factor([EXCESS], [DEFICIT], lin_t, TRIGGERS) == pytest.approx(GAMMA)
    assert trigger_factor([EXCESS], [], lin_t, TRIGGERS) == 1.0  # unknown: no adjustment
    assert trigger_factor([EXCESS, DEFICIT], [DEFICIT], lin_t, TRIGGERS) == 1.0  # best pair


def test_failure_mode_similarity_worked_by_hand():
    # f0: runaway, excess; f1: drift, excess; f2: drift, deficit; f3: drift, unknown; f4: signal loss
    chars = [[1], [2], [2], [2], [3]]
    trig = [[EXCESS], [EXCESS], [DEFICIT], [], [EXCESS]]
    phi = failure_mode_similarity(chars, trig, LIN_M)
    assert phi[0, 1] == pytest.approx(LIN_RUNAWAY_DRIFT, rel=1e-5)           # same direction
    assert phi[0, 2] == pytest.approx(GAMMA * LIN_RUNAWAY_DRIFT, rel=1e-5)   # opposite direction
    assert phi[0, 3] == pytest.approx(LIN_RUNAWAY_DRIFT, rel=1e-5)           # direction unknown
    assert phi[0, 4] == 0.0                                                  # unrelated characteristics
    assert np.allclose(np.diag(phi), 1.0)
    assert np.allclose(phi, phi.T)


def test_engine_M_matches_failure_modes_not_pooled_characteristics(tiny_engine):
    # the tiny graph's spark and boost share their single failure mode's characteristics: M = 1
    EX = "https://example.org/tiny/"
    assert tiny_engine.pair(EX + "spark", EX + "boost")["BMA_M"] == pytest.approx(1.0)


def test_trigger_direction_changes_M_in_an_extra_file(tmp_path):
    from kg.engine import Engine
    from kg.graph import load_graph
    ttl = """@prefix bkg: <https://w3id.org/bionn-kg/> . @prefix ex: <https://example.org/t/> .
    ex:b a bkg:BiologicalMechanism ; bkg:hasFailureMode ex:fb .
    ex:fb a bkg:BiologicalFailureMode ; bkg:hasFailureCharacteristic bkg:fc_runawayAmplification ;
        bkg:failureTrigger bkg:trigger_excess .
    ex:a1 a bkg:ANNMechanism ; bkg:hasFailureMode ex:f1 .
    ex:f1 a bkg:ANNFailureMode ; bkg:hasFailureCharacteristic bkg:fc_runawayAmplification ;
        bkg:failureTrigger bkg:trigger_excess .
    ex:a2 a bkg:ANNMechanism ; bkg:hasFailureMode ex:f2 .
    ex:f2 a bkg:ANNFailureMode ; bkg:hasFailureCharacteristic bkg:fc_runawayAmplification ;
        bkg:failureTrigger bkg:trigger_deficit .
    """
    p = tmp_path / "t.ttl"
    p.write_text(ttl)
    eng = Engine(load_graph([p]))
    same = eng.pair("https://example.org/t/b", "https://example.org/t/a1")["BMA_M"]
    opposite = eng.pair("https://example.org/t/b", "https://example.org/t/a2")["BMA_M"]
    assert same == pytest.approx(1.0)
    assert opposite == pytest.approx(GAMMA)
