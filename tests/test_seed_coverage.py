"""Every mechanism, mapping and claim named in the three source documents is in the graph."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

B = "https://w3id.org/bionn-kg/"
QUERY = (Path(__file__).parent / "queries" / "typed_entities.rq").read_text()

TABLE1 = [  # J. Harris, 'BioNN-ANN Equivalence Framework', Table 1: (bio, ann, structural, functional)
    ("DendriticInputIntegration", "WeightedInputSummation", "High", "High"),
    ("SynapticWeight", "ConnectionWeight", "High", "High"),
    ("ActionPotentialThreshold", "ActivationFunction", "Moderate", "Moderate"),
    ("AxonalSignalPropagation", "ForwardPass", "Moderate", "High"),
    ("LongTermPotentiation", "GradientDescent", "Low", "Moderate"),
    ("HebbianLearning", "CorrelationBasedWeightUpdate", "Moderate", "Moderate"),
    ("SynapticPruning", "WeightDecay", "Moderate", "High"),
    ("InhibitoryInterneurons", "Dropout", "Low", "Moderate"),
    ("RefractoryPeriod", "BatchNormalisation", "Low", "Low"),
    ("GlobalNeuromodulation", "LearningRate", "Low", "Moderate"),
]
DRUGS = {  # section 3: drug class -> molecular action
    "SSRI": "SerotoninReuptakeInhibition", "MAOI": "MonoamineOxidaseInhibition",
    "Antipsychotic": "DopamineReceptorAntagonism", "Benzodiazepine": "GABAAPositiveModulation",
    "Psychedelic": "Serotonin5HT2AAgonism", "Ketamine": "NMDAReceptorAntagonism",
}
EFFICIENCY = ["SpikeBasedCommunication", "NeuromodulatoryContextSwitching", "StructuralPlasticity"]
ZOU_PAIRS = [("Dendrites", "InputLayer"), ("Soma", "HiddenLayer"), ("Axon", "OutputLayer"),
             ("HebbianLearning", "GradientDescent"), ("ActionPotential", "Backpropagation")]


@pytest.fixture(scope="module")
def types(shipped_graph):
    t, src = defaultdict(set), defaultdict(set)
    for r in shipped_graph.select(QUERY):
        t[r["entity"]].add(r["class"])
        if r["source"]:
            src[r["entity"]].add(r["source"])
    return t, src


@pytest.fixture(scope="module")
def asserted(shipped_graph):
    return {(r["bio"], r["ann"]): r for r in shipped_graph.select_named("evaluation/asserted_pairs")}


@pytest.mark.parametrize("bio, ann, s, f", TABLE1)
def test_table1_row_present_with_ratings(shipped_graph, types, bio, ann, s, f):
    t, _ = types
    assert B + "BiologicalMechanism" in t[B + bio] and B + "ANNMechanism" in t[B + ann]
    rows = {(r["bio"], r["ann"]): r for r in shipped_graph.select_named("evaluation/table1_ratings")}
    r = rows[(B + bio, B + ann)]
    assert (r["structural"], r["functional"]) == (B + s, B + f)


@pytest.mark.parametrize("drug, action", sorted(DRUGS.items()))
def test_drug_class_with_action_target_and_ann_analog(shipped_graph, types, asserted, drug, action):
    t, src = types
    assert B + "DrugClass" in t[B + drug] and B + "MolecularAction" in t[B + action]
    rows = shipped_graph.select_named("internal/molecular_actions", {"drug": B + drug})
    assert [r["action"] for r in rows] == [B + action]
    assert any(b == B + action for b, _ in asserted), f"no ANN analog asserted for {action}"
    assert src[B + drug], f"{drug} has no provenance"


@pytest.mark.parametrize("mech", EFFICIENCY)
def test_efficiency_hypothesis_mechanisms(types, mech):
    t, src = types
    assert B + "BiologicalMechanism" in t[B + mech]
    assert B + "src_harris_4_3" in src[B + mech]


@pytest.mark.parametrize("section", ["5_1", "5_2", "5_3", "5_4"])
def test_four_breaks_of_section_5(types, section):
    t, src = types
    hits = [e for e, s in src.items() if B + f"src_harris_{section}" in s and B + "Disanalogy" in t[e]]
    assert hits, f"no disanalogy from section {section}"


def test_eight_compared_properties(types):
    t, src = types
    comps = [e for e in t if B + "PropertyComparison" in t[e] and B + "src_essay_comparison_table" in src[e]]
    assert len(comps) == 8


@pytest.mark.parametrize("bio, ann", ZOU_PAIRS)
def test_zou_correspondences(asserted, bio, ann):
    assert (B + bio, B + ann) in asserted


def test_every_mechanism_has_provenance(types):
    t, src = types
    mechs = [e for e in t if B + "Mechanism" in t[e]]
    assert len(mechs) >= 80
    assert [m for m in mechs if not src[m]] == []
