"""The report's figures, drawn with matplotlib's Agg backend (no display) and returned as PNG bytes.

matplotlib is imported inside :func:`_plt` so that importing the report package stays cheap. Every
figure is drawn from :class:`~kg.report.data.ReportData`; undefined values (NaN) are drawn as such
(grey cells, a separate "no data" strip), never as 0.
"""
from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

from ..engine.dimensions import by_attribute, colours
from .data import ReportData

__all__ = ["heatmap", "agreement_scatter", "recovery_chart", "efficiency_chart", "pathology_diagram",
           "sensitivity_chart", "dimension_bars_svg"]

BIO, ANN, GREY = "#2a9d8f", "#e76f51", "#bbbbbb"


def __getattr__(name: str):
    if name == "DIM_COLOURS":  # dimension -> colour, from the registry
        return dict(colours())
    raise AttributeError(name)


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "figure.dpi": 100, "savefig.bbox": "tight", "axes.titleweight": "bold"})
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    _plt().close(fig)
    return buf.getvalue()


def _short(text: str, n: int = 32) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` on at most ``lines`` lines of ``width`` characters, the last shortened with an ellipsis.

    >>> _wrap("lottery ticket pruning and rewinding", 14, 2)
    ['lottery ticket', 'pruning and r…']
    """
    words, out, cur = text.split(), [], ""
    for k, w in enumerate(words):
        if len(out) == lines - 1:  # last line: the rest, shortened
            out.append(_short(" ".join([cur, *words[k:]]).strip(), width))
            return out
        if not cur or len(cur) + 1 + len(w) <= width:
            cur = f"{cur} {w}".strip()
        else:
            out.append(_short(cur, width))
            cur = w
    if cur:
        out.append(_short(cur, width))
    return out[:lines]


def _grain(text: str) -> str:
    """A grain's short name: its label without the parenthesised detail ("one signal over one connection")."""
    return text.split(" (", 1)[0]


def _empty(message: str, size=(6, 1.2)) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=size)
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#666")
    return _png(fig)


# -- equivalence matrix ----------------------------------------------------------------------------
def heatmap(data: ReportData) -> bytes:
    """E(b, a) for every pair, rows and columns in clustered order; undefined pairs grey."""
    plt = _plt()
    res = data.matrix
    if not res.bio or not res.ann:
        return _empty("no mechanisms to compare")
    E = res.E[np.ix_(data.order_bio, data.order_ann)]
    nb, na = E.shape
    show_labels = nb <= 120 and na <= 120
    w = min(22, max(7, 2.5 + 0.19 * na)) if show_labels else 12
    h = min(26, max(5, 2.0 + 0.17 * nb)) if show_labels else 10
    fig, ax = plt.subplots(figsize=(w, h))
    cmap = plt.get_cmap("viridis").with_extremes(bad="#e6e6e6")
    im = ax.imshow(np.ma.masked_invalid(E), cmap=cmap, vmin=0, vmax=max(0.01, float(np.nanmax(E)) if
                                                                          np.isfinite(E).any() else 1),
                   aspect="auto", interpolation="nearest")
    if show_labels:
        ax.set_yticks(range(nb), [_short(data.label(res.bio[i]), 36) for i in data.order_bio], fontsize=8)
        ax.set_xticks(range(na), [_short(data.label(res.ann[j]), 32) for j in data.order_ann], fontsize=8,
                      rotation=60, ha="right", rotation_mode="anchor")
    else:
        ax.set_yticks([]), ax.set_xticks([])
    ax.set_ylabel("biological mechanism", fontsize=11), ax.set_xlabel("ANN mechanism", fontsize=11)
    for s in ax.spines.values():
        s.set_visible(False)
    # the scale sits above the matrix, at its left: seen first, also when the page shows the figure at
    # full size (readable labels) and the reader has not scrolled to the right
    cb = fig.colorbar(im, ax=ax, location="top", fraction=0.012, pad=0.015, shrink=0.3, anchor=(0.0, 0.0),
                      panchor=(0.0, 1.0))
    cb.ax.set_title(f"Equivalence E(b, a) of every pair ({data.preset} weights), rows and columns clustered",
                    fontsize=12, fontweight="bold", loc="left", pad=8)
    cb.ax.tick_params(labelsize=9)
    cb.ax.set_xlabel("colour scale: E(b, a), 0 = nothing in common, higher = more equivalent; "
                     "grey = undefined (missing data)", fontsize=9, loc="left")
    return _png(fig)


# -- agreement with the paper ----------------------------------------------------------------------
RATING_X = {"High": 2, "Moderate": 1, "Low": 0}


def agreement_scatter(data: ReportData) -> bytes:
    """Each computed dimension the paper rates (Table 1: structural, functional) against the paper's
    High/Moderate/Low ratings, one point per pair."""
    rows = data.agreement
    rated = [d for d in by_attribute("paper_rating", None) if rows and d.name in rows[0]]
    if not rows or not rated:
        return _empty("no Table 1 pair is in the graph")
    plt = _plt()
    fig, axes = plt.subplots(1, len(rated), figsize=(4.25 * len(rated), 3.4), sharey=True, squeeze=False)
    rng = np.random.default_rng(0)
    rho = {c["dimension"]: c for c in data.correlations}
    for ax, dim in zip(axes[0], rated):
        xs, ys, missing = [], [], 0
        for r in rows:
            x = RATING_X.get(str(r.get(f"paper {dim.name}")))
            if x is None or r[dim.name] is None or math.isnan(r[dim.name]):
                missing += 1
                continue
            xs.append(x + rng.uniform(-0.12, 0.12))
            ys.append(r[dim.name])
        ax.scatter(xs, ys, s=28, color=dim.colour, alpha=0.8, edgecolor="white", linewidth=0.5)
        ax.set_xticks([0, 1, 2], ["Low", "Moderate", "High"])
        ax.set_xlim(-0.5, 2.5), ax.set_ylim(-0.02, 1.02)
        c = rho.get(dim.name, {})
        r_ = c.get("spearman rho", float("nan"))
        ax.set_title(f"{dim.name}: Spearman ρ = {'n/a' if r_ is None or math.isnan(r_) else f'{r_:.2f}'} "
                     f"(n = {c.get('pairs', 0)})", fontsize=9)
        ax.set_xlabel(f"paper's {dim.paper_rating} rating")
        if missing:
            ax.text(0.02, 0.97, f"{missing} pair(s) undefined", transform=ax.transAxes, va="top", fontsize=7,
                    color="#666")
    axes[0][0].set_ylabel("computed similarity")
    return _png(fig)


def recovery_chart(data: ReportData) -> bytes:
    """MRR of the engine against the degree-only and random baselines, per group of asserted pairs."""
    rows = [r for r in data.recovery if r["direction"] == "bio->ann"]
    if not rows:
        return _empty("no asserted analog pair is in the graph")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.5, 0.5 + 0.45 * len(rows)))
    y = np.arange(len(rows))
    for k, (col, colour, name) in enumerate((("MRR", "#264653", "engine"), ("degree MRR", "#e9c46a", "degree only"),
                                             ("random MRR", GREY, "random"))):
        ax.barh(y + (k - 1) * 0.27, [r[col] for r in rows], height=0.27, color=colour, label=name)
    ax.set_yticks(y, [f"{r['group']} ({r['pairs']})" for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("mean reciprocal rank of the asserted ANN partner (bio -> ANN)")
    ax.set_xlim(0, 1)
    ax.legend(loc="lower right", frameon=False)
    return _png(fig)


# -- efficiency hypothesis -------------------------------------------------------------------------
def efficiency_chart(data: ReportData) -> bytes:
    """Biology's energy advantage per gap and grain (left, orders of magnitude; 0 = equal cost) beside the
    best computed E (right). A row without costs on both sides says "no cost data" instead of a point:
    missing is shown as missing, never as 0. Only the rows with a cost comparison and the first rows
    without one are drawn (all are in the table and the CSV)."""
    rows = [r for r in data.efficiency if not math.isnan(r["orders of magnitude"])]
    rows += [r for r in data.efficiency if math.isnan(r["orders of magnitude"])][:max(0, 30 - len(rows))]
    if not rows:
        return _empty("no efficiency-hypothesis gap is recorded")
    plt = _plt()
    n = len(rows)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11.5, 1.2 + 0.27 * n), sharey=True, width_ratios=[1.2, 1])
    y = np.arange(n)
    oom = [r["orders of magnitude"] for r in rows]
    lim = max([abs(v) for v in oom if not math.isnan(v)] + [1.0]) * 1.15
    ax.axvline(0, color=GREY, lw=0.8, ls="--")
    for k, v in enumerate(oom):
        if math.isnan(v):
            ax.text(0, k, "no cost data for both sides", ha="center", va="center", fontsize=7.5, color="#888",
                    style="italic", bbox={"fc": "white", "ec": "none", "pad": 0.5})
        else:
            ax.barh([k], [v], color="#2a9d8f" if v > 0 else "#e76f51", height=0.6)
    ax.set_yticks(y, [f"{r['rank']}. {_short(r['bio_label'], 32)}" + (f" ({_short(_grain(r['grain']), 28)})"
                                                                     if r['grain'] else "") for r in rows],
                  fontsize=8)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("orders of magnitude: log10(ANN cost / biological cost)\n> 0: biology cheaper")
    ax.invert_yaxis()
    best = [r["best E"] for r in rows]
    bx.barh(y, [0 if math.isnan(v) else v for v in best], color=["#e6e6e6" if math.isnan(v) else "#264653"
                                                                  for v in best], height=0.6)
    bx.axvline(0.5, color=GREY, lw=0.8, ls="--")
    for k, v in enumerate(best):
        label = "E undefined" if math.isnan(v) else _short(rows[k]["best analog"], 26)
        bx.text((0 if math.isnan(v) else v) + 0.01, k, label, va="center", fontsize=7.5, color="#555")
    bx.set_xlim(0, 1)
    bx.set_xlabel("best computed E and that analog\n(dashed: the threshold tau = 0.5)")
    fig.suptitle("Efficiency hypothesis: biology's energy advantage where no ANN analog reaches E >= 0.5",
                 fontsize=9, fontweight="bold", y=1 - 0.12 / fig.get_figheight())
    fig.tight_layout()
    return _png(fig)


# -- pathology mapping and intervention transfer ---------------------------------------------------
def pathology_diagram(data: ReportData) -> bytes:
    """Biological failure modes (left) and ANN failure modes (right), a line per correspondence;
    the interventions mitigating each are written beside it."""
    if not data.pathology:
        return _empty("no failure correspondences are recorded")
    plt = _plt()
    bio = sorted({(r["biological_failure"], r["biological_failure_label"]) for r in data.pathology},
                 key=lambda t: t[1])
    ann = sorted({(r["ann_failure"], r["ann_failure_label"]) for r in data.pathology}, key=lambda t: t[1])
    bio_iv: dict[str, set[str]] = {}
    ann_iv: dict[str, set[str]] = {}
    for r in data.interventions:
        if r["biological_failure_label"]:
            bio_iv.setdefault(r["biological_failure_label"], set()).add(r["clinical_intervention_label"])
        if r["ann_failure_label"]:
            ann_iv.setdefault(r["ann_failure_label"], set()).add(r["ann_technique_label"])
    n = max(len(bio), len(ann))
    fig, ax = plt.subplots(figsize=(11, 0.9 + 0.55 * n))
    ax.axis("off")
    ax.set_xlim(0, 1), ax.set_ylim(-0.8, n)
    yb = {iri: n - 1 - k * (n / max(1, len(bio))) - (n / max(1, len(bio)) - 1) / 2 for k, (iri, _) in enumerate(bio)}
    ya = {iri: n - 1 - k * (n / max(1, len(ann))) - (n / max(1, len(ann)) - 1) / 2 for k, (iri, _) in enumerate(ann)}
    xl, xr = 0.36, 0.64
    for r in data.pathology:
        ax.plot([xl, xr], [yb[r["biological_failure"]], ya[r["ann_failure"]]], color="#999", lw=1.2, zorder=1)
    for iri, lab in bio:
        ax.scatter([xl], [yb[iri]], s=60, color=BIO, zorder=2)
        ax.text(xl - 0.015, yb[iri] + 0.12, _short(lab, 42), ha="right", va="center", fontsize=8.5)
        iv = bio_iv.get(lab)
        if iv:
            ax.text(xl - 0.015, yb[iri] - 0.22, "treated by: " + _short(", ".join(sorted(iv)), 50), ha="right",
                    va="center", fontsize=7, color=BIO, style="italic")
    for iri, lab in ann:
        ax.scatter([xr], [ya[iri]], s=60, color=ANN, zorder=2)
        ax.text(xr + 0.015, ya[iri] + 0.12, _short(lab, 42), ha="left", va="center", fontsize=8.5)
        iv = ann_iv.get(lab)
        if iv:
            ax.text(xr + 0.015, ya[iri] - 0.22, "mitigated by: " + _short(", ".join(sorted(iv)), 50), ha="left",
                    va="center", fontsize=7, color=ANN, style="italic")
    ax.text(xl, n - 0.2 + 0.5, "biological failure mode", ha="center", fontweight="bold", color=BIO)
    ax.text(xr, n - 0.2 + 0.5, "ANN failure mode", ha="center", fontweight="bold", color=ANN)
    ax.set_ylim(-0.8, n + 0.6)
    return _png(fig)


# -- sensitivity -----------------------------------------------------------------------------------
def sensitivity_chart(data: ReportData) -> bytes:
    """Per biological mechanism, the share of weight-grid points where its balanced top analog stays top."""
    rows = [r for r in data.sensitivity if not math.isnan(r["share stays top"])]
    if not rows:
        return _empty("no biological mechanism has a defined top analog")
    plt = _plt()
    rows = sorted(rows, key=lambda r: (r["share stays top"], r["bio_label"]))
    fig, ax = plt.subplots(figsize=(9.5, 0.8 + 0.22 * len(rows)))
    y = np.arange(len(rows))
    shares = np.array([r["share stays top"] for r in rows])
    colours = plt.get_cmap("RdYlGn")(shares * 0.85 + 0.1)
    ax.barh(y, shares, color=colours, height=0.75)
    ax.set_yticks(y, [f"{_short(r['bio_label'], 32)} → {_short(r['balanced top'], 28)}" for r in rows], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of the {data.sensitivity_grid.get('points', 0)} weight-grid points where the balanced "
                  "top analog stays top")
    ax.invert_yaxis()
    return _png(fig)


# -- small per-mechanism bars (inline SVG: crisp, tiny, no matplotlib) ------------------------------
def dimension_bars_svg(analogs: list[dict[str, Any]], dims=None) -> str:
    """A small grouped bar chart: one group per analog (named under it), one bar per dimension (default:
    every registered dimension present in the rows), on a 0-1 scale with grid lines; undefined shown as
    'n/a', never as a zero bar."""
    from html import escape

    cols = colours()
    dims = tuple(d for d in cols if not analogs or d in analogs[0]) if dims is None else dims
    bw, gap, gw_pad, h, top, left = 12, 2, 18, 80, 10, 30
    gw = max(len(dims) * (bw + gap) + gw_pad, 118)
    width = left + max(1, len(analogs)) * gw + 6
    height = top + h + 56
    base = top + h
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="dimension scores of the top analogs" '
             f'font-family="DejaVu Sans, sans-serif">']
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):  # the scale: grid lines and tick labels
        y = base - v * h
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 4}" y2="{y:.1f}" stroke="'
                     f'{"#999" if v == 0 else "#e3e8ec"}" stroke-width="{0.8 if v == 0 else 0.6}"/>')
        if v in (0.0, 0.5, 1.0):
            parts.append(f'<text x="{left - 4}" y="{y + 3.5:.1f}" font-size="10" text-anchor="end" '
                         f'fill="#555">{v:g}</text>')
    parts.append(f'<text x="9" y="{top + h / 2}" font-size="10" fill="#555" text-anchor="middle" '
                 f'transform="rotate(-90 9 {top + h / 2})">score</text>')
    for g, a in enumerate(analogs):
        x0 = left + 6 + g * gw
        for k, d in enumerate(dims):
            v = a.get(d)
            x = x0 + k * (bw + gap)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                parts.append(f'<text x="{x + bw / 2}" y="{base - 3}" font-size="7" fill="#999" '
                             f'text-anchor="middle">n/a<title>{d} undefined</title></text>')
                parts.append(f'<text x="{x + bw / 2}" y="{base + 12}" font-size="10" text-anchor="middle" '
                             f'fill="#aaa">{d}</text>')
                continue
            bh = max(0.5, float(v) * h)
            parts.append(f'<rect x="{x}" y="{base - bh:.1f}" width="{bw}" height="{bh:.1f}" '
                         f'fill="{cols.get(d, GREY)}"><title>{d} = {float(v):.2f}</title></rect>')
            parts.append(f'<text x="{x + bw / 2}" y="{base + 12}" font-size="10" text-anchor="middle" '
                         f'fill="#444">{d}</text>')
        name = str(a.get("ann_label") or a.get("label") or "")
        cx = x0 + (len(dims) * (bw + gap)) / 2
        parts.append(f'<text x="{cx}" y="{base + 26}" font-size="10" text-anchor="middle" font-weight="bold" '
                     f'fill="#333">#{a.get("rank", g + 1)}<title>{escape(name)}</title></text>')
        for n, line in enumerate(_wrap(name, max(6, int((gw - 6) / 6.0)), 2)):
            parts.append(f'<text x="{cx}" y="{base + 38 + 11 * n}" font-size="10" text-anchor="middle" '
                         f'fill="#333">{escape(line)}<title>{escape(name)}</title></text>')
    parts.append("</svg>")
    return "".join(parts)
