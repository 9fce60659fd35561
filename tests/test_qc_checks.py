"""Every ROBOT-style SPARQL check in queries/qc/ has a fixture that must trigger it and one that must
not, run as data (as pySHACL's test suite does), in both Oxigraph (what `bionn-kg check` uses) and
rdflib (rdflib issue #2332: VALUES + OPTIONAL can silently return no rows, so a check that "passes" in
one engine must be seen to fire in both)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import load_graph
from kg.quality.qc import list_checks, run_check

FIXTURES = Path(__file__).parent / "fixtures" / "qc"
CHECKS = {c.name: c for c in list_checks()}
CASES = [(name, kind) for name in sorted(CHECKS) for kind in ("bad", "good")]


def _fixture(name: str, kind: str) -> Path:
    path = FIXTURES / f"{name}_{kind}.ttl"
    assert path.is_file(), f"queries/qc/{name}.rq needs the fixture {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
    return path


def test_every_check_is_well_formed():
    assert len(CHECKS) >= 15
    for name, check in CHECKS.items():
        assert check.level in ("ERROR", "WARN", "INFO"), name
        assert check.description and check.fix, f"{name}: needs '# description:' and '# fix:' headers"
        text = check.query.text
        assert "SELECT" in text and "?entity ?property ?value" in text, f"{name}: must SELECT ?entity ?property ?value"
        assert "OPTIONAL" not in text.upper().replace("# ", ""), f"{name}: use FILTER NOT EXISTS, not OPTIONAL (#2332)"


@pytest.mark.parametrize("name,kind", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_check_on_fixture_oxigraph(name, kind):
    kg = load_graph([_fixture(name, kind)], base=False, check=False)
    found = run_check(kg, CHECKS[name])
    if kind == "bad":
        assert found, f"{name} did not fire on {name}_bad.ttl"
        assert all(f.check == name and f.level == CHECKS[name].level and f.fix for f in found)
        assert all(f.entity for f in found), "every finding names its entity"
    else:
        assert found == [], f"{name} fired on {name}_good.ttl: {found}"


@pytest.mark.parametrize("name,kind", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_check_on_fixture_rdflib(name, kind):
    from rdflib import Graph

    g = Graph().parse(_fixture(name, kind), format="turtle")
    rows = list(g.query(CHECKS[name].query.text))
    if kind == "bad":
        assert rows, f"{name} fires in Oxigraph but returns no rows in rdflib on {name}_bad.ttl"
    else:
        assert rows == [], f"{name} fired in rdflib on {name}_good.ttl: {rows}"


def test_fixture_files_all_belong_to_a_check():
    stray = sorted(p.name for p in FIXTURES.glob("*.ttl")
                   if p.stem.rsplit("_", 1)[0] not in CHECKS or p.stem.rsplit("_", 1)[1] not in ("bad", "good"))
    assert stray == [], f"fixtures without a check: {stray}"
