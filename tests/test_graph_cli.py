"""info, show and search on the shipped graph and with --extra; malformed and contradictory input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "homeostatic_scaling.ttl"


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_info_counts_and_header(capsys):
    code, out, _ = run(capsys, "info", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["ontology"]["ontology"] == "https://w3id.org/bionn-kg/bionn-kg.owl"
    assert "/releases/" in doc["ontology"]["version"]
    counts = {r["class"]: r["total"] for r in doc["individuals_per_class"]}
    assert counts["bkg:BiologicalMechanism"] >= 40 and counts["bkg:ANNMechanism"] >= 40
    assert counts["bkg:DrugClass"] == 6


@pytest.mark.parametrize("ident", ["bkg:SynapticPruning", "https://w3id.org/bionn-kg/SynapticPruning",
                                   "synaptic pruning", "Synaptic Pruning"])
def test_show_accepts_curie_iri_and_label(capsys, ident):
    code, out, _ = run(capsys, "show", ident, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["entity"]["id"] == "bkg:SynapticPruning"
    assert doc["entity"]["definition"] and doc["provenance"]
    assert any(r["property"] == "has structural feature" for r in doc["relations"])


def test_search_finds_synonyms_and_extra(capsys):
    code, out, _ = run(capsys, "search", "SNN", "--format", "json")
    assert code == 0 and any(r["id"] == "bkg:SpikingNeuralNetwork" for r in json.loads(out))
    code, out, _ = run(capsys, "search", "homeostatic", "--extra", str(EXAMPLE), "--format", "json")
    assert json.loads(out)[0]["id"] == "bkg:HomeostaticSynapticScaling"  # then its causal steps


def test_malformed_extra_names_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix bkg: <https://w3id.org/bionn-kg/> .\nbkg:a a bkg:B .\nbkg:x bkg:y "oops .\n')
    code, _, err = run(capsys, "info", "--extra", str(bad))
    assert code == 2 and f"{bad}:3" in err and "Traceback" not in err


def test_extra_in_two_disjoint_classes_names_the_entity(capsys, tmp_path):
    bad = tmp_path / "chimera.ttl"
    bad.write_text("@prefix bkg: <https://w3id.org/bionn-kg/> .\n"
                   "bkg:Chimera a bkg:PlasticityMechanism , bkg:RegularisationTechnique .\n")
    code, _, err = run(capsys, "show", "bkg:SynapticPruning", "--extra", str(bad))
    assert code == 2 and "bkg:Chimera" in err and "disjoint" in err


def test_unknown_id_suggests_closest_labels(capsys):
    code, _, err = run(capsys, "show", "long term potentiaton")
    assert code == 2 and "bkg:LongTermPotentiation" in err
