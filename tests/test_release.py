"""The Protégé release ontology/bionn-kg.owl: in sync with the sources, readable by rdflib and
owlready2 alike, deterministic, and consistent for HermiT (issue 2, items 4 and 6)."""
from __future__ import annotations

import re

import pytest

from kg.graph import load_graph
from kg.release import release_graph, release_path, release_rdfxml, version_info, write_text_atomic

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BKG = "https://w3id.org/bionn-kg/"


@pytest.fixture(scope="module")
def kg():
    return load_graph(check=False)


@pytest.fixture(scope="module")
def merged(kg):
    return release_graph(graph=kg)


@pytest.fixture(scope="module")
def checked_in():
    from rdflib import Graph

    path = release_path()
    assert path.is_file(), f"{path} is missing: run `python scripts/build_release.py`"
    return Graph().parse(path, format="xml")


def test_release_in_sync_with_sources(merged, checked_in):
    from rdflib.compare import graph_diff, isomorphic

    if not isomorphic(merged, checked_in):
        _, only_src, only_rel = graph_diff(merged, checked_in)
        sample = [t.n3() for t in list(only_src)[:3]] + [t.n3() for t in list(only_rel)[:3]]
        pytest.fail(f"ontology/bionn-kg.owl is out of sync with the sources ({len(only_src)} triples only in "
                    f"the sources, {len(only_rel)} only in the release, e.g. {sample}); "
                    f"run `python scripts/build_release.py` and commit the result")


def test_release_is_deterministic(merged):
    from rdflib import Graph

    text = release_rdfxml(merged)
    again = release_rdfxml(Graph().parse(data=text, format="xml"))
    assert text == again


def test_release_adds_only_declarations_and_keeps_version(kg, merged, checked_in):
    import pyoxigraph as ox
    from rdflib import Graph, URIRef

    src = Graph().parse(data=kg.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
                        format="nt")
    # blank nodes differ between parses: compare the ground triples only
    added = {t for t in merged if all(isinstance(x, URIRef) for x in t) and t not in src}
    # only declarations are added (none at all when the sources already declare every individual),
    # and the OBO definitions derived from skos:definition (tested below)
    iao = "http://purl.obolibrary.org/obo/IAO_0000115"
    added = {t for t in added if str(t[1]) != iao and str(t[0]) != iao}
    assert {str(p) for _, p, _ in added} <= {RDF_TYPE}
    assert {str(o) for _, _, o in added} <= {OWL + "NamedIndividual"}
    typed = {str(s) for s, _, c in src.triples((None, URIRef(RDF_TYPE), None))
             if isinstance(s, URIRef) and str(c).startswith(BKG)}
    declared = {str(s) for s in checked_in.subjects(URIRef(RDF_TYPE), URIRef(OWL + "NamedIndividual"))}
    assert typed <= declared, f"individuals without a declaration: {sorted(typed - declared)[:5]}"
    info = version_info(kg)
    assert re.search(r"/\d{4}-\d{2}-\d{2}/", info.version_iri)
    assert (URIRef(info.ontology), URIRef(OWL + "versionIRI"), URIRef(info.version_iri)) in checked_in


def test_every_definition_is_also_an_obo_definition(kg, checked_in):
    """Issue 15: OBO tools read IAO:0000115; the release derives it from skos:definition (one source of truth)."""
    from rdflib import Literal, URIRef

    skos_def = URIRef("http://www.w3.org/2004/02/skos/core#definition")
    iao = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
    pairs = {(s, o) for s, o in checked_in.subject_objects(skos_def) if isinstance(s, URIRef)}
    obo = {(s, o) for s, o in checked_in.subject_objects(iao)}
    assert len(pairs) > 100 and pairs == obo, f"{len(pairs ^ obo)} definitions differ, e.g. {sorted(pairs ^ obo)[:3]}"
    assert (iao, URIRef(RDF_TYPE), URIRef(OWL + "AnnotationProperty")) in checked_in  # stays in OWL 2 DL
    assert not kg.ask("ASK { ?e obo:IAO_0000115 ?d }"), "the sources keep skos:definition only"
    assert all(isinstance(o, Literal) and o.language == "en" for _, o in list(obo)[:50])


def test_creator_is_a_resource(checked_in):
    from rdflib import Literal, URIRef

    onto = URIRef(BKG + "bionn-kg.owl")
    creators = list(checked_in.objects(onto, URIRef("http://purl.org/dc/terms/creator")))
    assert creators and all(isinstance(c, URIRef) for c in creators), creators
    assert all(isinstance(lbl, Literal) for c in creators
               for lbl in checked_in.objects(c, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "x.owl"
    write_text_atomic(target, "<rdf:RDF/>\n")
    write_text_atomic(target, "<rdf:RDF></rdf:RDF>\n")
    assert [p.name for p in tmp_path.iterdir()] == ["x.owl"]
    assert target.read_text() == "<rdf:RDF></rdf:RDF>\n"


def test_rdflib_and_owlready2_agree_on_class_count(checked_in):
    import owlready2
    from rdflib import URIRef

    rdflib_classes = {str(c) for c in checked_in.subjects(URIRef(RDF_TYPE), URIRef(OWL + "Class"))
                      if isinstance(c, URIRef)}
    world = owlready2.World()
    onto = world.get_ontology(release_path().resolve().as_uri()).load()
    owl_classes = {c.iri for c in world.classes()}
    assert len(rdflib_classes) > 40
    assert owl_classes == rdflib_classes, (sorted(owl_classes ^ rdflib_classes)[:10])
    assert onto.base_iri.startswith(BKG)


@pytest.mark.slow
@pytest.mark.java
def test_hermit_consistent_no_unsatisfiable_class():
    import owlready2

    world = owlready2.World()
    world.get_ontology(release_path().resolve().as_uri()).load()
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        pytest.fail("HermiT finds ontology/bionn-kg.owl inconsistent; run `bionn-kg check --only reasoner` "
                    "for the entity")
    unsat = [c.iri for c in world.inconsistent_classes()]
    assert unsat == [], f"unsatisfiable classes: {unsat}"


@pytest.mark.slow
def test_release_command_writes_every_artefact(tmp_path, capsys):
    from kg.cli import main

    docs = True
    try:
        import pylode  # noqa: F401
    except ImportError:
        docs = False
    code = main(["release", "--out", str(tmp_path), *([] if docs else ["--no-docs"])])
    assert code == 0, capsys.readouterr().err
    for rel in ("bionn-kg.owl", "bionn-kg.ttl", "mappings/bionn-kg.sssom.tsv") + (("docs/index.html",) if docs else ()):
        assert (tmp_path / rel).is_file() and (tmp_path / rel).stat().st_size > 1000, rel
    assert (tmp_path / "bionn-kg.owl").read_text() == release_path().read_text(), \
        "the release command and scripts/build_release.py must write the same RDF/XML"
    if docs:
        html = (tmp_path / "docs" / "index.html").read_text()
        assert "bionn-kg: BioNN-ANN equivalence ontology" in html and "synaptic" in html.lower()
        # issue 15: the individuals are documented, and each class section links to them
        assert 'href="individuals/SynapticPruning.html"' in html
        ids = set(re.findall(r'id="([^"]+)"', html))
        index = (tmp_path / "docs" / "individuals" / "index.html").read_text()
        targets = re.findall(r'href="\.\./index\.html#([^"]*)"', index)
        assert targets and set(targets) <= ids, f"class links without a pyLODE section: {set(targets) - ids}"
        rows = html.count('class="bionn-kg-individuals"')
        assert rows == len(targets), "every class with individuals gets a row in its pyLODE section"


def test_individual_pages(kg, tmp_path):
    """Issue 15: pyLODE documents classes and properties only; every individual gets its own page."""
    from kg.quality.docs import page_name, write_individual_pages

    written = write_individual_pages(kg, tmp_path)
    members = {r["entity"] for r in kg.select_named("release/doc_individuals")}
    assert len(written) == len(members) + 1 and len(members) > 500
    assert {p.name for p in written[1:]} == {page_name(m) for m in members}, "one page per individual"
    page = (tmp_path / "individuals" / "SynapticPruning.html").read_text()
    assert "<h1>synaptic pruning</h1>" in page and "engulfed by microglia" in page
    assert 'href="WeightDecay.html"' in page, "related individuals link to their pages"
    assert "Equivalence Framework" in page, "the source is named"
    assert 'href="http://purl.obolibrary.org/obo/GO_0098883">GO:0098883' in page
    assert 'href="../index.html#plasticitymechanism"' in page, "the type links to its class section"
    index = (tmp_path / "individuals" / "index.html").read_text()
    assert index.count("<li>") == sum(1 for _ in kg.select_named("release/doc_individuals"))


def test_release_help_names_the_threshold_value(capsys):
    """Regression (issue 15): `release --help` named a constant (DEFAULT_THRESHOLD) instead of its value."""
    from kg.cli import main
    from kg.quality.sssom import DEFAULT_THRESHOLD

    main(["release", "--help"])
    out = capsys.readouterr().out
    assert f"(default: {DEFAULT_THRESHOLD:g})" in " ".join(out.split()) and "DEFAULT_THRESHOLD" not in out
