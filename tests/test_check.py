"""`bionn-kg check`: the exit-code contract (0 clean, 1 findings at or above --fail-on, 2 error), the
report formats, and bad input (a file that does not parse, an --extra that makes the ontology
inconsistent, a SHACL violation) reported with entity, rule and fix, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.quality.qc import list_checks

FIX = Path(__file__).parent / "fixtures"
CHECKS = {c.name: c for c in list_checks()}


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_bad_qc_fixture_fails_the_gate_next_to_the_shipped_graph(capsys, name):
    level = CHECKS[name].level
    code, out, err = run(capsys, "--only", "qc", "--qc-check", name, "--fail-on", level, "--format", "json",
                         "--extra", str(FIX / "qc" / f"{name}_bad.ttl"))
    rows = json.loads(out)
    assert code == 1, err
    assert rows and all(r["check"] == name and r["level"] == level for r in rows)
    assert all(r["entity"] and r["message"] and r["fix"] for r in rows)
    assert "Traceback" not in out + err


@pytest.mark.parametrize("name", ["rating_scale", "score_range", "equivalence_sides", "efficiency_profile",
                                  "drug_class"])
def test_shacl_fixtures(capsys, name):
    code, out, _ = run(capsys, "--only", "shacl", "--format", "json",
                       "--extra", str(FIX / "shacl" / f"{name}_bad.ttl"))
    bad = [r for r in json.loads(out) if r["entity"].startswith("http://example.org/fixture/")]
    assert code == 1 and bad, f"{name}_bad.ttl did not violate the shapes"
    assert all(r["check"].startswith("shacl:") and r["message"] and r["fix"] for r in bad)
    code, out, _ = run(capsys, "--only", "shacl", "--format", "json",
                       "--extra", str(FIX / "shacl" / f"{name}_good.ttl"))
    good = [r for r in json.loads(out) if r["entity"].startswith("http://example.org/fixture/")]
    assert good == [], f"{name}_good.ttl violates the shapes: {good}"


def test_shacl_violation_reports_entity_rule_and_fix(capsys):
    code, out, _ = run(capsys, "--only", "shacl", "--extra", str(FIX / "check" / "shacl_violation.ttl"))
    assert code == 1
    assert "http://example.org/fixture/UnfinishedDrug" in out
    assert "shacl:drug_class_action" in out and "shacl:drug_class_target" in out
    assert "fix: add bkg:hasMolecularAction" in out


def test_file_that_does_not_parse_exits_2_with_file_and_line(capsys):
    code, out, err = run(capsys, "--only", "qc", "--extra", str(FIX / "check" / "syntax_error.ttl"))
    assert code == 2
    assert "syntax_error.ttl" in err and ":4" in err, err
    assert "hint:" in err and "Traceback" not in out + err


def test_missing_extra_file_exits_2(capsys):
    code, _, err = run(capsys, "--only", "qc", "--extra", str(FIX / "check" / "no_such_file.ttl"))
    assert code == 2 and "no such file" in err


def test_fail_on_level_and_formats(capsys):
    extra = str(FIX / "qc" / "missing_definition_individual_bad.ttl")  # a WARN-level finding
    code, out, _ = run(capsys, "--only", "qc", "--qc-check", "missing_definition_individual", "--format", "tsv",
                       "--extra", extra)
    assert out.splitlines()[0].split("\t") == ["level", "gate", "check", "entity", "property", "value",
                                               "message", "fix"]
    assert code == 0  # WARN is below the default --fail-on ERROR
    code, out, _ = run(capsys, "--only", "qc", "--qc-check", "missing_definition_individual",
                       "--fail-on", "WARN", "--extra", extra)
    assert code == 1 and "FAILED" in out and "exit 1" in out


def test_profile_skipped_clearly_without_owlapi(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("BIONN_KG_JAVA_DIR", str(tmp_path))
    code, out, err = run(capsys, "--only", "profile", "--format", "json", "--allow-skipped")
    rows = json.loads(out)
    assert code == 0
    assert [r["check"] for r in rows] == ["profile_skipped"]
    assert rows[0]["level"] == "INFO" and rows[0]["message"].startswith("skipped")
    assert "libowlapi-java" in rows[0]["message"] and "Traceback" not in out + err


def test_gate_that_could_not_run_fails_the_check_and_says_what_to_install(capsys, monkeypatch, tmp_path):
    """Regression (issue 15): with Java missing, `check` said "check passed" and exited 0."""
    monkeypatch.setenv("BIONN_KG_JAVA_DIR", str(tmp_path))  # no OWL API jars there
    code, out, err = run(capsys, "--only", "profile")
    assert code == 1, out
    assert "INCOMPLETE" in out and "did not run" in out and "passed" not in out.splitlines()[-1]
    assert "libowlapi-java" in out and "--allow-skipped" in out
    code, out, err = run(capsys, "--only", "profile", "--format", "json")
    [row] = json.loads(out)
    assert code == 1 and row["level"] == "ERROR" and row["check"] == "profile_skipped"
    assert "INCOMPLETE" in err


def test_reasoner_without_java_fails_unless_allowed(capsys, monkeypatch):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    code, out, _ = run(capsys, "--only", "reasoner", "--format", "json")
    [row] = json.loads(out)
    assert code == 1 and row["check"] == "reasoner_skipped" and row["level"] == "ERROR"
    assert "openjdk-17" in row["fix"]
    code, out, _ = run(capsys, "--only", "reasoner", "--format", "json", "--allow-skipped")
    assert code == 0 and json.loads(out)[0]["level"] == "INFO"


def test_profile_output_parsing():
    from kg.quality.profile import parse_output

    out = ("VIOLATION\tUseOfUndeclaredObjectProperty\thttps://w3id.org/bionn-kg/foo\tUse of undeclared object property\n"
           "SUMMARY\taxioms=3\tviolations=1\tunparsed=0\n")
    [f] = parse_output(out, 1, "", Path("x.owl"))
    assert (f.level, f.check, f.entity) == ("ERROR", "owl2dl:UseOfUndeclaredObjectProperty", "bkg:foo")
    assert "owl:ObjectProperty" in f.fix
    [p] = parse_output("PARSE\t-\tx.ttl\tLexical error at line 3\n", 3, "", Path("x.ttl"))
    assert p.check == "owlapi_parse_error" and "line 3" in p.message


@pytest.mark.slow
@pytest.mark.java
def test_inconsistent_extra_names_the_entity(capsys):
    code, out, err = run(capsys, "--only", "reasoner", "--format", "json",
                         "--extra", str(FIX / "check" / "inconsistent.ttl"))
    rows = json.loads(out)
    assert code == 1, err
    bad = [r for r in rows if r["check"] == "inconsistent_ontology"]
    assert bad and bad[0]["entity"] == "http://example.org/fixture/ChimeraMechanism"
    assert "disjoint" in bad[0]["message"] and bad[0]["fix"]
    assert "Traceback" not in out + err


@pytest.mark.slow
@pytest.mark.java
def test_profile_check_flags_undeclared_property(capsys):
    from kg.quality.profile import ensure_compiled, ProfileUnavailable

    try:
        ensure_compiled()
    except ProfileUnavailable as exc:
        pytest.skip(f"OWL API not available: {exc}")
    code, out, _ = run(capsys, "--only", "profile", "--format", "json",
                       "--extra", str(FIX / "qc" / "undeclared_property_bad.ttl"))
    rows = json.loads(out)
    assert code == 1
    assert any(r["check"].startswith("owl2dl:UseOfUndeclared") and "undeclaredRelation" in r["entity"]
               for r in rows), rows


@pytest.mark.slow
@pytest.mark.java
def test_shipped_ontology_passes_the_gate(capsys):
    code, out, err = run(capsys, "--format", "json")
    rows = json.loads(out)
    errors = [f"{r['check']}: {r['entity']}" for r in rows if r["level"] == "ERROR"]
    assert errors == [], f"{len(errors)} ERRORs on the shipped ontology: {errors[:20]}"
    assert code == 0
    gates = {r["gate"] for r in rows}
    assert {"reasoner", "profile"} <= gates  # both ran (or said clearly why not)


@pytest.mark.slow
@pytest.mark.java
def test_unsatisfiable_class_is_named(capsys):
    code, out, _ = run(capsys, "--only", "reasoner", "--format", "json",
                       "--extra", str(FIX / "check" / "unsatisfiable_class.ttl"))
    rows = json.loads(out)
    assert code == 1
    assert [r["entity"] for r in rows if r["check"] == "unsatisfiable_class"] == \
        ["http://example.org/fixture/FeatureMechanism"]


@pytest.mark.slow
@pytest.mark.java
def test_inferred_subclass_is_a_warning(capsys):
    code, out, _ = run(capsys, "--only", "reasoner", "--format", "json",
                       "--extra", str(FIX / "check" / "inferred_subclass.ttl"))
    rows = json.loads(out)
    assert code == 0  # a WARN: below the default --fail-on ERROR
    assert [(r["entity"], r["value"]) for r in rows if r["check"] == "inferred_subclass"] == \
        [("http://example.org/fixture/FeaturedThing", "bkg:Mechanism")]
