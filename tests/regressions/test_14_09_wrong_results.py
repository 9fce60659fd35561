"""Issue 14, item 9: wrong results with exit 0: `release --threshold nan` wrote all 1,720 pairs as
mappings; `FROM NAMED <urn:x>` was refused with a message naming `<default>`, against the README."""
from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.sparql_safety import inspect_query
from regress_util import run_cli


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1", "1.5"])
def test_release_threshold_out_of_range_is_refused(tmp_path, value):
    out = tmp_path / "rel"
    run = run_cli("release", "--out", str(out), "--no-docs", "--threshold", value)
    assert run.clean_error(), run.err
    assert "--threshold" in run.err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_from_named_with_a_urn_is_accepted():
    info = inspect_query("SELECT * FROM NAMED <urn:x> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert info.datasets == ["urn:x"]
    run = run_cli("query", "-", stdin=b"SELECT * FROM NAMED <urn:x> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert run.code == 0, run.err


def test_from_named_with_a_fetchable_iri_names_that_iri():
    with pytest.raises(KGError, match=r"FROM <http://example.org/g>") as exc:
        inspect_query("SELECT * FROM <urn:ok> FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }")
    assert "<default>" not in str(exc.value)
