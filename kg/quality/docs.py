"""HTML documentation of the ontology and the knowledge graph.

* ``docs/index.html``: the classes and properties, by pyLODE (``pylode==3.3.4``, the ``docs`` extra).
  pyLODE 3.4.1, the newest release for Python 3.11, crashes on import (upstream pyLODE issue #256), so the
  extra pins 3.3.4. pyLODE refuses an ontology without a title; the TBox has dcterms:title.
* ``docs/individuals/``: the individuals (mechanisms, drug classes, failure modes, descriptor terms, ...),
  which pyLODE 3.3.4 leaves out and has no option for: one page per individual (label, IRI, definition,
  types, every statement about it in both directions, sources, cross-references) and an index by class.
  Each class section of ``index.html`` gets a row linking to its individuals.

Pages are plain self-contained HTML (inline CSS, no scripts) written through temporary files.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KGError

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import KnowledgeGraph

__all__ = ["write_docs", "write_individual_pages", "page_name", "INDIVIDUALS_DIR"]

INDIVIDUALS_DIR = "individuals"
BKG = "https://w3id.org/bionn-kg/"
DCT_SOURCE = "http://purl.org/dc/terms/source"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_ON_CLASS_PAGE = 40  # individuals listed inline in a class section; the index lists them all
_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;
color:#222}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;
border-bottom:1px solid #eee}th{width:14rem;color:#555;font-weight:600}code{font-size:.9em}
a{color:#0b57a4}.muted{color:#666}ul.cols{columns:3;padding-left:1.2rem}"""


def page_name(iri: str) -> str:
    """File name of an individual's page: its local name, made safe for a file system."""
    local = iri[len(BKG):] if iri.startswith(BKG) else iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", local) + ".html"


def _pylode_anchor(label: str) -> str:
    """The id pyLODE 3.3.4 gives a class section: its label without spaces, as pyLODE writes it."""
    return re.sub(r"\s+", "", label or "")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")


def _curie(iri: str) -> str:
    from ..ids import curie
    return curie(iri)


def _link_for(value, label: str, members: set[str], classes: dict[str, str], prefix: str) -> str:
    """A value as HTML: an individual links to its page, a class to its pyLODE section, an IRI to itself."""
    text = str(value)
    if not text.startswith(("http://", "https://")):
        return html.escape(text)
    shown = html.escape(label or _curie(text))
    code = f' <code class="muted">{html.escape(_curie(text))}</code>' if label else ""
    if text in members:
        return f'<a href="{prefix}{html.escape(page_name(text))}">{shown}</a>{code}'
    if text in classes:
        return f'<a href="{prefix}../index.html#{html.escape(classes[text])}">{shown}</a>{code}'
    return f'<a href="{html.escape(text)}">{shown}</a>{code}'


def write_individual_pages(kg: "KnowledgeGraph", out_dir: Path) -> list[Path]:
    """Write ``out_dir/individuals/<name>.html`` for every individual and ``out_dir/individuals/index.html``.

    Returns the paths written (the index first).
    """
    from ..release import write_text_atomic

    rows = kg.select_named("release/doc_individuals")
    members: dict[str, dict] = {}
    by_class: dict[str, list[str]] = defaultdict(list)
    classes: dict[str, str] = {}  # class IRI -> pyLODE anchor
    class_labels: dict[str, str] = {}
    for r in rows:
        m = members.setdefault(r["entity"], {"label": r.get("label") or "", "definition": r.get("definition") or "",
                                             "classes": []})
        if r["class"] not in m["classes"]:
            m["classes"].append(r["class"])
        if r["entity"] not in by_class[r["class"]]:
            by_class[r["class"]].append(r["entity"])
        class_labels[r["class"]] = r.get("class_label") or _curie(r["class"])
        classes[r["class"]] = _pylode_anchor(r.get("class_label") or "")
    statements: dict[str, list[dict]] = defaultdict(list)
    for r in kg.select_named("internal/describe"):
        if r["entity"] in members:
            statements[r["entity"]].append(r)
    names = set(members)
    folder = Path(out_dir) / INDIVIDUALS_DIR
    written = []
    for iri, m in sorted(members.items()):
        label = m["label"] or _curie(iri)
        out = [r for r in statements[iri] if r["direction"] == "out"
               and r["property"] not in (RDFS_LABEL, SKOS + "definition", RDF_TYPE)]
        inc = [r for r in statements[iri] if r["direction"] == "in"]
        types = ", ".join(_link_for(c, class_labels.get(c, ""), names, classes, "") for c in m["classes"])
        head = [f"<p><a href=\"index.html\">All individuals</a> · <a href=\"../index.html\">Classes and properties</a></p>",
                f"<h1>{html.escape(label)}</h1>", "<table>",
                f"<tr><th>ID</th><td><code>{html.escape(_curie(iri))}</code></td></tr>",
                f"<tr><th>IRI</th><td><code>{html.escape(iri)}</code></td></tr>",
                f"<tr><th>Type</th><td>{types}</td></tr>"]
        if m["definition"]:
            head.append(f"<tr><th>Definition</th><td>{html.escape(m['definition'])}</td></tr>")
        head.append("</table>")

        def table(title: str, rs: list[dict], direction: str) -> str:
            if not rs:
                return ""
            lines = [f"<h2>{title}</h2>", "<table>"]
            for r in rs:
                prop = html.escape(r.get("property_label") or _curie(r["property"]))
                value = _link_for(r["value"], r.get("value_label") or "", names, classes, "")
                if direction == "in":
                    lines.append(f"<tr><td>{value}</td><th>{prop}</th><td>this</td></tr>")
                else:
                    lines.append(f"<tr><th>{prop}</th><td>{value}</td></tr>")
            return "\n".join(lines + ["</table>"])

        body = "\n".join(head) + table("Statements", out, "out") + table("Used by", inc, "in")
        written.append(write_text_atomic(folder / page_name(iri), _page(f"{label} - bionn-kg", body)))
    index = ["<p><a href=\"../index.html\">Classes and properties</a></p>",
             f"<h1>bionn-kg individuals</h1><p>{len(members)} individuals of {len(by_class)} classes, "
             "by asserted class. Each page shows every statement about the individual, with its sources.</p>"]
    for c in sorted(by_class, key=lambda c: class_labels[c].casefold()):
        items = sorted(by_class[c], key=lambda i: (members[i]["label"] or i).casefold())
        index.append(f'<h2 id="{html.escape(classes[c] or page_name(c)[:-5])}">'
                     f'<a href="../index.html#{html.escape(classes[c])}">{html.escape(class_labels[c])}</a> '
                     f'<span class="muted">({len(items)})</span></h2><ul class="cols">')
        index += [f'<li><a href="{html.escape(page_name(i))}">{html.escape(members[i]["label"] or _curie(i))}</a></li>'
                  for i in items]
        index.append("</ul>")
    written.insert(0, write_text_atomic(folder / "index.html", _page("bionn-kg individuals", "\n".join(index))))
    _link_from_class_sections(Path(out_dir) / "index.html", by_class, members, class_labels, classes)
    return written


def _link_from_class_sections(index_html: Path, by_class: dict[str, list[str]], members: dict[str, dict],
                              class_labels: dict[str, str], classes: dict[str, str]) -> None:
    """Add an "Individuals" row after the IRI row of each class section of pyLODE's page."""
    from ..release import write_text_atomic

    if not index_html.is_file():
        return
    text = index_html.read_text(encoding="utf-8")
    for c, items in by_class.items():
        pattern = re.compile(r"(<code>" + re.escape(c) + r"</code>\s*</td>\s*</tr>)")
        items = sorted(items, key=lambda i: (members[i]["label"] or i).casefold())
        links = ", ".join(f'<a href="{INDIVIDUALS_DIR}/{html.escape(page_name(i))}">'
                          f'{html.escape(members[i]["label"] or _curie(i))}</a>' for i in items[:MAX_ON_CLASS_PAGE])
        more = (f' … <a href="{INDIVIDUALS_DIR}/index.html#{html.escape(classes[c])}">all {len(items)}</a>'
                if len(items) > MAX_ON_CLASS_PAGE else "")
        row = (f'\\1\n            <tr class="bionn-kg-individuals"><th>Individuals ({len(items)})</th>'
               f"<td>{links}{more}</td></tr>")
        text, n = pattern.subn(lambda m, row=row: row.replace("\\1", m.group(1)), text, count=1)
    write_text_atomic(index_html, text)


def write_docs(ontology_file: Path, out_dir: Path, graph: "KnowledgeGraph | None" = None) -> Path:
    """Write ``out_dir/index.html`` (pyLODE, from the RDF/XML release ``ontology_file``) and the pages of the
    individuals in ``out_dir/individuals/``; returns the path of ``index.html``."""
    import logging

    from rdflib import Graph

    from ..release import write_text_atomic

    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    try:
        # pyLODE's import chain sets the root logger to DEBUG and logs at INFO: keep our stderr clean
        root.setLevel(logging.WARNING)
        try:
            from pylode import OntPub
        except ImportError as exc:
            raise KGError(f"pyLODE is not installed ({exc})",
                          hint="pip install 'bionn-kg[docs]' (pylode==3.3.4), or run `bionn-kg release --no-docs`"
                          ) from None
        root.setLevel(logging.WARNING)
        g = Graph().parse(ontology_file, format="xml")
        try:
            html_text = OntPub(ontology=g, sort_subjects=True).make_html()
        except Exception as exc:  # pyLODE raises PylodeError and assorted errors on unexpected input
            raise KGError(f"pyLODE could not document {ontology_file}: {type(exc).__name__}: {exc}",
                          hint="check that the ontology header has dcterms:title and dcterms:description") from None
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    index = write_text_atomic(Path(out_dir) / "index.html", html_text)
    if graph is None:
        from ..graph import load_graph
        graph = load_graph(check=False)
    write_individual_pages(graph, Path(out_dir))
    return index
