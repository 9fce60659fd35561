"""KnowledgeGraph.select_columns (SPARQL TSV read column by column) gives select_named's values."""
from __future__ import annotations

import math

import pyoxigraph as ox
import pytest

from kg.graph import KnowledgeGraph, _tsv_columns
from kg.queries import list_queries, load_query

X = "http://www.w3.org/2001/XMLSchema#"
# every kind of cell the TSV writer produces: IRIs, bare numbers and booleans, escaped and tagged strings,
# typed literals the fast reader leaves to the Turtle parser, unbound cells and blank nodes
VALUES = ['1', f'"-2"^^<{X}integer>', '2.5', '1e3', 'true', 'false', r'"x\ty\\\"z"@en', '"é"', '<http://x/é>',
          f'"5"^^<{X}int>', f'"s"^^<{X}string>', '""', 'UNDEF', r'"a\nb"', f'"1.50"^^<{X}decimal>',
          f'"2"^^<{X}decimal>', '"x"@en-GB', r'"\u00e9\r"', '"1"^^<http://ex/dt>', r'"q\"uote"',
          f'"2000-01-01"^^<{X}date>', '"\\t"']


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def test_tsv_columns_convert_every_kind_of_cell_as_the_terms_do():
    store = ox.Store()
    g = KnowledgeGraph(store, [])
    q = "SELECT ?a ?c WHERE { VALUES ?a { %s } BIND(STR(?a) AS ?c) }" % " ".join(VALUES)
    ref = g.select(q)
    names, cols = _tsv_columns(store.query(q).serialize(format=ox.QueryResultsFormat.TSV))
    assert names == ["a", "c"]
    assert len(cols[0]) == len(ref) == len(VALUES)
    for r, a, c in zip(ref, *cols):
        assert _same(r["a"], a) and _same(r["c"], c), (r, a, c)


def test_tsv_columns_of_no_rows_and_of_blank_nodes():
    store = ox.Store()
    names, cols = _tsv_columns(store.query("SELECT ?a ?b WHERE { FILTER(false) }").serialize(
        format=ox.QueryResultsFormat.TSV))
    assert names == ["a", "b"] and cols == [[], []]
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://x/p"), ox.Literal("v")))
    names, cols = _tsv_columns(store.query("SELECT ?s WHERE { ?s ?p ?o }").serialize(
        format=ox.QueryResultsFormat.TSV))
    assert cols == [["_:b1"]]


@pytest.mark.parametrize("name", [q.name for q in list_queries(include_internal=True)
                                  if q.name.startswith("features/")])
def test_select_columns_equal_select_named_on_the_feature_queries(shipped_graph, name):
    rows = shipped_graph.select_named(name)
    names, cols = shipped_graph.select_columns(name)
    assert rows and sorted(names) == sorted(rows[0])
    got = [dict(zip(names, r)) for r in zip(*cols)]
    body = "\n".join(line for line in load_query(name).text.splitlines() if not line.lstrip().startswith("#"))
    if "ORDER BY" not in body:  # the store's order of an unordered result may vary (headers may name ORDER BY)
        got, rows = sorted(got, key=repr), sorted(rows, key=repr)
    assert got == rows
