"""One picture per mechanism: its features, roles, primitives, failure modes and best three analogs.

Built with networkx (a star around the mechanism, each kind of neighbour in its own sector so the
layout is stable and readable without a force simulation) and drawn as SVG.
"""
from __future__ import annotations

from html import escape
import numpy as np

from .data import ReportData
from .figures import _short

__all__ = ["neighbourhood_svg", "best_analogs", "KIND_STYLE"]

#: node kind -> (colour, legend text)
KIND_STYLE = {
    "mechanism": ("#264653", "mechanism"),
    "feature": ("#4C72B0", "structural feature"),
    "role": ("#55A868", "functional role"),
    "primitive": ("#2a9d8f", "computational primitive"),
    "failure": ("#8172B2", "failure mode"),
    "analog": ("#e76f51", "best analogs (E)"),
}
MAX_PER_KIND = 6


def _nx():
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - a dependency of the report
        from ..errors import KGError
        raise KGError("the report's neighbourhood diagrams need networkx", hint="pip install networkx") from None
    return nx


def _graph(data: ReportData, iri: str, analogs: list[tuple[str, float]]):
    nx = _nx()
    G = nx.Graph()
    G.add_node(iri, kind="mechanism", label=data.label(iri))
    nb = data.neighbourhoods.get(iri, {})
    for kind in ("feature", "role", "primitive", "failure"):
        items = sorted(nb.get(kind, []), key=lambda t: t[1])
        for term, lab in items[:MAX_PER_KIND]:
            G.add_node(term, kind=kind, label=lab)
            G.add_edge(iri, term, kind=kind, label="")
        if len(items) > MAX_PER_KIND:
            more = f"{iri}#more-{kind}"
            G.add_node(more, kind=kind, label=f"+{len(items) - MAX_PER_KIND} more")
            G.add_edge(iri, more, kind=kind, label="")
    for other, e in analogs:
        G.add_node(other, kind="analog", label=f"{_short(data.label(other), 30)}  E={e:.2f}")
        G.add_edge(iri, other, kind="analog", label="")
    return G


def _layout(G, centre: str) -> tuple[dict[str, tuple[float, float]], int]:
    """Two fans around the centre: analogs and failure modes on the left, the mechanism's own
    descriptors (features, roles, primitives) on the right, each list evenly spaced so labels never
    overlap. Returns pixel positions and the height needed."""
    W, top, step = 940, 48, 26
    left = [n for k in ("analog", "failure") for n, d in G.nodes(data=True) if d["kind"] == k]
    right = [n for k in ("feature", "role", "primitive") for n, d in G.nodes(data=True) if d["kind"] == k]
    rows = max(len(left), len(right), 5)
    H = top + rows * step + 20
    cy = top + rows * step / 2
    pos = {centre: (W / 2, cy)}
    for nodes, x in ((left, W / 2 - 200), (right, W / 2 + 200)):
        y0 = cy - (len(nodes) - 1) * step / 2
        for i, n in enumerate(nodes):
            pos[n] = (x, y0 + i * step)
    return pos, H


def neighbourhood_svg(data: ReportData, iri: str, analogs: list[tuple[str, float]]) -> str:
    """The neighbourhood diagram of one mechanism as a standalone SVG document.

    Drawn directly as SVG rather than through matplotlib: a diagram per mechanism must stay cheap
    (milliseconds, a few kB) however many mechanisms the graph holds, and SVG text stays sharp.
    """
    nx = _nx()
    G = _graph(data, iri, analogs)
    pos, H = _layout(G, iri)
    W = 940
    cx, cy = pos[iri]
    kinds = nx.get_node_attributes(G, "kind")

    def xy(n: str) -> tuple[float, float]:
        return pos[n]

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" role="img" '
           f'aria-label="neighbourhood of {escape(data.label(iri))}">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    present = sorted({kinds[n] for n in G.nodes}, key=list(KIND_STYLE).index)
    lx = 10
    for k in present:
        colour, text = KIND_STYLE[k]
        out.append(f'<circle cx="{lx + 6}" cy="16" r="6" fill="{colour}"/>'
                   f'<text x="{lx + 16}" y="20" font-size="12" fill="#333">{escape(text)}</text>')
        lx += 36 + 7.5 * len(text)
    for u, v, d in G.edges(data=True):
        (x1, y1), (x2, y2) = xy(u), xy(v)
        analog = d["kind"] == "analog"
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{KIND_STYLE["analog"][0] if analog else "#c4c4c4"}" '
                   f'stroke-width="{2.5 if analog else 1}"/>')
        if d["label"]:
            mx = x1 + 0.55 * (x2 - x1)
            my = y1 + 0.55 * (y2 - y1)
            out.append(f'<rect x="{mx - 24:.1f}" y="{my - 9:.1f}" width="48" height="16" rx="4" fill="white"/>'
                       f'<text x="{mx:.1f}" y="{my + 3.5:.1f}" font-size="11" text-anchor="middle" '
                       f'fill="{KIND_STYLE["analog"][0]}" font-weight="bold">{escape(d["label"])}</text>')
    for n in G.nodes:
        k = kinds[n]
        x, y = xy(n)
        colour = KIND_STYLE[k][0]
        label = G.nodes[n]["label"]
        if k == "mechanism":
            continue
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" stroke="white" stroke-width="1.5">'
                   f'<title>{escape(KIND_STYLE[k][1])}: {escape(label)}</title></circle>')
        anchor = "start" if x > cx else "end"
        dx = 11 if anchor == "start" else -11
        dy = 4
        weight = ' font-weight="bold"' if k == "analog" else ""
        out.append(f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" font-size="12" text-anchor="{anchor}" '
                   f'fill="#222"{weight}>{escape(_short(label, 40))}</text>')
    x, y = xy(iri)
    title = _short(data.label(iri), 44)
    tw = 7.4 * len(title) + 20
    out.append(f'<circle cx="{x}" cy="{y}" r="13" fill="{KIND_STYLE["mechanism"][0]}"/>'
               f'<rect x="{x - tw / 2:.1f}" y="{y + 16:.1f}" width="{tw:.1f}" height="22" rx="5" fill="white" '
               f'stroke="{KIND_STYLE["mechanism"][0]}"/>'
               f'<text x="{x}" y="{y + 31:.1f}" font-size="13" font-weight="bold" text-anchor="middle" '
               f'fill="{KIND_STYLE["mechanism"][0]}">{escape(title)}</text>')
    if len(G) == 1:
        out.append(f'<text x="{cx}" y="{cy + 60}" font-size="12" text-anchor="middle" fill="#777">no features, '
                   f'roles, primitives, failure modes or defined analogs recorded</text>')
    out.append("</svg>")
    return "".join(out)


def best_analogs(data: ReportData, iri: str, k: int = 3) -> list[tuple[str, float]]:
    """The k best partners of a mechanism on the other side (defined E only)."""
    res = data.matrix
    if iri in data.bio_pos:
        row = res.E[data.bio_pos[iri]]
        others = res.ann
    else:
        row = res.E[:, data.ann_pos[iri]]
        others = res.bio
    En = np.nan_to_num(row, nan=-np.inf)
    order = np.argsort(-En, kind="stable")[:k]
    return [(others[j], float(row[j])) for j in order if np.isfinite(En[j])]

