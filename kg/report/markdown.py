"""``report.md``: the same sections as the HTML page, with images referenced as files next to it."""
from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from .data import ReportData
from .sections import SECTION_TITLES, Table, build_sections, cell, header

__all__ = ["render_markdown"]


def _md_text(s: str) -> str:
    """Text from the graph (labels) as Markdown text: raw HTML in it is shown, never rendered."""
    return html.escape(s, quote=False)


def _md_cell(v: Any) -> str:
    return _md_text(cell(v)).replace("|", "\\|").replace("\n", " ")


def table_md(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], limit: int | None = None) -> str:
    cols = list(dict.fromkeys(columns))
    if not rows:
        return "(none)\n"
    shown = rows[:limit] if limit else rows
    out = ["| " + " | ".join(_md_cell(header(c)) for c in cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    out += ["| " + " | ".join(_md_cell(r.get(c)) for c in cols) + " |" for r in shown]
    if limit and len(rows) > limit:
        out.append(f"\n{len(rows) - limit} more rows in the data file.")
    return "\n".join(out) + "\n"


def _link(path: str) -> str:
    return f"[{path}]({path})"


def _table(t: Table) -> str:
    src = f"\nData: {_link(t.data_file)}\n" if t.data_file else ""
    return f"### {t.title}\n\n" + table_md(t.rows, t.columns, t.limit) + src


def _analogs(d: ReportData) -> str:
    by_bio: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in d.top_analogs:
        by_bio[r["bio"]].append(r)
    undefined = {r["bio"]: r["reason"] for r in d.undefined_mechanisms}
    out = []
    for b in sorted(d.matrix.bio, key=lambda m: d.label(m).casefold()):
        cb = d.curie[b]
        out.append(f"### {_md_text(d.label(b))} (`{cb}`)\n")
        rows = by_bio.get(cb, [])
        if rows:
            out.append(f"![dimension bars](bars/{d.slug(b)}.svg) ![neighbourhood](mechanisms/{d.slug(b)}.svg)\n")
            out.append(table_md(rows, ["rank", "ann_label", "E", *d.names, "reasons"]))
            lacks = rows[0].get("lacks")
            if lacks:
                out.append(f"Top analog lacks: {lacks}\n")
        else:
            out.append(f"_{undefined.get(cb, 'no defined analog')}_\n")
    return "\n".join(out)


def render_markdown(d: ReportData, generated: str, data_files: Sequence[str]) -> str:
    lines = ["# BioNN–ANN equivalence report\n",
             f"Generated {generated} by `bionn-kg report`; preset **{d.preset}** "
             f"({', '.join(f'{k}={v:g}' for k, v in d.weights.items() if v)}). The HTML version is `index.html`.\n",
             "Contents: " + " · ".join(f"[{v}](#{v.lower().replace(' ', '-')})" for v in SECTION_TITLES.values())
             + "\n"]
    for sec in build_sections(d):
        lines.append(f"## {sec.title}\n\n{sec.intro}\n")
        for fig in sec.figures:
            lines.append(f"![{fig.alt}](figures/{fig.name})\n\n_{fig.caption}_\n\nData: {_link(fig.data_file)}\n")
        if sec.id == "analogs":
            lines.append(_analogs(d) + f"\nData: {_link('data/top_analogs.csv')}\n")
        lines.extend(_table(t) for t in sec.tables)
    lines.append(f"## {SECTION_TITLES['neighbourhoods']}\n\nOne diagram per mechanism in `mechanisms/`:\n")
    lines.append("\n".join(f"- [{_md_text(d.label(m))}](mechanisms/{d.slug(m)}.svg)"
                           for m in sorted(d.matrix.bio + d.matrix.ann, key=lambda x: d.label(x).casefold())) + "\n")
    lines.append(f"Data: {_link('data/neighbourhoods.json')}\n")
    lines.append(f"## {SECTION_TITLES['data']}\n\n" + "\n".join(f"- {_link(f)}" for f in data_files) + "\n")
    return "\n".join(lines)
