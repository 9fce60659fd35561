"""``info``, ``show`` and ``search``: looking at the graph."""
from __future__ import annotations

import click

from ..output import render, render_sections
from .options import graph_options

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BKG = "https://w3id.org/bionn-kg/"


def _load(extra):
    from ..graph import load_graph
    from ..ids import EntityIndex
    g = load_graph(extra)
    return g, EntityIndex(g)


@click.command()
@graph_options
def info(extra, fmt):
    """Counts per class, the ontology IRI and version, and the files loaded.

    \b
    Example:
      bionn-kg info
      bionn-kg info --extra my_mechanisms.ttl --format json
    """
    g, _ = _load(extra)
    header = g.select_named("internal/ontology_header")
    h = header[0] if header else {}
    summary = {
        "ontology": h.get("ontology"), "version": h.get("version"), "title": h.get("title"),
        "license": h.get("license"), "triples": len(g),
        "files": ", ".join(str(f.name) for f in g.files),
    }
    counts = [{"class": g.curie(r["class"]), "label": r["label"], "direct": r["direct_count"],
               "total": r["total"]}
              for r in g.select_named("internal/class_counts") if r["class"].startswith(BKG)]
    ef = [{k: (g.curie(v) if k == "grain" and v else v) for k, v in r.items()}
          for r in g.select_named("efficiency_coverage")]  # grains with costs on both sides: where Ef is defined
    click.echo(render_sections({"ontology": summary, "individuals per class": counts,
                                "efficiency coverage (Ef)": ef}, fmt))


@click.command()
@click.argument("ident", metavar="ID")
@graph_options
def show(ident, extra, fmt):
    """Everything about one entity: label, definition, types, relations and provenance.

    ID is a CURIE (bkg:SynapticPruning), a full IRI or an exact label ("synaptic pruning").

    \b
    Example:
      bionn-kg show bkg:MonoamineOxidaseInhibition
      bionn-kg show "long-term potentiation" --format json
    """
    g, idx = _load(extra)
    iri = idx.resolve(ident)
    rows = g.select_named("internal/describe", {"entity": iri})
    one = lambda p: [r["value"] for r in rows if r["direction"] == "out" and r["property"] == p]  # noqa: E731
    summary = {
        "id": g.curie(iri), "iri": iri, "label": idx.label(iri),
        "definition": "; ".join(one(SKOS + "definition")),
        "types": ", ".join(idx.label(t) for t in one(RDF_TYPE)),
        "synonyms": ", ".join(one(SKOS + "altLabel")),
        "cross-references": ", ".join(g.curie(x) for p in ("exactMatch", "closeMatch", "relatedMatch")
                                      for x in one(SKOS + p)),
    }
    provenance = [{"source": g.curie(s), "label": idx.label(s)} for s in one(DCT + "source")]
    evidence = [{"evidence": e} for e in one(BKG + "evidenceText")]
    skip = {SKOS + "definition", SKOS + "altLabel", RDFS + "label", DCT + "source", RDF_TYPE,
            BKG + "evidenceText", SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "relatedMatch"}
    relations = [{"direction": r["direction"], "property": r["property_label"] or g.curie(r["property"]),
                  "value": g.curie(str(r["value"])) if str(r["value"]).startswith("http") else r["value"],
                  "value label": r["value_label"]}
                 for r in rows if not (r["direction"] == "out" and r["property"] in skip)]
    click.echo(render_sections({"entity": summary, "provenance": provenance + evidence,
                                "relations": relations}, fmt))


@click.command()
@click.argument("text")
@graph_options
def search(text, extra, fmt):
    """Find entities whose label or synonym contains TEXT (case-insensitive).

    \b
    Example:
      bionn-kg search dropout
      bionn-kg search "5-HT2A" --format csv
    """
    g, idx = _load(extra)
    hits = idx.search(text)
    rows = [{"id": g.curie(iri), "label": idx.label(iri), "matched": m, "match": kind} for iri, m, kind in hits]
    if not rows:
        sugg = idx.suggest(text)
        click.echo(f"no entity matches '{text}'" + (f"; closest: {', '.join(sugg)}" if sugg else ""), err=True)
    click.echo(render(rows, fmt, columns=["id", "label", "matched", "match"]))
