"""Term alignment (kg.engine.alignment): normalised labels, the engine hook, check and search."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.engine.alignment import align_terms, normalise, token_score

BKG = "https://w3id.org/bionn-kg/"
EXTRA = """@prefix bkg: <https://w3id.org/bionn-kg/> . @prefix ex: <https://example.org/w/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:deadUnit a bkg:FailureCharacteristic ; rdfs:label "Dead-unit"@en ; skos:definition "Units stop responding."@en .
ex:decorrA a bkg:FunctionalRole ; rdfs:label "decorrelation"@en ; skos:definition "Making signals independent."@en .
ex:decorrB a bkg:FunctionalRole ; rdfs:label "Decorrelations"@en ; skos:definition "Removing shared variance."@en .
ex:relu a bkg:ANNMechanism ; rdfs:label "rectifier that dies"@en ; bkg:hasFailureMode ex:fm .
ex:fm a bkg:ANNFailureMode ; rdfs:label "dying rectifier"@en ; bkg:hasFailureCharacteristic ex:deadUnit .
ex:relu2 a bkg:ANNMechanism ; rdfs:label "rectifier that dies, in shipped terms"@en ; bkg:hasFailureMode ex:fm2 .
ex:fm2 a bkg:ANNFailureMode ; rdfs:label "dying rectifier, shipped term"@en ; bkg:hasFailureCharacteristic bkg:fc_deadUnits .
"""


@pytest.mark.parametrize("a, b", [
    ("Normalisation", "normalization"), ("dead units", "Dead-unit"), ("behaviour", "behavior"),
    ("receptive field growing with depth", "depth, growing with receptive fields"), ("centre", "center"),
    ("Analysed signals", "analyzed signal"), ("forgetting of old knowledge", "old knowledge forgetting"),
])
def test_normalise_sets_aside_case_plural_spelling_hyphens_order(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("a, b", [("noise", "noize"), ("gating", "gate"), ("synapse", "synapses pruned")])
def test_normalise_keeps_different_words_apart(a, b):
    assert normalise(a) != normalise(b)


def test_align_terms_prefers_the_existing_term_and_chains_new_terms():
    rows = [{"term": "old", "kind": "F", "label": "normalisation"},
            {"term": "n1", "kind": "F", "label": "Normalization"},
            {"term": "n2", "kind": "F", "label": "normalizations"},
            {"term": "n3", "kind": "S", "label": "normalization"},   # another kind: never aligned
            {"term": "old2", "kind": "F", "label": "Normalisation"}]  # two old terms: left as they are
    al = {a.term: a.canonical for a in align_terms(rows, {"n1", "n2", "n3"})}
    assert al == {"n1": "old", "n2": "old"}


def test_token_score():
    assert token_score("dead unit", "dead units") == 1.0
    assert token_score("unit death", "dead units") == pytest.approx(1 / 3)


@pytest.fixture()
def extra(tmp_path):
    p = tmp_path / "w.ttl"
    p.write_text(EXTRA)
    return p


def test_engine_reads_the_new_term_as_the_existing_one(extra):
    from kg.engine import Engine
    from kg.graph import load_graph
    eng = Engine(load_graph([extra]))
    assert "https://example.org/w/deadUnit" not in eng.features.spaces["M"].terms
    b = eng.features.bio[0]
    # the mechanism described with the coined term scores exactly like the one using the shipped term
    s1, s2 = eng.pair(b, "https://example.org/w/relu"), eng.pair(b, "https://example.org/w/relu2")
    for d in ("M", "BMA_M", "P_M"):
        assert s1[d] == pytest.approx(s2[d], nan_ok=True)


def test_nothing_aligns_without_extra_files(engine):
    from kg.engine.alignment import term_alignment
    assert term_alignment(engine.graph) == []


def test_check_warns_new_term_duplicates_existing(extra):
    from kg.quality.gate import run_gates
    before = extra.read_text()
    res = run_gates([extra], gates=("qc",))
    dup = {f.entity: f.message for f in res.findings if f.check == "duplicate_term"}
    assert "new term https://example.org/w/deadUnit duplicates bkg:fc_deadUnits: reuse it" in \
        dup["https://example.org/w/deadUnit"]
    assert "duplicates https://example.org/w/decorrA" in dup["https://example.org/w/decorrB"]
    assert all(f.level == "WARN" for f in res.findings if f.check == "duplicate_term")
    assert extra.read_text() == before  # nothing written into the user's file


def test_search_ranks_the_vocabulary_term_to_reuse():
    from kg.cli import cli
    out = CliRunner().invoke(cli, ["search", "dead unit", "--format", "json"]).output
    rows = json.loads(out)
    assert rows[0]["id"] == "bkg:fc_deadUnits" and rows[0]["score"] == 1.0
    out = CliRunner().invoke(cli, ["search", "normalization", "--format", "json"]).output
    assert json.loads(out)[0]["id"] == "bkg:cp_normalisation"  # British spelling found from American
