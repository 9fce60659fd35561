"""Issue 14, item 1: an entity-expansion bomb in RDF/XML ("billion laughs") took 11.9 GB before it was
killed. Entities are now checked before any parser sees the file: nested, parameter and external
entities are refused, and plain ones (as Protege writes) are bounded in total expansion."""
from __future__ import annotations

import pytest

from regress_util import run_cli_measured
from kg.errors import InputFileError
from kg.graph import load_graph

RDF = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
       'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
       '<rdf:Description rdf:about="https://w3id.org/bionn-kg/X"><rdfs:label>{body}</rdfs:label>'
       '</rdf:Description>\n</rdf:RDF>\n')


def billion_laughs(levels: int = 9) -> str:
    ents = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">'
                                     for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(ents) + "\n]>\n"
            + RDF.format(body=f"&e{levels};"))


def test_billion_laughs_is_refused_before_parsing_with_little_memory(tmp_path):
    bomb = tmp_path / "bomb.owl"
    bomb.write_text(billion_laughs())
    assert bomb.stat().st_size < 1500
    run = run_cli_measured("info", "--extra", str(bomb), timeout=60)
    assert run.clean_error(), run.err
    assert "bomb.owl:4" in run.err and "nested" in run.err
    assert run.max_rss_mb < 600, f"peak RSS {run.max_rss_mb:.0f} MB"


@pytest.mark.parametrize("dtd,why", [
    ('<!ENTITY % p "x">', "parameter entity"),
    ('<!ENTITY ext SYSTEM "file:///etc/passwd">', "external entity"),
    ('<!ELEMENT rdf:RDF ANY>', "only plain"),
])
def test_other_dtd_declarations_are_refused(tmp_path, dtd, why):
    f = tmp_path / "dtd.rdf"
    f.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{dtd}\n]>\n' + RDF.format(body="x"))
    with pytest.raises(InputFileError, match=why):
        load_graph([f], base=False)


def test_external_dtd_is_refused(tmp_path):
    f = tmp_path / "ext.rdf"
    f.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "http://example.org/x.dtd">\n'
                 + RDF.format(body="x"))
    with pytest.raises(InputFileError, match="external DTD"):
        load_graph([f], base=False)


def test_plain_entities_as_protege_writes_them_still_load(tmp_path):
    f = tmp_path / "protege.owl"
    f.write_text('<?xml version="1.0"?>\n<!-- saved by Protege -->\n<!DOCTYPE rdf:RDF [\n'
                 '    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
                 '    <!ENTITY bkg "https://w3id.org/bionn-kg/" >\n]>\n'
                 + RDF.format(body="a &amp; b").replace('rdf:about="https://w3id.org/bionn-kg/X"',
                                                        'rdf:about="&bkg;X"'))
    g = load_graph([f], base=False)
    assert g.select("SELECT ?l WHERE { bkg:X rdfs:label ?l }") == [{"l": "a & b"}]


def test_flat_entities_are_bounded_in_total_expansion(tmp_path, monkeypatch):
    f = tmp_path / "flat.rdf"
    f.write_text('<!DOCTYPE rdf:RDF [<!ENTITY a "' + "x" * 1000 + '">]>\n' + RDF.format(body="&a;" * 2000))
    with pytest.raises(InputFileError, match="expand to more than"):
        load_graph([f], base=False)
    monkeypatch.setenv("BIONN_KG_MAX_ENTITY_EXPANSION", "3000000")  # documented way to raise the limit
    g = load_graph([f], base=False)
    assert len(g.select("SELECT ?l WHERE { ?s rdfs:label ?l }")[0]["l"]) == 2_000_000


def test_check_refuses_the_bomb_too(tmp_path):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(billion_laughs())
    run = run_cli_measured("check", "--only", "qc", "--extra", str(bomb), timeout=60)
    assert run.clean_error(), run.err


def _nested_dtd(keyword: str = "DOCTYPE") -> str:
    return f'<!{keyword} rdf:RDF [\n<!ENTITY a "aaaa">\n<!ENTITY b "&a;&a;">\n]>\n'


@pytest.mark.parametrize("where", ["after a 2 MB comment", "after the root start tag", "as <!DocType"])
def test_a_dtd_anywhere_in_the_file_is_checked(tmp_path, where):
    """The RDF/XML parser accepts a DOCTYPE after a long comment, after the root's start tag, and in
    any letter case: a check of the prolog's first MiB alone was bypassed."""
    body = RDF.format(body="&b;")
    if where == "after a 2 MB comment":
        text = '<?xml version="1.0"?>\n<!--' + "x" * 2_000_000 + "-->\n" + _nested_dtd() + body
    elif where == "after the root start tag":
        first, rest = body.split("\n", 1)
        text = '<?xml version="1.0"?>\n' + first + "\n" + _nested_dtd() + rest
    else:
        text = '<?xml version="1.0"?>\n' + _nested_dtd("DocType") + body
    f = tmp_path / "hidden.owl"
    f.write_text(text)
    with pytest.raises(InputFileError, match="refers to other entities"):
        load_graph([f], base=False)


def test_an_entity_declaration_outside_a_doctype_is_refused(tmp_path):
    f = tmp_path / "stray.owl"
    f.write_text('<?xml version="1.0"?>\n' + RDF.format(body='<!ENTITY a "x">'))
    with pytest.raises(InputFileError, match="outside a DOCTYPE"):
        load_graph([f], base=False)
