"""``bionn-kg report``: from the graph to ``DIR/index.html``, ``DIR/report.md``, ``DIR/data/`` and images.

The report is written into a temporary directory next to DIR and renamed into place at the end, so a
failure half-way leaves no half-written report (and an earlier report, if any, untouched). DIR is
replaced only if it is absent, empty, or a previous report (it holds the marker file written here),
unless ``force`` is given.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import KGError

__all__ = ["build_report", "check_target", "MARKER", "ReportResult"]

MARKER = ".bionn-kg-report"


@dataclass
class ReportResult:
    out: Path
    seconds: float
    files: list[str]


def check_target(out: Path, force: bool = False) -> None:
    """Refuse to replace something that is not a previous report (unless ``force``)."""
    if not out.exists() and not out.is_symlink():
        return
    if force:
        return
    if out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir())):
        return
    what = "a file" if not out.is_dir() else "a directory that is not a bionn-kg report"
    raise KGError(f"{out} exists and is {what}; refusing to replace it",
                  hint="choose another --out, or add --force to replace it")


def _write_rows(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    from ..output import render
    cols = columns or (list(dict.fromkeys(k for r in rows for k in r)) if rows else ["(empty)"])
    path.write_text(render(rows, "csv", columns=cols) + "\n", encoding="utf-8")


def _write_json(path: Path, obj: Any) -> None:
    from ..output import _clean
    path.write_text(json.dumps(_clean(obj), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _write_data(tmp: Path, d) -> list[str]:
    """Every table and figure's data as CSV/JSON under data/; returns the relative paths written."""
    res = d.matrix
    data = tmp / "data"
    data.mkdir()
    rows = res.rows()
    for r in rows:
        r["bio"], r["ann"] = d.curie[r["bio"]], d.curie[r["ann"]]
    tables = {
        "matrix.csv": (rows, None),
        "top_analogs.csv": (d.top_analogs, None),
        "undefined_mechanisms.csv": (d.undefined_mechanisms, ["bio", "bio_label", "reason"]),
        "agreement.csv": (d.agreement, None),
        "correlations.csv": (d.correlations, None),
        "recovery.csv": (d.recovery, None),
        "ranks.csv": (d.ranks, None),
        "efficiency_gaps.csv": (d.efficiency, None),
        "efficiency_gaps_query.csv": (d.efficiency_rows, None),
        "pathology_mapping.csv": (d.pathology, None),
        "intervention_transfer.csv": (d.interventions, None),
        "disanalogies.csv": (d.disanalogies, None),
        "quality.csv": (d.quality, ["level", "check", "findings", "examples", "rule", "fix"]),
        "class_counts.csv": (d.class_counts, None),
        "sensitivity.csv": (d.sensitivity, None),
        "partial_analogies.csv": ([{"bio": r["bio"], "bio_label": r["bio_label"], "ann": r["ann"],
                                    "ann_label": r["ann_label"], "E": r["E"], "side lacking": side,
                                    "dimension": x["dimension"], "id": x["id"], "label": x["label"], "ic": x["ic"]}
                                   for r in d.partial for side, key in (("ann", "ann_lacks"), ("bio", "bio_lacks"))
                                   for x in r[key]],
                                  ["bio", "bio_label", "ann", "ann_label", "E", "side lacking", "dimension", "id",
                                   "label", "ic"]),
    }
    written = []
    for name, (rws, cols) in tables.items():
        _write_rows(data / name, rws, cols)
        written.append(f"data/{name}")
    heat = {"bio": [d.curie[res.bio[i]] for i in d.order_bio], "ann": [d.curie[res.ann[j]] for j in d.order_ann],
            "bio_labels": [d.label(res.bio[i]) for i in d.order_bio],
            "ann_labels": [d.label(res.ann[j]) for j in d.order_ann],
            "E": res.E[d.order_bio][:, d.order_ann].tolist(), "preset": d.preset, "weights": d.weights,
            "note": "rows and columns in the clustered order of the heatmap; null = undefined"}
    jsons = {
        "heatmap.json": heat,
        "graph_size.json": {"size": d.size, "quality": d.quality_summary},
        "weights.json": {"preset": d.preset, "weights": d.weights},
        "sensitivity_grid.json": d.sensitivity_grid,
        "partial_analogies.json": d.partial,
        "neighbourhoods.json": {d.curie[m]: {k: [{"term": d.curie.get(t, t), "label": lab} for t, lab in v]
                                             for k, v in nb.items()}
                                for m, nb in d.neighbourhoods.items() if m in d.bio_pos or m in d.ann_pos},
    }
    for name, obj in jsons.items():
        _write_json(data / name, obj)
        written.append(f"data/{name}")
    return written


def _figures(d, progress: Callable[[str], None], bar: Callable[[Iterable, int, str], Iterable]
             ) -> tuple[dict[str, bytes], dict[str, str]]:
    """(PNG figures by file name, SVG neighbourhood diagrams by mechanism IRI)."""
    from . import figures as fg
    from .neighbourhood import best_analogs, neighbourhood_svg
    images: dict[str, bytes] = {}
    diagrams: dict[str, str] = {}
    progress("figures")
    for name, fn in (("heatmap.png", fg.heatmap), ("agreement.png", fg.agreement_scatter),
                     ("recovery.png", fg.recovery_chart), ("efficiency.png", fg.efficiency_chart),
                     ("pathology.png", fg.pathology_diagram), ("sensitivity.png", fg.sensitivity_chart)):
        images[name] = fn(d)
    mechs = list(d.matrix.bio) + list(d.matrix.ann)
    for m in bar(mechs, len(mechs), "neighbourhood diagrams"):
        diagrams[m] = neighbourhood_svg(d, m, best_analogs(d, m))
    return images, diagrams


def _default_bar(items: Iterable, n: int, label: str) -> Iterable:
    return items


def build_report(out: str | Path, *, extra: Iterable[str | Path] = (), preset: str = "balanced",
                 weights: str | None = None, force: bool = False, endpoint: str | None = None,
                 default_graph: str | None = None,
                 progress: Callable[[str], None] | None = None,
                 bar: Callable[[Iterable, int, str], Iterable] | None = None) -> ReportResult:
    """Build the report into ``out``. ``progress(step)`` is told each step; ``bar(items, n, label)`` may
    wrap the long per-mechanism loop in a progress bar. ``endpoint``: read the graph from a SPARQL
    endpoint (``default_graph``: its named graph) instead of the embedded store."""
    from ..engine import Engine
    from ..engine.weights import resolve_weights
    from ..ids import EntityIndex
    from ..remote import open_graph
    from .data import collect
    from .html import render_html
    from .markdown import render_markdown
    from .figures import dimension_bars_svg

    t0 = time.perf_counter()
    say = progress or (lambda s: None)
    out = Path(out)
    from ..staging import check_target_dir, make_staging, swap_in
    check_target_dir(out)  # never the current folder, its parents, home or a root, even with --force
    check_target(out, force)
    make_staging(out).rmdir()  # repairs a killed run's leftovers; an unwritable --out fails before the work
    resolve_weights(preset, weights)  # bad weights fail before any loading
    say("loading the graph")
    graph = open_graph(endpoint, list(extra), default_graph=default_graph)
    say("extracting features")
    idx = EntityIndex(graph)
    eng = Engine(graph, preset=preset, weights=weights, index=idx)
    d = collect(graph, eng, idx, say)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_staging(out)
    try:
        images, diagrams = _figures(d, say, bar or _default_bar)
        say("writing files")
        (tmp / "figures").mkdir()
        (tmp / "mechanisms").mkdir()
        (tmp / "bars").mkdir()
        for name, png in images.items():
            (tmp / "figures" / name).write_bytes(png)
        for m, svg in diagrams.items():
            (tmp / "mechanisms" / f"{d.slug(m)}.svg").write_text(svg, encoding="utf-8")
        by_bio: dict[str, list[dict[str, Any]]] = {}
        for r in d.top_analogs:
            by_bio.setdefault(r["bio"], []).append(r)
        for b in d.matrix.bio:
            rows = by_bio.get(d.curie[b])
            if rows:
                (tmp / "bars" / f"{d.slug(b)}.svg").write_text(dimension_bars_svg(rows), encoding="utf-8")
        files = _write_data(tmp, d)
        generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        (tmp / "index.html").write_text(render_html(d, images, diagrams, generated, files), encoding="utf-8")
        (tmp / "report.md").write_text(render_markdown(d, generated, files), encoding="utf-8")
        (tmp / MARKER).write_text(json.dumps({"tool": "bionn-kg report", "generated": generated,
                                              "preset": d.preset, "weights": d.weights}) + "\n",
                                  encoding="utf-8")
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = ["index.html", "report.md", *files]
    return ReportResult(out, time.perf_counter() - t0, files)
