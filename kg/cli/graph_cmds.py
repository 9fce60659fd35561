"""``info``, ``show`` and ``search``: looking at the graph."""
from __future__ import annotations

import click

from ..output import IRI, render, render_sections
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
        "ontology": IRI(h["ontology"]) if h.get("ontology") else None,
        "version": IRI(h["version"]) if h.get("version") else None, "title": h.get("title"),
        "license": IRI(h["license"]) if h.get("license") else None, "triples": len(g),
        "files": [str(f.name) for f in g.files],
    }
    counts = [{"class": g.curie(r["class"]), "label": r["label"], "direct": r["direct_count"],
               "total": r["total"]}
              for r in g.select_named("internal/class_counts") if r["class"].startswith(BKG)]
    ef = [{k: (g.curie(v) if k == "grain" and v else v) for k, v in r.items()}
          for r in g.select_named("efficiency_coverage")]  # grains with costs on both sides: where Ef is defined
    sections = {"ontology": summary, "individuals per class": counts, "efficiency coverage (Ef)": ef}
    if fmt == "json":  # the CURIE prefix map, to expand every ID the commands print
        from ..ids import curie, prefix_map
        obo = {curie(r["iri"]).split(":", 1)[0] for r in g.select_named("release/obo_terms")}
        sections["prefixes"] = {p: IRI(ns) for p, ns in prefix_map(p for p in obo if p != "obo").items()}
    click.echo(render_sections(sections, fmt))


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
        "id": g.curie(iri), "iri": IRI(iri), "label": idx.label(iri),
        "definition": "; ".join(one(SKOS + "definition")),
        "types": [idx.label(t) for t in one(RDF_TYPE)],
        "synonyms": one(SKOS + "altLabel"),
        "cross-references": [g.curie(x) for p in ("exactMatch", "closeMatch", "relatedMatch")
                             for x in one(SKOS + p)],
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
    """Find entities whose label or synonym contains TEXT or names the same thing, best first.

    \b
    Besides substrings (case-insensitive), a label or synonym matches when its words do once case,
    plurals, British/American spelling, hyphens and word order are set aside ('normalization' finds
    'normalisation'); `score` is 1 for the same words and otherwise their overlap (Jaccard), so
    before coining a term for your own file you see the vocabulary's term to reuse.

    \b
    Example:
      bionn-kg search dropout
      bionn-kg search "5-HT2A" --format csv
      bionn-kg search "activity normalization"
    """
    from ..engine.alignment import token_score

    g, idx = _load(extra)
    found = {iri: (matched, kind) for iri, matched, kind in idx.search(text)}
    for iri, texts in [(i, [lab]) for i, lab in idx.labels.items()] + list(idx.synonyms.items()):
        for t in texts:  # same words once normalised, or most of them: a near-duplicate to reuse
            if iri not in found and token_score(text, t) >= 0.5:
                found[iri] = (t, "label" if t == idx.labels.get(iri) else "synonym")
    scored = [(iri, m, kind, token_score(text, m)) for iri, (m, kind) in found.items()]
    scored.sort(key=lambda t: (-t[3], t[2] != "label", len(t[1]), t[1]))
    rows = [{"id": g.curie(iri), "label": idx.label(iri), "matched": m, "match": kind, "score": round(sc, 3)}
            for iri, m, kind, sc in scored]
    if not rows:
        sugg = idx.suggest(text)
        click.echo(f"no entity matches '{text}'" + (f"; closest: {', '.join(sugg)}" if sugg else ""), err=True)
    click.echo(render(rows, fmt, columns=["id", "label", "matched", "match", "score"]))
