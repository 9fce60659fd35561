"""Everything the report shows, computed once from the graph and the engine, as plain rows.

Figures, the HTML page, the Markdown file and the CSV/JSON data files are all rendered from the one
:class:`ReportData`, so a number in a picture is the number in the table and in ``data/``.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.dimensions import by_attribute, registered
from ..engine.weights import PRESETS

__all__ = ["ReportData", "collect", "slug", "TOP"]

#: analogs listed per biological mechanism
TOP = 3


def slug(iri: str) -> str:
    """A file-name-safe name for a mechanism (its local name)."""
    local = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in local) or "mechanism"


def _f(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


@dataclass
class ReportData:
    """The report's content; every list of dicts is also written as a data file."""

    preset: str
    weights: dict[str, float]
    matrix: Any                                   # MatrixResult
    labels: dict[str, str]
    curie: dict[str, str]
    order_bio: list[int] = field(default_factory=list)
    order_ann: list[int] = field(default_factory=list)
    top_analogs: list[dict[str, Any]] = field(default_factory=list)
    undefined_mechanisms: list[dict[str, Any]] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)
    correlations: list[dict[str, Any]] = field(default_factory=list)
    recovery: list[dict[str, Any]] = field(default_factory=list)
    ranks: list[dict[str, Any]] = field(default_factory=list)
    efficiency: list[dict[str, Any]] = field(default_factory=list)
    efficiency_rows: list[dict[str, Any]] = field(default_factory=list)
    pathology: list[dict[str, Any]] = field(default_factory=list)
    interventions: list[dict[str, Any]] = field(default_factory=list)
    disanalogies: list[dict[str, Any]] = field(default_factory=list)
    size: dict[str, Any] = field(default_factory=dict)
    class_counts: list[dict[str, Any]] = field(default_factory=list)
    quality: list[dict[str, Any]] = field(default_factory=list)
    quality_summary: dict[str, Any] = field(default_factory=dict)
    sensitivity: list[dict[str, Any]] = field(default_factory=list)
    sensitivity_grid: dict[str, Any] = field(default_factory=dict)
    neighbourhoods: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict)
    partial: list[dict[str, Any]] = field(default_factory=list)
    citations: dict[str, str] = field(default_factory=dict)  # source IRI -> how the report cites it
    files: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bio_pos = {m: i for i, m in enumerate(self.matrix.bio)}
        self.ann_pos = {m: j for j, m in enumerate(self.matrix.ann)}
        self._slugs: dict[str, str] = {}
        taken: set[str] = set()
        for m in [*self.matrix.bio, *self.matrix.ann]:
            base = s = slug(m)
            n = 2
            while s.casefold() in taken:  # case-insensitive file systems too
                s, n = f"{base}_{n}", n + 1
            taken.add(s.casefold())
            self._slugs[m] = s

    @property
    def names(self) -> list[str]:
        """The dimension names of the matrix, in registry order."""
        return list(self.matrix.names)

    @property
    def energy(self) -> str | None:
        """The name of the dimension that measures energy (the efficiency section's), if registered."""
        return next((d.name for d in by_attribute("measures_energy") if d.name in self.matrix.names), None)

    @property
    def energy_key(self) -> str:
        """The efficiency section's column for the energy dimension."""
        return self.energy or "efficiency"

    def colours(self) -> dict[str, str]:
        return {d.name: d.colour for d in registered() if d.name in self.matrix.names}

    def slug(self, iri: str) -> str:
        """The unique file name (without suffix) of a mechanism's images."""
        return self._slugs.get(iri) or slug(iri)

    def label(self, iri: str | None) -> str:
        if not iri:
            return ""
        return self.labels.get(iri) or self.curie.get(iri) or iri.rsplit("/", 1)[-1]

    def cite(self, iri: str | None) -> str:
        """A source as a reader cites it (the document and section, or the publication's bibliographic
        citation), never as a CURIE; the label when the graph says nothing more."""
        if not iri:
            return ""
        return self.citations.get(iri) or self.label(iri)


# -- pieces -----------------------------------------------------------------------------------------
def cluster_order(E: np.ndarray) -> tuple[list[int], list[int]]:
    """Row and column orders of E by average-linkage clustering; rows/columns with no defined value last.

    NaN (undefined) is filled with 0 for the distance only: an undefined pair is as dissimilar as an
    unrelated one, and all-undefined rows are set apart instead of clustered.
    """
    from scipy.cluster.hierarchy import leaves_list, linkage

    def order(M: np.ndarray) -> list[int]:
        defined = ~np.isnan(M).all(axis=1)
        idx = np.flatnonzero(defined)
        rest = [int(i) for i in np.flatnonzero(~defined)]
        if len(idx) < 3:
            return [int(i) for i in idx] + rest
        Z = linkage(np.nan_to_num(M[idx], nan=0.0), method="average", metric="euclidean")
        return [int(idx[i]) for i in leaves_list(Z)] + rest

    return order(E), order(E.T)


def _top_analogs(eng, res, data: ReportData) -> None:
    from ..engine.explain import short_reasons
    from ..engine.partial import lacks_sentence, missing, public
    En = np.nan_to_num(res.E, nan=-np.inf)
    k = min(TOP, len(res.ann))
    for i, b in enumerate(res.bio):
        order = np.argsort(-En[i], kind="stable")[:k]
        found = False
        for rank, j in enumerate(order, start=1):
            if not np.isfinite(En[i, j]):
                break
            found = True
            a = res.ann[j]
            row = {"bio": data.curie[b], "bio_label": data.label(b), "rank": rank, "ann": data.curie[a],
                   "ann_label": data.label(a), "E": float(res.E[i, j]), "coverage": float(res.coverage[i, j])}
            row.update({d: float(res.dims[d][i, j]) for d in res.names})
            row["reasons"] = short_reasons(eng, b, a)
            if rank == 1:  # the partial analogy of the top analog: what it lacks of b, and the reverse
                miss = missing(eng, b, a)
                row["lacks"] = ", ".join(r["label"] for r in miss["ann_lacks"]) or "nothing"
                data.partial.append({"bio": data.curie[b], "bio_label": data.label(b), "ann": data.curie[a],
                                     "ann_label": data.label(a), "E": float(res.E[i, j]),
                                     "summary": lacks_sentence(eng, b, a, miss),
                                     "ann_lacks": [public(r) for r in miss["ann_lacks"]],
                                     "bio_lacks": [public(r) for r in miss["bio_lacks"]]})
            data.top_analogs.append(row)
        if not found:
            has = {n: d.has_data("bio", i) for n, d in eng.dimensions.items()}
            weighted = [n for n, w in eng.weights.items() if w]
            lacking = [eng.dimensions[n].needs for n in weighted if not has[n]]
            reason = ("no ANN mechanism shares a described dimension with it" if len(lacking) < len(weighted)
                      else "it has none of: " + ", ".join(lacking))
            data.undefined_mechanisms.append({"bio": data.curie[b], "bio_label": data.label(b),
                                              "reason": f"E undefined for every ANN mechanism: {reason}"})


def _efficiency(eng, graph, data: ReportData) -> None:
    """Efficiency-hypothesis gaps from computed E (queries/efficiency_gaps.rq, in its order): per
    biological mechanism and grain, the coverage the engine computes beside the asserted one, both costs
    and biology's advantage in orders of magnitude; missing data stays missing."""
    from ..computed import add_computed
    if hasattr(graph, "store"):  # embedded: the query reads the engine's top-k from its own named graph
        add_computed(graph, engine=eng)  # the report's own engine: same weights, features read once
    # a SPARQL endpoint answers from the computed graph it holds (published with the release), if any
    rows = graph.select_named("efficiency_gaps")
    data.efficiency_rows = [{k: (data.curie.get(v, v) if isinstance(v, str) and v.startswith("http") else v)
                             for k, v in r.items()} for r in rows]
    out = []
    for n, r in enumerate(rows, start=1):
        out.append({"rank": n, "bio": data.curie.get(r["biological"], r["biological"]),
                    "bio_label": r["biological_label"] or data.label(r["biological"]),
                    "computed coverage": r["computed_coverage"], "best analog": r["best_analog_label"] or "",
                    "best E": _f(r["best_E"]), "asserted coverage": r["asserted_coverage"] or "",
                    "agreement": r["agreement"] or "", "grain": r["grain_label"] or "",
                    "biological cost": r["biological_cost"] or "", "cheapest ANN": r["cheapest_ann_label"] or "",
                    "ANN cost": r["ann_cost"] or "", "orders of magnitude": _f(r["orders_of_magnitude"]),
                    data.energy_key: _f(r.get(data.energy)) if data.energy else float("nan"), "note": r["data_note"] or ""})
    data.efficiency = out


def _pathology(graph, data: ReportData) -> None:
    c = data.curie
    data.pathology = [{"biological_failure": c.get(r["biological_failure"], r["biological_failure"]),
                       "biological_failure_label": r["biological_failure_label"] or data.label(r["biological_failure"]),
                       "ann_failure": c.get(r["ann_failure"], r["ann_failure"]),
                       "ann_failure_label": r["ann_failure_label"] or data.label(r["ann_failure"]),
                       "biological_mechanism": data.label(r["biological_mechanism"]),
                       "ann_mechanism": data.label(r["ann_mechanism"])}
                      for r in graph.select_named("pathology_mapping")]
    data.interventions = [{"ann_technique": c.get(r["ann_technique"], r["ann_technique"]),
                           "ann_technique_label": r["ann_technique_label"] or data.label(r["ann_technique"]),
                           "clinical_intervention": c.get(r["clinical_intervention"], r["clinical_intervention"]),
                           "clinical_intervention_label": (r["clinical_intervention_label"] or
                                                           data.label(r["clinical_intervention"])),
                           "basis": r["basis"],
                           "ann_failure_label": data.label(r["ann_failure"]),
                           "biological_failure_label": data.label(r["biological_failure"])}
                          for r in graph.select_named("intervention_transfer")]


def _disanalogies(graph, data: ReportData) -> None:
    groups: dict[str, dict[str, Any]] = {}
    for r in graph.select_named("disanalogies"):
        g = groups.setdefault(r["disanalogy"], {"disanalogy": data.curie.get(r["disanalogy"], r["disanalogy"]),
                                                "label": r["disanalogy_label"] or data.label(r["disanalogy"]),
                                                "concerns": set(), "closing": set(), "sources": set()})
        if r["concerned_mechanism"]:
            g["concerns"].add(r["concerned_mechanism_label"] or data.label(r["concerned_mechanism"]))
        if r["closing_approach"]:
            g["closing"].add(r["closing_approach_label"] or data.label(r["closing_approach"]))
        if r["source"]:
            g["sources"].add(r["source"])
    out = [{"disanalogy": g["disanalogy"], "label": g["label"],
            "concerned mechanisms": ", ".join(sorted(g["concerns"])),
            "attempts to close": ", ".join(sorted(g["closing"])) or "(none recorded: open)",
            "sources": [data.curie.get(x, x) for x in sorted(g["sources"])],
            "citations": "; ".join(sorted(data.cite(x) for x in g["sources"])), "closers": len(g["closing"])}
           for g in groups.values()]
    out.sort(key=lambda r: (r["closers"] == 0, -r["closers"], r["label"]))
    data.disanalogies = out


def _size_and_quality(graph, res, data: ReportData) -> None:
    from ..graph import BKG
    counts = [{"class": graph.curie(r["class"]), "label": r["label"], "total": r["total"]}
              for r in graph.select_named("internal/class_counts") if r["class"].startswith(BKG)]
    data.class_counts = [r for r in counts if r["total"]]
    n_def = int((~np.isnan(res.E)).sum())
    data.size = {"triples": len(graph), "biological mechanisms": len(res.bio), "ANN mechanisms": len(res.ann),
                 "pairs": len(res.bio) * len(res.ann), "pairs with defined E": n_def,
                 "files": ", ".join(p.name for p in graph.files),
                 "extra files": ", ".join(str(p) for p in getattr(graph, "extra_files", [])) or "none"}
    data.quality, data.quality_summary = quality_status(graph)


def quality_status(graph) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The fast quality checks (the SPARQL checks of queries/qc, the library behind ``bionn-kg check``'s
    qc gate); the reasoner and profile gates are too slow for a report and are left to ``check``."""
    try:
        from ..quality.qc import run_checks
        findings = [f.as_row() for f in run_checks(graph)]
        source = "bionn-kg check --only qc (queries/qc)"
    except ImportError:  # the quality package is optional for the report
        findings, source = [], "unavailable"
    per: dict[tuple[str, str], dict[str, Any]] = {}
    for f in findings:
        p = per.setdefault((f["level"], f["check"]), {"level": f["level"], "check": f["check"], "findings": 0,
                                                      "examples": [], "rule": f["message"], "fix": f["fix"]})
        p["findings"] += 1
        if len(p["examples"]) < 3 and f["entity"]:
            p["examples"].append(f["entity"])
    rank = {"ERROR": 0, "WARN": 1, "INFO": 2}
    rows = sorted(per.values(), key=lambda r: (rank.get(r["level"], 3), -r["findings"], r["check"]))
    for r in rows:
        r["examples"] = ", ".join(r["examples"])
    levels = {lv: sum(r["findings"] for r in rows if r["level"] == lv) for lv in ("ERROR", "WARN", "INFO")}
    status = ("not run" if source == "unavailable" else
              "passed" if levels["ERROR"] == 0 else f"{levels['ERROR']} error(s)")
    return rows, {"status": status, **levels, "checks run by": source}


def _sensitivity(res, data: ReportData, step: float) -> None:
    from .sensitivity import grid_dims, top_stability
    dims = grid_dims(res.names)
    st = top_stability(res.dims, PRESETS["balanced"], step=step, grid=dims)
    Ecur = np.nan_to_num(res.E, nan=-np.inf)
    rows = []
    for i, b in enumerate(res.bio):
        ref = int(st.reference[i])
        cur = int(np.argmax(Ecur[i])) if np.isfinite(Ecur[i]).any() else -1
        rows.append({"bio": data.curie[b], "bio_label": data.label(b),
                     "balanced top": data.label(res.ann[ref]) if ref >= 0 else "",
                     f"{data.preset} top": data.label(res.ann[cur]) if cur >= 0 else "",
                     "share stays top": float(st.share[i]),
                     "distinct tops": int(st.n_distinct[i]),
                     "main challenger": data.label(res.ann[st.challenger[i]]) if st.challenger[i] >= 0 else "",
                     "challenger share": float(st.challenger_share[i])})
    rows.sort(key=lambda r: (math.isnan(r["share stays top"]), r["share stays top"], r["bio_label"]))
    data.sensitivity = rows
    data.sensitivity_grid = {"dimensions": list(dims), "step": step, "points": int(len(st.grid)),
                             "reference": "balanced", "grid": st.grid.round(6).tolist()}


def _neighbourhoods(graph, res, data: ReportData) -> None:
    nb: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for r in graph.select_named("report/neighbourhood"):
        nb[r["mechanism"]][r["relation"]].append((r["term"], r["term_label"] or data.label(r["term"])))
    data.neighbourhoods = {m: dict(v) for m, v in nb.items()}


_NUMBERED = re.compile(r"^((?:\d+|[IVX]+)(?:\.[0-9A-Za-z]+)*)\.?\s+\S")


def citation_text(section: str | None, document_label: str | None, citation: str | None,
                  label: str | None = None) -> str:
    """How the report cites a source.

    A section of a source document: the document and the section's number ("J. Harris, 'BioNN-ANN
    Equivalence Framework', section 3.2"), or its title when it has no number ("..., section 'The Core
    Divergence'"; a table keeps its own name). A publication: its bibliographic citation.

    >>> citation_text("3.2 MAO Inhibitors: Preventing Signal Degradation", "J. Harris, 'BioNN-ANN Equivalence Framework'", None)
    "J. Harris, 'BioNN-ANN Equivalence Framework', section 3.2"
    >>> citation_text("II.C.3 Backpropagation and Action Potential", "A. Zou et al., arXiv:2203.13262", None)
    'A. Zou et al., arXiv:2203.13262, section II.C.3'
    """
    if section and document_label:
        m = _NUMBERED.match(section)
        where = (f"section {m.group(1)}" if m else section if section.startswith("Table")
                 else f"section '{section}'")
        return f"{document_label}, {where}"
    return citation or label or ""


def _sources(graph, data: ReportData) -> None:
    for r in graph.select_named("report/sources"):
        text = citation_text(r.get("section"), r.get("document_label"), r.get("citation"), r.get("source_label"))
        if text:
            data.citations.setdefault(r["source"], text)


# -- all ----------------------------------------------------------------------------------------------
def collect(graph, eng, idx, step_cb=None, sensitivity_step: float = 0.1) -> ReportData:
    """Compute the report's content (``idx``: the graph's EntityIndex). ``step_cb(name)`` is called
    before each long step."""
    from ..engine.evaluate import evaluate

    step = step_cb or (lambda name: None)
    step("all pairs")
    res = eng.matrix()
    labels = dict(idx.labels)
    labels.update({m: l for m, l in res.labels.items() if m not in labels})
    curie = _CurieMap(graph)
    data = ReportData(eng.preset, dict(eng.weights), res, labels, curie)
    data.order_bio, data.order_ann = cluster_order(res.E)
    step("top analogs and reasons")
    _top_analogs(eng, res, data)
    step("evaluation against the paper")
    ev = evaluate(eng, res=res)  # the matrix computed above, not a second one
    data.agreement, data.correlations, data.recovery, data.ranks = ev.agreement, ev.correlations, ev.recovery, ev.ranks
    step("efficiency, pathology, disanalogies")
    _efficiency(eng, graph, data)
    _pathology(graph, data)
    _sources(graph, data)
    _disanalogies(graph, data)
    _neighbourhoods(graph, res, data)
    step("graph size and quality checks")
    _size_and_quality(graph, res, data)
    step("weight sensitivity")
    _sensitivity(res, data, sensitivity_step)
    return data


class _CurieMap(dict):
    """IRI -> CURIE, computed on first use."""

    def __init__(self, graph):
        super().__init__()
        self._graph = graph

    def __missing__(self, iri: str) -> str:
        v = self._graph.curie(iri) if hasattr(self._graph, "curie") else iri
        self[iri] = v
        return v

    def get(self, key, default=None):  # noqa: D401 - dict.get that computes
        if key is None:
            return default
        return self[key] if isinstance(key, str) and key.startswith(("http://", "https://", "urn:")) else default
