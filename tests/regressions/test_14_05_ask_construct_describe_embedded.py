"""Issue 14, item 5: `echo 'ASK {?s ?p ?o}' | bionn-kg query -` failed with "'pyoxigraph.QueryBoolean'
object is not iterable"; CONSTRUCT and DESCRIBE get the same check."""
from __future__ import annotations

import json

import pytest

from regress_util import run_cli


@pytest.mark.parametrize("text,expected", [("ASK { ?s ?p ?o }", True),
                                           ("ASK { bkg:NoSuchThing ?p ?o }", False)])
def test_ask_on_the_embedded_store(text, expected):
    run = run_cli("query", "-", "--format", "json", stdin=text.encode())
    assert run.code == 0, run.err
    assert json.loads(run.out) == [{"ask": expected}]


def test_construct_on_the_embedded_store():
    q = "CONSTRUCT { ?m rdfs:label ?l } WHERE { bkg:SynapticPruning rdfs:label ?l . BIND(bkg:SynapticPruning AS ?m) }"
    run = run_cli("query", "-", "--format", "json", stdin=q.encode())
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert rows == [{"subject": "bkg:SynapticPruning",  # CURIEs in JSON (docs/json-output.md)
                     "predicate": "rdfs:label", "object": "synaptic pruning"}]


def test_describe_on_the_embedded_store():
    run = run_cli("query", "-", "--format", "json", stdin=b"DESCRIBE bkg:SynapticPruning")
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert rows and all(r["subject"] == "bkg:SynapticPruning" for r in rows)
    assert {"predicate": "rdfs:label"}.items() <= \
        next(r for r in rows if r["object"] == "synaptic pruning").items()


def test_python_api_ask(shipped_graph):
    assert shipped_graph.ask("ASK { ?s ?p ?o }") is True
    res = shipped_graph.run("ASK { ?s ?p ?o }")
    assert res.form == "ask" and res.rows[0][0].value == "true"
