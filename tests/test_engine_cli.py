"""The engine commands from the command line: results, formats and bad input (exit 2, clear message)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "homeostatic_scaling.ttl"
BARE = Path(__file__).parent / "fixtures" / "undescribed.ttl"


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_analogies_json_ranks_by_E(capsys):
    code, out, _ = run(capsys, "analogies", "synaptic pruning", "--top", "5", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 5 and [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    es = [r["E"] for r in rows]
    assert es == sorted(es, reverse=True)
    assert all(r["id"].startswith("bkg:") and r["reasons"] for r in rows)


def test_analogies_both_directions(capsys):
    code, out, _ = run(capsys, "analogies", "bkg:Dropout", "--top", "3", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("rank,id,label,E") and len(lines) == 4


def test_score_explains_a_pair(capsys):
    code, out, _ = run(capsys, "score", "bkg:MonoamineOxidaseInhibition", "bkg:ResidualConnection",
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {"score", "dimensions", "matched_terms", "aligned_causal_steps", "failure_modes",
                        "strongest_paths", "undefined"}
    assert 0 <= doc["score"]["E"] <= 1
    assert {d["dimension"] for d in doc["dimensions"]} == {"S", "F", "C", "M", "Ef"}


def test_drug_class_is_compared_through_its_action(capsys):
    code, out, err = run(capsys, "score", "MAOI", "bkg:ResidualConnection", "--format", "json")
    assert code == 0 and "molecular action" in err
    assert json.loads(out)["score"]["bio_label"] == "monoamine oxidase inhibition"


def test_extra_mechanism_is_scored_and_ranked(capsys):
    code, out, _ = run(capsys, "analogies", "bkg:HomeostaticSynapticScaling", "--extra", str(EXAMPLE),
                       "--format", "json", "--top", "3")
    assert code == 0
    assert all(r["E"] is not None for r in json.loads(out))
    code, out, _ = run(capsys, "matrix", "--extra", str(EXAMPLE), "--format", "json", "-d", "E")
    rows = json.loads(out)
    assert any(r["bio"].endswith("HomeostaticSynapticScaling") for r in rows)


def test_matrix_is_every_pair(capsys, engine):
    code, out, _ = run(capsys, "matrix", "--format", "tsv")
    assert code == 0
    assert len(out.strip().splitlines()) == 1 + len(engine.features.bio) * len(engine.features.ann)


def test_evaluate_prints_agreement_and_recovery(capsys):
    code, out, _ = run(capsys, "evaluate", "--format", "json")
    doc = json.loads(out)
    assert len(doc["agreement"]) >= 10
    alls = [r for r in doc["recovery"] if r["group"] == "all"]
    assert alls and all(0 < r["MRR"] <= 1 for r in alls)


@pytest.mark.parametrize("args, message", [
    (["analogies", "synaptic prunning"], "did you mean: bkg:SynapticPruning"),
    (["score", "synaptic pruning", "long-term potentiation"], "both biological"),
    (["score", "synaptic pruning", "weight decay", "--weights", "S=0.5,F=0.6"], "sum to 1"),
    (["analogies", "synaptic pruning", "--weights", "S=-1,F=2"], "non-negative"),
    (["analogies", "bkg:BareMechanism", "--extra", str(BARE)], "scores are undefined"),
    (["analogies", "bkg:SynapticPruning", "--extra", "/nonexistent/file.ttl"], "no such file"),
    (["analogies", "bkg:Psychosis"], "not a mechanism the engine can compare"),
])
def test_bad_input_exits_2_with_a_clear_message(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_gaps_answers_section_6_in_words(capsys):
    """J. Harris, section 6: 'Mixture-of-experts is a step; what would the full analog require?'"""
    code, out, _ = run(capsys, "gaps", "bkg:NeuromodulatoryContextSwitching", "--top", "2")
    assert code == 0
    assert out.startswith("What would a full ANN analog of neuromodulatory context switching")
    assert "but lacks:" in out and "the nearest mechanism that has it" in out
    assert "A composite full analog:" in out


def test_gaps_json_lists_curies_labels_ic_and_donors(capsys):
    code, out, _ = run(capsys, "gaps", "bkg:NeuromodulatoryContextSwitching", "--top", "1", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    (an,) = doc["analogs"]
    assert an["lacks"] and all({"dimension", "id", "label", "ic", "donor"} <= set(r) for r in an["lacks"])
    ics = [r["ic"] for r in an["lacks"] if r["dimension"] == an["lacks"][0]["dimension"]]
    assert ics == sorted(ics, reverse=True)
    assert all(r["donor"] is None or r["donor"]["id"].startswith("bkg:") for r in an["lacks"])


def test_analogies_missing_and_score_show_the_partial_analogy(capsys):
    code, out, _ = run(capsys, "analogies", "bkg:Dropout", "--top", "2", "--missing", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert all(isinstance(r["lacks"], list) for r in rows)
    code, out, _ = run(capsys, "score", "synaptic pruning", "weight decay")
    assert code == 0 and "== partial analogy ==" in out and "but lacks:" in out
    code, out, _ = run(capsys, "score", "synaptic pruning", "weight decay", "--format", "json")
    doc = json.loads(out)
    assert {"summary", "ann_lacks", "bio_lacks"} <= set(doc["partial_analogy"])


def test_default_graph_needs_an_endpoint(capsys):
    code, _, err = run(capsys, "analogies", "synaptic pruning", "--default-graph", "urn:x")
    assert code == 2 and "--default-graph needs --endpoint" in err
