"""Every command's JSON validates against its documented schema in docs/schemas/ (issue 15, item 6), and
follows the conventions of the shared output layer (kg/output.py, docs/json-output.md): snake_case keys,
arrays not joined strings, CURIEs for IDs (GO:0098883, not obo:GO_0098883), 4 significant digits.

Each schema names the command it documents in ``x-command``; the test runs it. jsonschema is in the
``test`` extra; without it only the conventions are checked.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.cli import COMMANDS, main
from kg.ids import PREFIX_MAP
from kg.output import json_key, round_sig, to_json

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
SCHEMA_FILES = sorted(SCHEMAS.glob("*.schema.json"))
# keys that are IRIs by design (documents, the prefix map), not entity IDs
IRI_FIELDS = {"iri", "ontology", "version", "license"}


def _schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _runnable(path: Path) -> bool:
    """A schema documents a command of this build (a schema may arrive before its command is merged)."""
    return _schema(path)["x-command"][0] in COMMANDS


@pytest.fixture(scope="module")
def outputs() -> dict[str, object]:
    import contextlib
    import io

    docs = {}
    for path in SCHEMA_FILES:
        if not _runnable(path):
            continue
        argv = _schema(path)["x-command"]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(list(argv))
        assert code == 0, f"{' '.join(argv)} exited {code}"
        docs[path.name] = json.loads(buf.getvalue())
    return docs


def _walk(doc, path=""):
    """(path, key, value) for every key/value pair, recursively."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield path, k, v
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _walk(v, f"{path}[{i}]")


def test_every_json_command_has_a_schema():
    """A command that prints JSON (it has --format) needs docs/schemas/<command>.schema.json."""
    documented = {_schema(p)["x-command"][0] for p in SCHEMA_FILES}
    with_json = set()
    for name in COMMANDS:
        from kg.cli import cli
        cmd = cli.get_command(None, name)
        if cmd is not None and any(p.name == "fmt" for p in cmd.params):
            with_json.add(name)
    missing = sorted(with_json - documented)
    assert missing == [], f"commands with --format json but no schema in docs/schemas/: {missing}"


def test_schemas_are_valid_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    for path in SCHEMA_FILES:
        jsonschema.Draft202012Validator.check_schema(_schema(path))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name.split(".")[0] for p in SCHEMA_FILES])
def test_output_validates_against_its_schema(outputs, path):
    jsonschema = pytest.importorskip("jsonschema")
    if not _runnable(path):
        pytest.skip(f"{_schema(path)['x-command'][0]} is not a command of this build")
    doc = outputs[path.name]
    errors = sorted(jsonschema.Draft202012Validator(_schema(path)).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name.split(".")[0] for p in SCHEMA_FILES])
def test_output_follows_the_conventions(outputs, path):
    if not _runnable(path):
        pytest.skip(f"{_schema(path)['x-command'][0]} is not a command of this build")
    doc = outputs[path.name]
    assert doc, f"{path.name}: the example command printed nothing to check"
    for where, key, value in _walk(doc):
        assert json_key(key) == key, f"{where}: key {key!r} is not snake_case"
        if isinstance(value, float):
            assert round_sig(value) == value, f"{where}.{key}: {value} has more than 4 significant digits"
        if isinstance(value, str) and key not in IRI_FIELDS and where != ".prefixes":
            assert not re.match(r"^obo:[A-Za-z]+_", value), f"{where}.{key}: {value} (write GO:0098883)"
            assert not any(value.startswith(ns) for ns in PREFIX_MAP.values()), \
                f"{where}.{key}: {value} is a full IRI, not a CURIE"
            if path.name != "check.schema.json":  # messages and fixes are prose
                assert "; " not in value or key in ("definition", "label", "purpose", "reason", "path", "evidence",
                                                    "via", "comment", "text", "note", "matched", "summary") \
                    or len(value) > 80, f"{where}.{key}: {value!r} looks like a joined list"


def test_prefix_map_file_is_current():
    data = json.loads((SCHEMAS / "prefixes.json").read_text(encoding="utf-8"))
    assert data["prefixes"] == PREFIX_MAP, "docs/schemas/prefixes.json differs from kg.ids.PREFIX_MAP"


def test_regression_float32_noise_and_obo_prefix():
    """Regression (issue 15): 0.3710043132305145 in JSON, obo:GO_0098883 for GO:0098883, 'path proximity' keys."""
    out = json.loads(to_json({"path proximity": 0.3710043132305145,
                              "cross-references": ["http://purl.obolibrary.org/obo/GO_0098883"],
                              "tiny": 1.234567e-11, "n": 7, "ok": True, "nan": float("nan")}))
    assert out == {"path_proximity": 0.371, "cross_references": ["GO:0098883"], "tiny": 1.235e-11, "n": 7,
                   "ok": True, "nan": None}


def test_regression_query_list_params_are_records(capsys):
    """Regression (issue 15): `query --list --format json` gave `params` as one text string."""
    assert main(["query", "--list", "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["equivalence_ratings"]["params"] == [
        {"name": "mechanism", "type": "IRI", "optional": True, "description": "either side"},
        {"name": "dimension", "type": "literal", "optional": True, "description": 'symbol "S" or "F"'}]
    assert rows["efficiency_gaps"]["params"][1]["type"] == "double"
    assert all(isinstance(r["params"], list) for r in rows.values())
    assert main(["query", "--list"]) == 0  # text keeps one readable cell
    assert "?mechanism (IRI, optional: either side)" in capsys.readouterr().out
