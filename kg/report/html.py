"""The self-contained HTML page: inline CSS, images as base64 PNG data URIs or inline SVG, no scripts
or styles from the network, so the page opens from disk on a machine without internet.

A small inline script marks ``<body data-broken-images="N" data-images="COUNT">`` after the load event;
the browser test reads it back from the dumped DOM.
"""
from __future__ import annotations

import base64
import html
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ..engine.dimensions import registered
from .data import ReportData
from .figures import dimension_bars_svg
from .sections import SECTION_TITLES, Section, Table, build_sections, cell, header

__all__ = ["render_html", "data_uri", "data_link"]

CSS = """
:root{--ink:#1d2a33;--muted:#5b6b75;--line:#e3e8ec;--bio:#2a9d8f;--ann:#e76f51;--accent:#264653}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--ink);background:#f6f8fa}
header{background:linear-gradient(120deg,#264653,#2a9d8f);color:#fff;padding:22px 40px 18px}
header h1{margin:0 0 4px;font-size:26px;letter-spacing:.2px}header p{margin:0;opacity:.9}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:8px 40px;
display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px}nav a{color:var(--accent);text-decoration:none}
nav a:hover{text-decoration:underline}
main{max-width:1320px;margin:0 auto;padding:18px 40px 60px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:6px 0 18px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .v{font-size:22px;font-weight:700;color:var(--accent)}.card .k{font-size:12px;color:var(--muted)}
.card.bad .v{color:#b23a48}.card.ok .v{color:#2a7d4f}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 22px;margin:0 0 18px}
h2{margin:0 0 8px;font-size:20px}h3{font-size:15px;margin:16px 0 6px}
p.intro{color:var(--muted);margin:0 0 10px;max-width:1000px}
figure{margin:10px 0 14px}figure img{max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
figcaption{font-size:12px;color:var(--muted)}
figure.wide{overflow-x:auto;max-height:none}figure.wide img{max-width:none;width:auto}
p.data-link{font-size:12px;color:var(--muted);margin:2px 0 12px}a.data{color:var(--accent);font-family:monospace}
table{border-collapse:collapse;font-size:12.5px;margin:4px 0 10px;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f4f6;font-weight:600}th.num{text-align:right}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.na{color:#9aa5ad;font-style:italic}.more{font-size:12px;color:var(--muted)}
.mechs{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:12px}
.mech{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fcfdfd}
.mech h3{margin:0 0 6px}.mech .row{display:flex;gap:12px;align-items:flex-start}
.mech table{font-size:12px}.mech .none{color:var(--muted);font-style:italic}
.legend span{display:inline-block;margin-right:10px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
details summary{cursor:pointer;color:var(--accent)}code{background:#f1f4f6;padding:0 4px;border-radius:3px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px}
"""

SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.images, broken = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (!imgs[i].complete || imgs[i].naturalWidth === 0) { broken++; }
  }
  document.body.setAttribute('data-images', String(imgs.length));
  document.body.setAttribute('data-broken-images', String(broken));
});
"""


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], limit: int | None = None) -> str:
    cols = list(dict.fromkeys(columns))
    if not rows:
        return '<p class="more">(none)</p>'
    shown = rows[:limit] if limit else rows
    numeric = {c for c in cols if any(_is_num(r.get(c)) for r in rows[:20])}
    out = ["<table><thead><tr>", *(f'<th class="num">{_e(header(c))}</th>' if c in numeric else
                                   f"<th>{_e(header(c))}</th>" for c in cols), "</tr></thead><tbody>"]
    for r in shown:
        out.append("<tr>")
        for c in cols:
            v = r.get(c)
            na = v is None or (isinstance(v, float) and math.isnan(v))
            cls = "na" if na else "num" if _is_num(v) else ""
            out.append(f'<td class="{cls}">{_e(cell(v))}</td>' if cls else f"<td>{_e(cell(v))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if limit and len(rows) > limit:
        out.append(f'<p class="more">{len(rows) - limit} more rows in the data file.</p>')
    return "".join(out)


def data_link(path: str) -> str:
    """A relative link to a file of the report (data/..., figures/...): opens from disk, no network."""
    return f'<a class="data" href="{_e(path)}">{_e(path)}</a>'


def _table_block(t: Table) -> str:
    link = f'<p class="data-link">Data: {data_link(t.data_file)}</p>' if t.data_file else ""
    return f"<h3>{_e(t.title)}</h3>" + table_html(t.rows, t.columns, t.limit) + link


def _section(sec: Section, images: Mapping[str, bytes], extra: str = "") -> str:
    parts = [f'<section id="{sec.id}"><h2>{_e(sec.title)}</h2><p class="intro">{_e(sec.intro)}</p>']
    for fig in sec.figures:
        png = images.get(fig.name)
        if png is None:
            continue
        wide = ' class="wide"' if fig.name == "heatmap.png" else ""  # labels readable at full size: scroll
        parts.append(f'<figure{wide}><img src="{data_uri(png)}" alt="{_e(fig.alt)}">'
                     f'<figcaption>{_e(fig.caption)}</figcaption>'
                     f'<p class="data-link">Data: {data_link(fig.data_file)} · image: '
                     f'{data_link("figures/" + fig.name)}</p></figure>')
    parts.append(extra)
    parts.extend(_table_block(t) for t in sec.tables)
    parts.append("</section>")
    return "".join(parts)


def _mechanism_cards(d: ReportData, diagrams: Mapping[str, str]) -> str:
    by_bio: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in d.top_analogs:
        by_bio[r["bio"]].append(r)
    names = {dim.name: dim.label for dim in registered()}
    legend = "".join(f'<span><i style="background:{c}"></i>{k} {_e(names.get(k, ""))}</span>'
                     for k, c in d.colours().items())
    legend += '<span>(bars: each dimension\'s score of the top analogs, 0 to 1)</span>'
    out = [f'<p class="legend">{legend}</p><div class="mechs">']
    undefined = {r["bio"]: r["reason"] for r in d.undefined_mechanisms}
    for b in sorted(d.matrix.bio, key=lambda m: d.label(m).casefold()):
        cb = d.curie[b]
        rows = by_bio.get(cb, [])
        out.append(f'<div class="mech" id="m-{_e(d.slug(b))}"><h3>{_e(d.label(b))} <span class="more">'
                   f'{_e(cb)}</span></h3>')
        if rows:
            out.append('<div class="row"><div>' + dimension_bars_svg(rows) + "</div><div style='flex:1'>")
            out.append(table_html([{"#": r["rank"], "ANN analog": r["ann_label"], "E": r["E"],
                                    "reasons": r["reasons"] or "—"} for r in rows], ["#", "ANN analog", "E", "reasons"]))
            if rows[0].get("lacks"):
                out.append(f'<p class="more">Top analog lacks: {_e(rows[0]["lacks"])}</p>')
            out.append("</div></div>")
        svg = diagrams.get(b)
        if svg:
            out.append(f'<details id="n-{_e(d.slug(b))}"><summary>neighbourhood diagram</summary>{svg}</details>')
        else:
            out.append(f'<p class="none">{_e(undefined.get(cb, "no defined analog"))}</p>')
        out.append("</div>")
    out.append("</div>")
    out.append(f'<p class="data-link">Data: {data_link("data/top_analogs.csv")} · bar charts: '
               f'<code>bars/</code> (SVG)</p>')
    return "".join(out)


def _neighbourhoods(d: ReportData, diagrams: Mapping[str, str]) -> str:
    sec_intro = ("Each mechanism with its structural features, functional roles, computational primitives and "
                 "failure modes, and its three best analogs on the other side (edge labels: E). Images are also "
                 "in <code>mechanisms/</code> (SVG).")
    out = [f'<section id="neighbourhoods"><h2>{_e(SECTION_TITLES["neighbourhoods"])}</h2>'
           f'<p class="intro">{sec_intro}</p>']
    bio = sorted(d.matrix.bio, key=lambda x: d.label(x).casefold())
    out.append("<h3>Biological mechanisms</h3><p>Each is under its card in "
               f'<a href="#analogs">{_e(SECTION_TITLES["analogs"])}</a>: '
               + ", ".join(f'<a href="#m-{_e(d.slug(m))}">{_e(d.label(m))}</a>' for m in bio) + ".</p>")
    for side, mechs in (("ANN mechanisms", d.matrix.ann),):
        out.append(f"<h3>{side}</h3>")
        for m in sorted(mechs, key=lambda x: d.label(x).casefold()):
            svg = diagrams.get(m)
            if svg is None:
                continue
            out.append(f'<details id="n-{_e(d.slug(m))}"><summary>{_e(d.label(m))}</summary>{svg}</details>')
    out.append(f'<p class="data-link">Data: {data_link("data/neighbourhoods.json")}</p>')
    out.append("</section>")
    return "".join(out)


def _cards(d: ReportData) -> str:
    q = d.quality_summary
    corr = {c["dimension"]: c["spearman rho"] for c in d.correlations}
    allrec = next((r for r in d.recovery if r["group"] == "all" and r["direction"] == "bio->ann"), {})
    items = [
        (f"{len(d.matrix.bio)} × {len(d.matrix.ann)}", "biological × ANN mechanisms", ""),
        (f"{d.size.get('pairs with defined E', 0)}", f"pairs with a defined E (of {d.size.get('pairs', 0)})", ""),
        (f"{d.size.get('triples', 0)}", "triples in the graph", ""),
        (q.get("status", "not run"), f"quality checks ({q.get('WARN', 0)} warnings)",
         "ok" if q.get("status") == "passed" else "bad"),
        (" / ".join(cell(corr.get(k), 2) for k in corr), f"Spearman ρ of {' / '.join(corr)} with Table 1", ""),
        (cell(allrec.get("MRR"), 2), f"MRR of asserted analogs (random {cell(allrec.get('random MRR'), 2)})", ""),
        (d.preset, ", ".join(f"{k}={v:g}" for k, v in d.weights.items() if v), ""),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card {cls}"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>'
        for v, k, cls in items) + "</div>"


def render_html(d: ReportData, images: Mapping[str, bytes], diagrams: Mapping[str, str], generated: str,
                data_files: Sequence[str]) -> str:
    """The whole page as one string."""
    sections = build_sections(d)
    nav = "".join(f'<a href="#{k}">{_e(v)}</a>' for k, v in SECTION_TITLES.items())
    body = []
    for sec in sections:
        body.append(_section(sec, images, _mechanism_cards(d, diagrams) if sec.id == "analogs" else ""))
    body.append(_neighbourhoods(d, diagrams))
    files = "".join(f"<li>{data_link(f)}</li>" for f in data_files)
    body.append(f'<section id="data"><h2>{_e(SECTION_TITLES["data"])}</h2><p class="intro">Every figure and '
                f'table above is backed by a file next to this page (CSV or JSON); the Markdown version is '
                f'<code>report.md</code>.</p><ul>{files}</ul></section>')
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>bionn-kg report</title><style>{CSS}</style></head><body>"
            f"<header><h1>BioNN–ANN equivalence report</h1><p>What the knowledge graph says and what the "
            f"equivalence engine finds · preset <b>{_e(d.preset)}</b> · generated {_e(generated)} by "
            f"<code style='background:rgba(255,255,255,.15)'>bionn-kg report</code></p></header>"
            f"<nav>{nav}</nav><main>{_cards(d)}{''.join(body)}</main>"
            f"<footer>bionn-kg · E(b, a) = Σ w_d x_d / Σ_defined w_d · undefined is shown as n/a, never as 0</footer>"
            f"<script>{SCRIPT}</script></body></html>")
