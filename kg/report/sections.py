"""The report's sections and tables, shared by the HTML page and the Markdown file.

Each section is described once (id, heading, intro text, figures, tables) so the two renderings say
the same thing in the same order; :mod:`kg.report.html` and :mod:`kg.report.markdown` only lay it out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..engine.dimensions import by_attribute, registered
from .data import ReportData

__all__ = ["Section", "Table", "Figure", "SECTION_TITLES", "HEADERS", "build_sections", "cell", "header"]

#: id -> heading, in page order (tests check these headings are shown)
SECTION_TITLES = {
    "matrix": "Equivalence matrix",
    "analogs": "Top analogs per biological mechanism",
    "partial": "Partial analogies: what the top analog lacks",
    "agreement": "Agreement with the paper",
    "efficiency": "Efficiency-hypothesis gaps",
    "pathology": "Pathology mapping and intervention transfer",
    "disanalogies": "Where the analogy breaks",
    "graph": "Graph size and quality",
    "weights": "Weights and sensitivity",
    "neighbourhoods": "Mechanism neighbourhoods",
    "data": "Data files",
}


#: column key -> the header a reader sees (keys not listed: underscores become spaces)
HEADERS = {
    "bio": "biological mechanism (ID)", "ann": "ANN mechanism (ID)",
    "bio_label": "biological mechanism", "ann_label": "ANN mechanism",
    "spearman rho": "Spearman ρ", "p value": "p", "pairs": "pairs",
    "degree MRR": "MRR, degree only", "random MRR": "MRR, random",
    "Hits@1": "hits@1", "Hits@3": "hits@3",
    "lacks": "descriptors the analog lacks", "adds": "descriptors the analog adds",
    "clinical_intervention_label": "clinical intervention", "ann_technique_label": "ANN technique",
    "biological_failure_label": "biological failure mode", "ann_failure_label": "ANN failure mode",
    "basis": "basis", "citations": "sources", "label": "name",
    "share stays top": "share of the grid where it stays top", "distinct tops": "distinct top analogs",
    "computed coverage": "computed coverage", "best E": "best E",
    "orders of magnitude": "orders of magnitude (log10)", "total": "individuals",
}


def header(column: str) -> str:
    """The readable header of a table column (the data file keeps the key)."""
    if column in HEADERS:
        return HEADERS[column]
    if column.startswith("paper "):
        return f"paper's {column[6:]} rating"
    return column.replace("_", " ")


def cell(v: Any, digits: int = 3) -> str:
    """Text of one table cell: NaN/None as n/a (never 0), floats rounded."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


@dataclass
class Table:
    title: str
    rows: list[dict[str, Any]]
    columns: list[str]
    data_file: str = ""        # the CSV in data/ holding the full table
    limit: int | None = None   # rows shown (the data file has all)


@dataclass
class Figure:
    name: str                  # file under figures/ (PNG) -- bytes filled in by the builder
    caption: str
    alt: str
    data_file: str = ""


@dataclass
class Section:
    id: str
    intro: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.id]


def _w(weights: dict[str, float]) -> str:
    return ", ".join(f"{d}={w:g}" for d, w in weights.items() if w)


def _dims(d: ReportData) -> str:
    """'S structural, F functional, ...' for the registered dimensions of the matrix."""
    return ", ".join(f"{c.name} {c.label}" for c in registered() if c.name in d.names)


def _rated(d: ReportData, sep: str | None = None):
    """The dimensions Table 1 rates (present in the agreement rows); joined with ``sep`` if given."""
    names = [c.name for c in by_attribute("paper_rating", None)
             if not d.agreement or c.name in d.agreement[0]]
    return sep.join(names) if sep is not None else names


def build_sections(d: ReportData) -> list[Section]:
    """The report's sections (without the per-mechanism cards, which each renderer lays out itself)."""
    res = d.matrix
    ef = d.energy_key
    n_def = d.size.get("pairs with defined E", 0)
    s: list[Section] = []
    s.append(Section("matrix", (
        f"E(b, a) for all {len(res.bio)} × {len(res.ann)} pairs with the {d.preset} weights ({_w(d.weights)}), "
        f"{n_def} of them defined. Rows and columns are ordered by average-linkage clustering of E; mechanisms "
        "with no defined score are set apart at the bottom and right. Grey = undefined (missing data, not 0)."),
        figures=[Figure("heatmap.png", "Equivalence heatmap (clustered)", "heatmap of E", "data/matrix.csv")]))
    s.append(Section("analogs", (
        f"For each biological mechanism its best {3} ANN analogs by E, with the dimension breakdown "
        f"({_dims(d)}; n/a = undefined) and the "
        "engine's reasons (shared terms, the longest aligned causal chain)."),
        tables=[Table("mechanisms whose scores are all undefined", d.undefined_mechanisms,
                      ["bio_label", "bio", "reason"], "data/undefined_mechanisms.csv")]))
    s.append(Section("partial", (
        "J. Harris's framework (section 6) asks what a full analog would require where an analogy is only "
        "partial. For each biological mechanism's top analog: the descriptors of the biological mechanism the "
        "analog has no counterpart for (best Lin similarity below 0.5, most informative first), its causal "
        "steps the analog's chain does not align with, and what the analog adds. `bionn-kg gaps ID` adds, "
        "for each lacking descriptor, the nearest mechanism that has it (docs/partial-analogies.md)."),
        tables=[Table("partial analogies", [{**r, "lacks": len(r["ann_lacks"]), "adds": len(r["bio_lacks"])}
                                            for r in d.partial],
                      ["bio_label", "ann_label", "E", "lacks", "adds", "summary"], "data/partial_analogies.csv")]))
    corr = d.correlations
    s.append(Section("agreement", (
        "How the computed scores compare with what the source documents say (the engine never reads "
        f"them). Left: computed {_rated(d, ' and ')} against Table 1's High/Moderate/Low ratings. Below: "
        "recovery of every "
        "asserted analog pair, as the rank of the asserted partner among all candidates, next to a "
        "degree-only and a random baseline."),
        figures=[Figure("agreement.png", f"Computed {_rated(d, ' and ')} against the paper's ratings",
                        f"scatter of {_rated(d, ' and ')}",
                        "data/agreement.csv"),
                 Figure("recovery.png", "Recovery of asserted analogs (MRR, bio → ANN)", "bar chart of MRR",
                        "data/recovery.csv")],
        tables=[Table("rank correlation with Table 1", corr, ["dimension", "spearman rho", "p value", "pairs"],
                      "data/correlations.csv"),
                Table("Table 1 pairs: computed vs the paper", d.agreement,
                      ["bio_label", "ann_label", *[c for n in _rated(d) for c in (f"paper {n}", n)], "E"],
                      "data/agreement.csv"),
                Table("recovery of asserted analogs", d.recovery,
                      ["direction", "group", "pairs", "MRR", "Hits@1", "Hits@3", "degree MRR", "random MRR"],
                      "data/recovery.csv")]))
    s.append(Section("efficiency", (
        "The efficiency hypothesis (section 4.3), computed: a biological mechanism is unmapped when no ANN "
        "mechanism reaches E >= 0.5 in the engine's results, partial when its best analog does but not on F. "
        "Costs are compared only within one grain (one synaptic event against one multiply-accumulate with "
        "its weight fetch, a whole system against a whole system); 'orders of magnitude' is log10 of the "
        f"cheapest ANN cost over the biological cost (biology's advantage), and {ef} its clipped score. "
        "The sources' asserted coverage stands beside the computed one; missing data is said, never 0 "
        "(docs/efficiency.md)."),
        figures=[Figure("efficiency.png", "biology's energy advantage per grain, beside the best computed E",
                        "orders of magnitude per gap and grain, and best E", "data/efficiency_gaps.csv")],
        tables=[Table("gaps, ranked", d.efficiency,
                      ["rank", "bio_label", "computed coverage", "best analog", "best E", "asserted coverage",
                       "grain", "biological cost", "cheapest ANN", "ANN cost", "orders of magnitude", ef,
                       "note"], "data/efficiency_gaps.csv")]))
    s.append(Section("pathology", (
        "Failure modes of the two domains that the sources put in correspondence (lines), with the "
        "clinical interventions and ANN techniques that mitigate them. An intervention transfers when it "
        "mitigates a failure whose counterpart the other domain's technique mitigates."),
        figures=[Figure("pathology.png", "Pathology mapping (left: biology, right: ANN)", "two-column diagram",
                        "data/pathology_mapping.csv")],
        tables=[Table("intervention transfer", d.interventions,
                      ["clinical_intervention_label", "ann_technique_label", "basis", "biological_failure_label",
                       "ann_failure_label"], "data/intervention_transfer.csv")]))
    open_gaps = sum(1 for r in d.disanalogies if r["closers"] == 0)
    s.append(Section("disanalogies", (
        f"{len(d.disanalogies)} recorded points where biology and ANNs diverge, with the mechanisms they concern "
        f"and the approaches that attempt to close each; {open_gaps} have no closing attempt recorded."),
        tables=[Table("disanalogies", d.disanalogies,
                      ["label", "concerned mechanisms", "attempts to close", "citations"], "data/disanalogies.csv")]))
    q = d.quality_summary
    s.append(Section("graph", (
        f"{d.size.get('triples', 0)} triples; {len(res.bio)} biological and {len(res.ann)} ANN mechanisms. "
        f"Quality checks ({q.get('checks run by', '')}): {q.get('status', 'not run')} — "
        f"{q.get('ERROR', 0)} ERROR, {q.get('WARN', 0)} WARN, {q.get('INFO', 0)} INFO. The reasoner and OWL "
        "profile gates are not run here (slow): run `bionn-kg check` for the full gate."),
        tables=[Table("graph", [{"item": k, "value": v} for k, v in d.size.items()], ["item", "value"],
                      "data/graph_size.json"),
                Table("quality checks", d.quality, ["level", "check", "findings", "examples", "fix"],
                      "data/quality.csv"),
                Table("individuals per class", d.class_counts, ["class", "label", "total"],
                      "data/class_counts.csv", limit=25)]))
    g = d.sensitivity_grid
    stable = [r for r in d.sensitivity if not math.isnan(r["share stays top"])]
    always = sum(1 for r in stable if r["share stays top"] >= 0.999)
    s.append(Section("weights", (
        f"Preset: {d.preset} ({_w(d.weights)}). The dimensions do not depend on the weights, so the top analog "
        f"of each biological mechanism was recomputed at all {g.get('points', 0)} points of a grid with step "
        f"{g.get('step', 0)} on the weight simplex over {', '.join(g.get('dimensions', []))} (others = 0). "
        f"{always} of {len(stable)} mechanisms keep their balanced-preset top analog everywhere."),
        figures=[Figure("sensitivity.png", "Share of the grid where the balanced top analog stays top",
                        "bar chart of stability", "data/sensitivity.csv")],
        tables=[Table("weights", [{"dimension": k, "weight": v} for k, v in d.weights.items()],
                      ["dimension", "weight"], "data/weights.json"),
                Table("top-analog stability", d.sensitivity,
                      ["bio_label", "balanced top", f"{d.preset} top", "share stays top", "distinct tops",
                       "main challenger", "challenger share"], "data/sensitivity.csv")]))
    return s
