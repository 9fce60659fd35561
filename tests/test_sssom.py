"""The SSSOM mapping table ontology/mappings/bionn-kg.sssom.tsv: in sync with the graph, analogies as
related matches (never equivalences), computed rows above the threshold with E and the preset, and
valid for sssom-py.

sssom-py is heavy (about 90 packages): the validation test is skipped when it is not installed; CI
installs it with `pip install -e '.[test,sssom,docs]'`.
"""
from __future__ import annotations

import csv

import pytest

from kg.graph import load_graph
from kg.quality.sssom import DEFAULT_THRESHOLD, engine_available, sssom_rows, sssom_text
from kg.release import sssom_path, version_info


@pytest.fixture(scope="module")
def kg():
    return load_graph(check=False)


@pytest.fixture(scope="module")
def table():
    path = sssom_path()
    assert path.is_file(), f"{path} is missing: run `python scripts/build_release.py`"
    lines = path.read_text(encoding="utf-8").splitlines()
    meta = [ln for ln in lines if ln.startswith("#")]
    rows = list(csv.DictReader([ln for ln in lines if not ln.startswith("#")], delimiter="\t"))
    return meta, rows


def test_checked_in_table_in_sync(kg):
    assert sssom_path().read_text(encoding="utf-8") == sssom_text(kg, version_info(kg)), \
        "ontology/mappings/bionn-kg.sssom.tsv is out of date: run `python scripts/build_release.py`"


def test_metadata_block(table):
    meta, _ = table
    text = "\n".join(meta)
    for key in ("curie_map:", "mapping_set_id:", "license:", "mapping_set_version:"):
        assert f"# {key}" in text
    assert "creativecommons.org/licenses/by/4.0" in text


def test_asserted_analogies_are_related_matches_with_source(kg, table):
    _, rows = table
    manual = [r for r in rows if r["mapping_justification"] == "semapv:ManualMappingCuration"
              and r["subject_id"].startswith("bkg:") and r["object_id"].startswith("bkg:")]
    pairs = {(r["bio"], r["ann"]) for r in kg.select_named("release/sssom_asserted")}
    assert len(manual) == len(pairs) > 0, "one row per asserted analog pair"
    assert all(r["predicate_id"] == "skos:relatedMatch" for r in manual), "an analogy is not an equivalence"
    assert all(r["see_also"].startswith("https://w3id.org/bionn-kg/src_") for r in manual), "each names its source"


def test_cross_references_keep_their_predicate(table):
    _, rows = table
    xrefs = [r for r in rows if not r["object_id"].startswith("bkg:")]
    assert xrefs, "no cross-references to public ontologies"
    assert {r["predicate_id"] for r in xrefs} <= {"skos:exactMatch", "skos:closeMatch"}
    assert all(r["mapping_justification"] == "semapv:ManualMappingCuration" for r in xrefs)
    prefixes = {r["object_id"].split(":")[0] for r in xrefs}
    assert prefixes & {"GO", "CHEBI", "aio", "HP"}


def test_computed_rows_above_threshold_with_preset(kg):
    if not engine_available():
        pytest.skip("the equivalence engine (kg.engine.Engine) is not importable: no computed rows")
    rows, _ = sssom_rows(kg, computed=True, preset="balanced", threshold=DEFAULT_THRESHOLD)
    comp = [r for r in rows if r["mapping_justification"] == "semapv:SemanticSimilarityThresholdMatching"]
    assert comp, "the engine found no pair above the threshold"
    assert all(float(r["similarity_score"]) >= DEFAULT_THRESHOLD for r in comp)
    assert all("preset balanced" in r["similarity_measure"] and "preset=balanced" in r["comment"] for r in comp)
    assert all(r["predicate_id"] == "skos:relatedMatch" for r in comp)
    none, _ = sssom_rows(kg, computed=False)
    assert not any(r["mapping_justification"] == "semapv:SemanticSimilarityThresholdMatching" for r in none)


def test_new_slots(table):
    """Issue 15: sssom_version, creator_id, author_id, confidence, object_label on cross-references."""
    meta, rows = table
    text = "\n".join(meta)
    assert "# sssom_version: '1.1'" in text and "# creator_id:" in text and "bkg:bionn-kg-developers" in text
    manual = [r for r in rows if r["mapping_justification"] == "semapv:ManualMappingCuration"]
    assert manual and all(r["author_id"] == "bkg:bionn-kg-developers" for r in manual)
    assert all(r["confidence"] == "" for r in manual), "curated rows: SSSOM reads an empty confidence as 1.0"
    xrefs = [r for r in rows if not r["object_id"].startswith("bkg:")]
    assert xrefs and all(r["object_label"] for r in xrefs), \
        [r["object_id"] for r in xrefs if not r["object_label"]]
    assert {r["object_label"] for r in xrefs if r["object_id"] == "GO:0098883"} == {"synapse pruning"}
    assert not any(r["mapping_justification"] == "semapv:StructuralMatching" for r in rows)


def test_computed_confidence_is_the_rank_share(kg):
    if not engine_available():
        pytest.skip("the equivalence engine is not importable")
    import numpy as np

    from kg.engine import Engine
    from kg.ids import curie

    rows, _ = sssom_rows(kg, computed=True, threshold=DEFAULT_THRESHOLD)
    comp = [r for r in rows if r["mapping_justification"] == "semapv:SemanticSimilarityThresholdMatching"]
    res = Engine(kg).matrix()
    ids = [curie(b) for b in res.bio]
    for r in comp:
        row = np.asarray(res.E, dtype=float)[ids.index(r["subject_id"])]
        row = row[~np.isnan(row)]
        expected = np.count_nonzero(row < float(r["similarity_score"]) - 5e-5) / (len(row) - 1)
        assert 0 <= float(r["confidence"]) <= 1
        assert float(r["confidence"]) == pytest.approx(expected, abs=2 / len(row))
    assert any(float(r["confidence"]) == 1.0 for r in comp), "the best candidate of its subject has confidence 1"


def test_external_labels_file_is_well_formed():
    from kg.quality.sssom import external_labels

    labels = external_labels()
    assert len(labels) >= 40
    assert all(":" in k and not k.startswith("obo:") and v.strip() == v and v for k, v in labels.items())


def test_sssom_py_reads_back_the_same_rows():
    """The hand writer (deterministic, no sssom-py needed at release time) and sssom-py agree on the content."""
    pytest.importorskip("sssom", reason="sssom-py is not installed (pip install 'bionn-kg[sssom]')")
    import io

    from sssom.parsers import parse_sssom_table
    from sssom.writers import write_table

    msdf = parse_sssom_table(str(sssom_path()))
    buf = io.StringIO()
    write_table(msdf, buf)
    again = parse_sssom_table(io.StringIO(buf.getvalue()))
    key = ["subject_id", "predicate_id", "object_id", "mapping_justification"]
    a = msdf.df.sort_values(key).reset_index(drop=True)
    b = again.df.sort_values(key).reset_index(drop=True)
    assert list(a[key].itertuples(index=False)) == list(b[key].itertuples(index=False))
    assert msdf.metadata.get("sssom_version") == "1.1"
    assert msdf.metadata.get("creator_id") == ["bkg:bionn-kg-developers"]
    assert set(msdf.df["object_label"].dropna()) >= {"synapse pruning", "Dropout Layer"}


def test_sssom_py_validates_the_table():
    pytest.importorskip("sssom", reason="sssom-py is not installed (pip install 'bionn-kg[sssom]'); "
                                        "the SSSOM table is validated only where it is")
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(str(sssom_path()))
    assert len(msdf.df) > 0
    report = validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
                             SchemaValidationType.StrictCurieFormat], fail_on_error=False)
    problems = {str(k): [str(r) for r in v.results] for k, v in report.items() if v.results}
    assert problems == {}, problems
