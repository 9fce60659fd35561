"""Issue 14, item 6: `check` was quadratic in the length of a literal (a 3 MB label took 26 s, 30 MB more
than 10 min): the release graph was dumped to N-Triples and re-read by rdflib's line reader, and HermiT
is superlinear in a literal's length. Now the terms are converted directly, the reasoner sees annotation
literals cut to 4 KB (they carry no logic), and a single term over the parser's 16 MB cap is a clean
error. Times are measured by scripts/measure_literal_length.py, not asserted here."""
from __future__ import annotations

import pytest
import rdflib

from kg.graph import load_graph
from kg.release import shorten_annotations, release_graph
from regress_util import run_cli

BIG = "ab " * 1_000_000  # 3 MB


def _label_file(tmp_path, text, name="big.ttl"):
    f = tmp_path / name
    f.write_text('@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                 f'<https://w3id.org/bionn-kg/Big> rdfs:label "{text}" ;\n'
                 f'  <https://w3id.org/bionn-kg/someValue> "{text}" .\n')
    return f


def test_release_graph_does_not_reparse_ntriples_and_keeps_the_literal(tmp_path, monkeypatch):
    kg = load_graph([_label_file(tmp_path, BIG)], base=False, check=False)

    def no_parse(*a, **k):
        raise AssertionError("the release graph must not go through rdflib's N-Triples reader")
    monkeypatch.setattr(rdflib.Graph, "parse", no_parse)
    g = release_graph(graph=kg)
    labels = list(g.objects(rdflib.URIRef("https://w3id.org/bionn-kg/Big"), rdflib.RDFS.label))
    assert [str(x) for x in labels] == [BIG]


def test_reasoner_input_cuts_long_annotations_only(tmp_path):
    kg = load_graph([_label_file(tmp_path, BIG)], base=False, check=False)
    g = release_graph(graph=kg)
    short = shorten_annotations(g)
    big = rdflib.URIRef("https://w3id.org/bionn-kg/Big")
    assert len(str(short.value(big, rdflib.RDFS.label))) < 5000
    assert str(short.value(big, rdflib.URIRef("https://w3id.org/bionn-kg/someValue"))) == BIG  # not an annotation
    small = release_graph(graph=load_graph([_label_file(tmp_path, "short", "small.ttl")], base=False, check=False))
    assert shorten_annotations(small) is small


def test_a_literal_over_the_parser_cap_is_a_clean_error(tmp_path):
    f = _label_file(tmp_path, "x" * 17_000_000, "huge.ttl")
    run = run_cli("check", "--only", "qc", "--extra", str(f))
    assert run.clean_error(), run.err
    assert "longer than the parser's limit" in run.err


@pytest.mark.slow
def test_check_with_a_3mb_label_runs_every_gate(tmp_path):
    run = run_cli("check", "--extra", str(_label_file(tmp_path, BIG)), timeout=300)
    assert run.code in (0, 1), run.err
    assert "gates: qc, shacl, reasoner, profile" in run.out
