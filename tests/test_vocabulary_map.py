"""The vocabulary map of docs/model.md (scripts/vocabulary_map.py): the generated block is what the script
renders from the current graph, and the rendering (properties, classes, hierarchies) is right on a tiny graph."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import vocabulary_map  # noqa: E402
from readme_block import find_block  # noqa: E402

TINY = """\
@prefix bkg: <https://w3id.org/bionn-kg/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
bkg:ANNMechanism rdfs:subClassOf bkg:Mechanism ; rdfs:label "ANN mechanism" .
bkg:TrainingProcedure rdfs:subClassOf bkg:ANNMechanism ; rdfs:label "training procedure" ;
    skos:definition "How training is organised." .
bkg:CausalRelationType rdfs:label "causal relation type" .
bkg:stepRelation a owl:ObjectProperty , owl:FunctionalProperty ; rdfs:label "step relation" ;
    rdfs:domain bkg:CausalStep ; rdfs:range bkg:CausalRelationType ; skos:definition "The relation of a step." .
bkg:actsOn a owl:ObjectProperty ; rdfs:label "acts on" ; rdfs:domain bkg:CausalStep ; rdfs:range bkg:Participant .
bkg:r_selects a bkg:CausalRelationType ; rdfs:label "selects" .
bkg:r_decreases a bkg:CausalRelationType ; rdfs:label "decreases" .
bkg:r_samples a bkg:CausalRelationType ; rdfs:label "samples" ; skos:broader bkg:r_selects .
bkg:r_gates a bkg:CausalRelationType ; rdfs:label "gates" ; skos:broader bkg:r_selects , bkg:r_decreases .
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from kg.graph import load_graph
    f = tmp_path_factory.mktemp("vocab") / "tiny.ttl"
    f.write_text(TINY)
    return vocabulary_map.render(load_graph([f], base=False, check=False))


def test_block_in_docs_is_current(shipped_graph):
    page, current = find_block(vocabulary_map.BLOCK)
    assert page == vocabulary_map.DOC
    assert current == vocabulary_map.render(shipped_graph), \
        "docs/model.md's vocabulary map is out of date: run `python scripts/vocabulary_map.py --doc`"


def test_properties_say_how_many_values(tiny):
    assert ("| a causal step | `bkg:stepRelation` step relation | causal relation type | one | "
            "The relation of a step. |") in tiny
    assert "| a causal step | `bkg:actsOn` acts on | Participant | one or more |  |" in tiny
    # steps come before failure modes, mechanisms first; nothing here has a FailureMode domain
    assert tiny.index("stepRelation") < tiny.index("#### Mechanism classes")


def test_classes_nest_under_their_domain(tiny):
    assert "- `bkg:ANNMechanism` ANN mechanism\n  - `bkg:TrainingProcedure` training procedure: How training is " \
           "organised." in tiny


def test_hierarchy_families_and_a_term_under_both_parents(tiny):
    assert "##### Causal relation types (C): values of `bkg:stepRelation`; 4 terms, 2 at the top" in tiny
    assert "| `bkg:r_decreases` decreases | gates |" in tiny
    assert "| `bkg:r_selects` selects | gates; samples |" in tiny
    tree = tiny[tiny.index("<summary>All 4 causal relation types"):]
    assert ("- `bkg:r_decreases` decreases\n  - `bkg:r_gates` gates (also under selects)\n"
            "- `bkg:r_selects` selects\n  - `bkg:r_gates` gates (also under decreases)\n"
            "  - `bkg:r_samples` samples\n") in tree
    # kinds without terms get no section
    assert "Structural features" not in tiny


def test_a_broader_cycle_does_not_loop(tmp_path):
    from kg.graph import load_graph
    f = tmp_path / "cycle.ttl"
    f.write_text(TINY + "bkg:r_selects skos:broader bkg:r_samples .\n")
    md = vocabulary_map.render(load_graph([f], base=False, check=False))
    assert "`bkg:r_decreases` decreases" in md  # rendered, finitely
