"""Issue 14, item 10: the Python API was less safe than the CLI: `KnowledgeGraph.select` fetched
SERVICE URLs and had no timeout, while `RemoteGraph.select` refused them."""
from __future__ import annotations

import pytest

from kg.errors import KGError
from regress_util import connections


def test_select_refuses_service_without_connecting(shipped_graph, misbehaving):
    url, proc = misbehaving("sink")
    for q in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
              f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}"):
        with pytest.raises(KGError, match="SERVICE is refused"):
            shipped_graph.select(q)
        with pytest.raises(KGError, match="SERVICE"):
            shipped_graph.run(q)
    assert connections(proc) == 0


def test_service_in_strings_iris_and_comments_is_not_a_false_alarm(shipped_graph):
    q = ('SELECT ?service WHERE { BIND("SERVICE <http://x> {}" AS ?text) '
         'BIND(<urn:SERVICE> AS ?service) } # SERVICE <http://y>\nLIMIT 1')
    assert len(shipped_graph.select(q)) == 1


def test_select_with_a_timeout_stops_a_runaway_query(shipped_graph):
    with pytest.raises(KGError, match="wall-clock limit"):
        shipped_graph.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r . ?c ?x ?y }", timeout=1)


def test_run_refuses_updates_and_binds_terms(shipped_graph):
    with pytest.raises(KGError, match="updates"):
        shipped_graph.run("DELETE WHERE { ?s ?p ?o }")
    res = shipped_graph.run("SELECT ?l WHERE { ?m rdfs:label ?l }",
                            {"m": "https://w3id.org/bionn-kg/SynapticPruning"})
    assert [r[0].value for r in res.rows] == ["synaptic pruning"]
    hostile = shipped_graph.run("SELECT ?m WHERE { ?m rdfs:label ?l }", {"l": '" } ?x ?y ?z { "'})
    assert hostile.rows == []


def test_allow_remote_is_explicit(shipped_graph):
    from kg.graph import KnowledgeGraph
    trusting = KnowledgeGraph(shipped_graph.store, shipped_graph.files, allow_remote=True)
    assert trusting.allow_remote and not shipped_graph.allow_remote
