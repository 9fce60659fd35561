"""Issue 14, fuzz pass (hypothesis) over the loaders and the query checker.

Properties: every input either loads/parses or raises :class:`kg.errors.KGError` (never another
exception, so the CLI never shows a traceback); the cheap lexical SERVICE test never misses a SERVICE
the parser finds; a bound query still parses as the same form; the entity check refuses every nested
entity. The suite runs a small budget; ``BIONN_KG_FUZZ_EXAMPLES=2000`` runs the long pass.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KGError

EXAMPLES = int(os.environ.get("BIONN_KG_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 25, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

SPARQL_TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", ".", ";", ",", "*", "?s", "?p",
    "?o", "$x", "?service", "SERVICE", "service", "SILENT", "<http://example.org/a>", "<urn:x>", "FROM",
    "NAMED", "GRAPH", "OPTIONAL", "UNION", "FILTER", "BIND", "AS", "VALUES", "UNDEF", "LIMIT", "10",
    "ORDER", "BY", "DESC", "COUNT", "GROUP", "PREFIX", "ex:", "ex:a", "bkg:SynapticPruning", "rdfs:label",
    "a", '"text"', "'x'", '"""long"""', '"SERVICE <http://x> {}"', "# SERVICE <http://c>\n", "\n",
    "INSERT", "DELETE", "DATA", "LOAD", "CLEAR", "ALL", "1.5e3", "true", "@en", "^^xsd:string", "<", ">",
    "\\", '"', "'", "#", "%", "&", "\x00", "é", "FROM <http://example.org/g>", "FROM NAMED <urn:g>",
]


def sparqlish():
    piece = st.one_of(st.sampled_from(SPARQL_TOKENS), st.text(max_size=6))
    return st.lists(piece, max_size=40).map(" ".join)


def well_formed_queries():
    """Valid queries with a SERVICE somewhere (or not), to test the lexical check against the parser."""
    pattern = st.sampled_from(["?s ?p ?o", "?s rdfs:label ?o", "?s a ?o", "?s <urn:p> \"SERVICE\""])
    service = st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT"])
    iri = st.sampled_from(["<http://example.org/sparql>", "<urn:svc>", "?svc"])

    @st.composite
    def build(draw):
        p = draw(pattern)
        body = p
        if draw(st.booleans()):
            body = f"{p} . {draw(service)} {draw(iri)} {{ {p} }}"
        if draw(st.booleans()):
            body = f"{{ {body} }} UNION {{ {p} }}"
        comment = draw(st.sampled_from(["", "# SERVICE <http://x>\n", "# just a comment\n"]))
        form = draw(st.sampled_from(["SELECT * WHERE", "ASK", "CONSTRUCT { ?s ?p ?o } WHERE"]))
        return f"{comment}{form} {{ {body} }}"
    return build()


@FUZZ
@given(sparqlish())
def test_inspect_query_never_raises_anything_but_kgerror(text):
    from kg.sparql_safety import add_missing_prefixes, inspect_query, mentions_service
    mentions_service(text)
    try:
        text2, _ = add_missing_prefixes(text)
        inspect_query(text2)
    except KGError:
        pass


@FUZZ
@given(well_formed_queries())
def test_lexical_service_check_never_misses_what_the_parser_finds(text):
    from kg.sparql_safety import add_missing_prefixes, inspect_query, mentions_service
    text, _ = add_missing_prefixes(text)
    info = inspect_query(text, allow_remote=True)
    if info.services:
        assert mentions_service(text), text


@FUZZ
@given(well_formed_queries(), st.text(max_size=30), st.sampled_from(["any", "iri", "integer", "double"]))
def test_bound_query_still_parses_as_the_same_form(text, value, kind):
    from kg.sparql_safety import add_missing_prefixes, bind_values, inspect_query, parse_param
    text, _ = add_missing_prefixes(text)
    info = inspect_query(text, allow_remote=True)
    try:
        term = parse_param("s", value, kind)
    except KGError:
        return
    bound = bind_values(text, info.form, {"s": str(term)})
    assert inspect_query(bound, allow_remote=True).form == info.form


TURTLE_TOKENS = ["@prefix", "bkg:", "<https://w3id.org/bionn-kg/>", ".", ";", ",", "bkg:A", "bkg:B", "a",
                 "rdfs:label", '"x"', '"""y"""', "'z'", "@en", "^^", "xsd:int", "1", "-2.5e3", "true", "[",
                 "]", "(", ")", "_:b", "<urn:x>", "<", ">", "\\u0041", "\\", '"', "#", "\n", "\x00", "é"]
XML_PIECES = ['<?xml version="1.0"?>', "<!DOCTYPE rdf:RDF [", "]>", '<!ENTITY a "x">', '<!ENTITY b "&a;&a;">',
              '<!ENTITY % p "y">', '<!ENTITY e SYSTEM "file:///etc/passwd">', "<!-- c -->", "&a;", "&b;", "&e;",
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
              'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">', "</rdf:RDF>",
              '<rdf:Description rdf:about="urn:x">', "</rdf:Description>", "<rdfs:label>", "</rdfs:label>",
              "text", "<", ">", "&", "]]>", "<![CDATA[", "\n", "\x00", "\ufeff"]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(TURTLE_TOKENS), st.text(max_size=5)), max_size=40).map(" ".join),
       st.sampled_from([".ttl", ".nt"]))
def test_turtle_and_ntriples_loader_only_raises_kgerror(fuzz_dir, text, suffix):
    from kg.graph import load_graph
    f = fuzz_dir / f"f{suffix}"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_graph([f], base=False)
    except KGError:
        pass


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(XML_PIECES), st.text(max_size=5)), max_size=30).map("".join))
def test_rdfxml_loader_only_raises_kgerror(fuzz_dir, text):
    from kg.graph import load_graph
    f = fuzz_dir / "f.owl"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_graph([f], base=False)
    except KGError:
        pass


@FUZZ
@given(st.integers(min_value=1, max_value=6), st.integers(min_value=2, max_value=20))
def test_every_nested_entity_is_refused(fuzz_dir, depth, fanout):
    from kg.graph import check_xml_entities
    ents = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * fanout}">'
                                     for i in range(1, depth + 1)]
    f = fuzz_dir / "nested.rdf"
    f.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(ents) + "\n]>\n<rdf:RDF/>\n")
    with pytest.raises(KGError, match="refers to other entities"):
        check_xml_entities(f)


@FUZZ
@given(st.binary(max_size=200))
def test_query_text_decoding_only_raises_kgerror(tmp_path_factory, data):
    from kg.cli.query_cmds import _read_query
    f = tmp_path_factory.getbasetemp() / "fuzz-query.txt"
    f.write_bytes(data)
    try:
        _read_query(str(f))
    except KGError:
        pass


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { VALUES ?s { "0"^^<http://www.w3.org/2001/XMLSchema#integer> } ?s ?p ?o . '
    'SERVICE <http://example.org/sparql> { ?s ?p ?o } }',
    'SELECT * WHERE { VALUES ?s { "#" } ?s ?p ?o . SERVICE <http://example.org/sparql> { ?s ?p ?o } }',
])
def test_found_by_fuzzing_hash_before_service(text):
    """rdflib's parser rejects these valid queries (a '#' in an IRI or string before SERVICE): a bound
    numeric parameter made a federated query unrunnable, and the refusal named a syntax error, not SERVICE."""
    from kg.sparql_safety import inspect_query
    assert inspect_query(text, allow_remote=True).services == ["http://example.org/sparql"]
    with pytest.raises(KGError, match="SERVICE <http://example.org/sparql> is refused"):
        inspect_query(text)
