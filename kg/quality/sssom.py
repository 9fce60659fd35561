"""The SSSOM mapping table (SSSOM 1.1), written as TSV with its YAML metadata block.

Rows, one per pair:

* **asserted analogs** (bkg:AnalogyAssertion individuals: biological side -> ANN side), predicate
  ``skos:relatedMatch`` (an analogy is not an equivalence), ``semapv:ManualMappingCuration``, the source
  sections in ``see_also`` and the kind of assertion, coverage and Table 1 ratings in ``comment``; a
  pair whose only coverage is bkg:NoAnalog (the source compares them and finds no analog) gets
  ``predicate_modifier`` Not; ``author_id`` the bionn-kg developers who curated it from the source;
  ``confidence`` empty (SSSOM reads an empty confidence as 1.0: the source asserts it);
* **computed analogs** from the equivalence engine with E at or above a threshold,
  ``semapv:SemanticSimilarityThresholdMatching`` (a score cut-off), ``similarity_score`` = E, the preset in
  ``similarity_measure`` and ``comment`` (with the dimension scores), ``mapping_tool``; ``confidence`` is
  rank-based, computed, not a calibrated probability: the share of the subject's other candidate analogs
  that score below this pair (1.0 = the best of all its candidates);
* **cross-references** of bkg entities to public ontologies (GO, ChEBI, AIO, HP, CL, ...) with their own
  predicate (``skos:exactMatch`` / ``skos:closeMatch``), ``semapv:ManualMappingCuration``, and the public
  term's ``object_label`` from ``ontology/mappings/external-terms.tsv`` (empty for a term not listed there).

The set carries ``sssom_version``, ``creator_id`` (the agent in the ontology header's dcterms:creator),
``license``, ``mapping_set_version`` and ``mapping_date``.

The table is written by hand rather than through sssom-py's writer: sssom-py is an optional extra (about
90 packages) and ``release`` must work without it, and the hand writer's output is byte-for-byte stable.
tests/test_sssom.py validates the file with sssom-py and checks that sssom-py reads back the same rows.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..graph import PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import KnowledgeGraph
    from ..release import VersionInfo

__all__ = ["DEFAULT_THRESHOLD", "COLUMNS", "SSSOM_VERSION", "MANUAL", "COMPUTED", "sssom_rows", "sssom_text",
           "engine_available", "external_labels"]

DEFAULT_THRESHOLD = 0.5
SEMAPV = "https://w3id.org/semapv/vocab/"
OBO = "http://purl.obolibrary.org/obo/"
COLUMNS = ("subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id", "object_label",
           "mapping_justification", "author_id", "confidence", "similarity_score", "similarity_measure",
           "mapping_tool", "see_also", "comment")
SSSOM_VERSION = "1.1"
MANUAL = "semapv:ManualMappingCuration"
COMPUTED = "semapv:SemanticSimilarityThresholdMatching"
CREATOR = "https://w3id.org/bionn-kg/bionn-kg-developers"  # dcterms:creator of the ontology header
BASE_CURIE_MAP = {
    "bkg": PREFIXES["bkg"],
    "skos": PREFIXES["skos"],
    "semapv": SEMAPV,
    "owl": PREFIXES["owl"],
    "rdf": PREFIXES["rdf"],
    "rdfs": PREFIXES["rdfs"],
    "aio": "https://w3id.org/aio/",
}


class _Curies:
    """IRI -> CURIE, growing the curie_map as needed (OBO IRIs get their upper-case prefix: GO, CHEBI)."""

    def __init__(self) -> None:
        self.map: dict[str, str] = dict(BASE_CURIE_MAP)
        self.used: set[str] = {"bkg", "skos", "semapv"}

    def __call__(self, iri: str) -> str:
        if iri.startswith(OBO):
            m = re.match(r"^([A-Za-z][A-Za-z0-9]*)_(.+)$", iri[len(OBO):])
            if m:
                prefix = m.group(1)
                self.map.setdefault(prefix, f"{OBO}{prefix}_")
                self.used.add(prefix)
                return f"{prefix}:{m.group(2)}"
        for p, ns in sorted(self.map.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                self.used.add(p)
                return f"{p}:{iri[len(ns):]}"
        m = re.match(r"^(.*[#/])([^#/]+)$", iri)
        if not m:
            raise ValueError(f"cannot make a CURIE of <{iri}>")
        n = 1
        while f"ns{n}" in self.map and self.map[f"ns{n}"] != m.group(1):
            n += 1
        self.map[f"ns{n}"] = m.group(1)
        self.used.add(f"ns{n}")
        return f"ns{n}:{m.group(2)}"

    def curie_map(self) -> dict[str, str]:
        return {p: self.map[p] for p in sorted(self.used)}


def engine_available() -> bool:
    """Whether the equivalence engine (kg.engine.Engine) can be imported."""
    try:
        from ..engine import Engine  # noqa: F401
    except ImportError:
        return False
    return True


def _local(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _asserted(kg: "KnowledgeGraph", cur: _Curies) -> list[dict[str, Any]]:
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    details: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in kg.select_named("release/sssom_asserted"):
        key = (r["bio"], r["ann"])
        pairs.setdefault(key, {"bio_label": r.get("bio_label") or "", "ann_label": r.get("ann_label") or ""})
        d = details[key]
        kind = _local(r["kind"])
        if kind == "AnalogyAssertion" and d["kind"]:
            continue
        d["kind"].add(kind)
        if r.get("coverage"):
            d["coverage"].add(_local(r["coverage"]))
        if r.get("structural") or r.get("functional"):
            d["ratings"].add(f"structural {_local(r.get('structural')) or '?'}, functional "
                             f"{_local(r.get('functional')) or '?'}")
        if r.get("source"):
            d["source"].add(r["source"])
    rows = []
    for (bio, ann), labels in sorted(pairs.items()):
        d = details[(bio, ann)]
        kinds = sorted(k for k in d["kind"] if k != "AnalogyAssertion" or len(d["kind"]) == 1)
        parts = [f"asserted analogy ({', '.join(kinds)})"]
        if d["coverage"]:
            parts.append("coverage " + ", ".join(sorted(d["coverage"])))
        if d["ratings"]:
            parts.append("paper's Table 1 rating " + "; ".join(sorted(d["ratings"])))
        negated = d["coverage"] == {"NoAnalog"}
        parts.append("the source finds no analog (predicate_modifier Not)" if negated
                     else "an analogy, not an equivalence")
        rows.append({
            "subject_id": cur(bio), "subject_label": labels["bio_label"], "predicate_id": "skos:relatedMatch",
            "predicate_modifier": "Not" if negated else "",
            "object_id": cur(ann), "object_label": labels["ann_label"],
            "mapping_justification": MANUAL, "author_id": cur(CREATOR), "confidence": "",
            "similarity_score": "", "similarity_measure": "", "mapping_tool": "",
            "see_also": "|".join(sorted(d["source"])), "comment": "; ".join(parts),
        })
    return rows


def _computed(kg: "KnowledgeGraph", cur: _Curies, preset: str, threshold: float,
              weights: str | dict[str, float] | None = None) -> list[dict[str, Any]]:
    from ..engine import Engine

    eng = Engine(kg, preset=preset, weights=weights)
    preset = eng.preset  # "custom" with --weights
    res = eng.matrix()
    labels = dict(getattr(res, "labels", {}) or {})
    weights = getattr(res, "weights", {}) or {}
    wtxt = ", ".join(f"{k}={v:g}" for k, v in weights.items())
    measure = f"bionn-kg equivalence E(b, a), preset {preset}" + (f" ({wtxt})" if wtxt else "")
    import numpy as np

    rows = []
    E = np.asarray(res.E, dtype=float)
    for i, bio in enumerate(res.bio):
        row = E[i][~np.isnan(E[i])]
        for j, ann in enumerate(res.ann):
            e = float(E[i, j])
            if math.isnan(e) or e < threshold:
                continue
            # rank-based confidence: the share of the subject's other candidates scoring below this pair
            below = int(np.count_nonzero(row < e))
            confidence = below / (len(row) - 1) if len(row) > 1 else 1.0
            dims = []
            for d in res.names:  # every registered dimension
                arr = res.dims.get(d)
                if arr is not None:
                    v = float(arr[i, j])
                    dims.append(f"{d}={'n/a' if math.isnan(v) else f'{v:.3f}'}")
            rows.append({
                "subject_id": cur(bio), "subject_label": labels.get(bio, ""), "predicate_id": "skos:relatedMatch",
                "object_id": cur(ann), "object_label": labels.get(ann, ""),
                "mapping_justification": COMPUTED, "author_id": "", "confidence": f"{confidence:.4f}",
                "similarity_score": f"{e:.4f}",
                "similarity_measure": measure, "mapping_tool": "bionn-kg equivalence engine", "see_also": "",
                "comment": f"computed by the equivalence engine, preset={preset}, threshold={threshold:g}; "
                           + " ".join(dims),
            })
    return rows


def external_labels() -> dict[str, str]:
    """CURIE -> label of the public terms bionn-kg cross-references (``ontology/mappings/external-terms.tsv``)."""
    import csv

    from ..paths import ontology_dir

    path = ontology_dir() / "mappings" / "external-terms.tsv"
    if not path.is_file():
        return {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return {r["id"]: r["label"] for r in csv.DictReader(lines, delimiter="\t") if r.get("id") and r.get("label")}


def _xrefs(kg: "KnowledgeGraph", cur: _Curies) -> list[dict[str, Any]]:
    rows = []
    labels = external_labels()
    for r in kg.select_named("release/sssom_xrefs"):
        target = cur(r["target"])
        rows.append({
            "subject_id": cur(r["entity"]), "subject_label": r.get("label") or "",
            "predicate_id": cur(r["predicate"]), "object_id": target, "object_label": labels.get(target, ""),
            "mapping_justification": MANUAL, "author_id": cur(CREATOR), "confidence": "", "similarity_score": "",
            "similarity_measure": "", "mapping_tool": "", "see_also": "",
            "comment": "cross-reference to a public ontology term, curated in the bionn-kg ABox",
        })
    return rows


def sssom_rows(kg: "KnowledgeGraph", *, computed: bool = True, preset: str = "balanced",
               threshold: float = DEFAULT_THRESHOLD, weights: str | dict[str, float] | None = None
               ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(rows, curie_map); computed rows only when ``computed`` and the engine is importable."""
    cur = _Curies()
    rows = _asserted(kg, cur)
    if computed and engine_available():
        rows += _computed(kg, cur, preset, threshold, weights)
    rows += _xrefs(kg, cur)
    rows.sort(key=lambda r: (r["mapping_justification"] != MANUAL or
                             r["predicate_id"] != "skos:relatedMatch",
                             r["mapping_justification"], r["subject_id"], r["predicate_id"], r["object_id"]))
    return rows, cur.curie_map()


def _cell(v: Any) -> str:
    return str(v).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _yaml_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def sssom_text(kg: "KnowledgeGraph", info: "VersionInfo", *, computed: bool = True, preset: str = "balanced",
               threshold: float = DEFAULT_THRESHOLD, weights: str | dict[str, float] | None = None) -> str:
    """The SSSOM/TSV document: ``#``-prefixed YAML metadata, then the table. Deterministic.

    ``weights``: custom weights for the computed rows (override ``preset``, named "custom")."""
    rows, curie_map = sssom_rows(kg, computed=computed, preset=preset, threshold=threshold, weights=weights)
    if weights:
        preset = "custom"
    n_comp = sum(r["mapping_justification"] == COMPUTED for r in rows)
    creator = _Curies()(CREATOR)  # in the bkg namespace, always in the curie_map
    meta = [
        "curie_map:",
        *[f"  {p}: {_yaml_str(ns)}" for p, ns in curie_map.items()],
        "mapping_set_id: 'https://w3id.org/bionn-kg/mappings/bionn-kg.sssom.tsv'",
        f"mapping_set_version: {_yaml_str(info.date)}",
        "mapping_set_title: 'bionn-kg: analogies between biological and ANN mechanisms, and cross-references'",
        "mapping_set_description: " + _yaml_str(
            "Asserted analogies (manual curation from the source documents), analogies computed by the "
            f"bionn-kg equivalence engine (E >= {threshold:g}, preset {preset}; {n_comp} rows), and "
            "cross-references of bkg entities to public ontologies. Analogies use skos:relatedMatch: an "
            "analogy between domains is not an equivalence."),
        "license: 'https://creativecommons.org/licenses/by/4.0/'",
        f"mapping_date: {_yaml_str(info.date)}",
        f"sssom_version: {_yaml_str(SSSOM_VERSION)}",
        "creator_id:",
        f"  - {_yaml_str(creator)}",
    ]
    lines = ["# " + m for m in meta]
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(_cell(r.get(c, "")) for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"
