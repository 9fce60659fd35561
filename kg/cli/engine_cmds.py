"""``score``, ``analogies``, ``gaps`` and ``matrix``: the equivalence engine from the command line
(``evaluate`` is in :mod:`kg.cli.evaluate_cmds`).

A thin layer: resolving IDs, the drug-class rule and refusing undescribed mechanisms live in
:class:`kg.engine.Engine`; the dimensions come from its registry.
"""
from __future__ import annotations

import sys

import click

from ..output import render, render_sections
from .options import engine_options, open_graph_from

__all__ = ["analogies", "gaps", "make_engine", "matrix", "score"]


def make_engine(extra, endpoint, preset, weights, default_graph=None):
    """(Engine, EntityIndex) for the shared options; bad weights fail before any loading."""
    from ..engine import Engine
    from ..engine.weights import resolve_weights
    from ..ids import EntityIndex
    resolve_weights(preset, weights)
    graph = open_graph_from(extra, endpoint, default_graph)
    idx = EntityIndex(graph)
    return Engine(graph, preset=preset, weights=weights, index=idx), idx


def _resolve(eng, ident: str) -> str:
    iri, note = eng.resolve_with_note(ident)
    if note:
        click.echo(f"note: {note}", err=True)
    return iri


def _as_list(reasons) -> list[str]:
    """The reasons as a list (JSON array; joined with '; ' in text), whether given joined or not."""
    return [r for r in reasons.split("; ") if r] if isinstance(reasons, str) else list(reasons)


def _lack_rows(miss, side_of_lacker: str):
    key = "ann_lacks" if side_of_lacker == "ann" else "bio_lacks"
    return [{"lacking side": side_of_lacker, "dimension": r["dimension"], "descriptor": r["label"],
             "id": r["id"], "ic": r["ic"], "closest": r.get("closest") or "",
             "similarity": r.get("similarity", "")} for r in miss[key]]


class _DimensionChoice(click.Choice):
    """E, coverage and every registered dimension, read when the command runs."""

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self):  # type: ignore[override]
        from ..engine.dimensions import names
        return ("E", *names(), "coverage")

    @choices.setter
    def choices(self, value) -> None:
        pass


@click.command()
@click.argument("bio", metavar="B")
@click.argument("ann", metavar="A")
@engine_options
def score(bio, ann, extra, fmt, endpoint, default_graph, preset, weights):
    """E(B, A) and each dimension for one biological mechanism B and one ANN mechanism A, explained.

    Shows the matched structural features and primitives, the aligned causal steps, the failure modes of
    both sides, the strongest paths, why any dimension is undefined, and the partial analogy: what each
    side has that the other lacks (docs/partial-analogies.md).

    \b
    Example:
      bionn-kg score "synaptic pruning" "weight decay"
      bionn-kg score bkg:MonoamineOxidaseInhibition bkg:ResidualConnection --preset engineering
    """
    from ..engine.explain import explain_pair
    from ..engine.partial import lacks_sentence, missing, public
    from ..errors import KGError
    eng, _ = make_engine(extra, endpoint, preset, weights, default_graph)
    b, a = _resolve(eng, bio), _resolve(eng, ann)
    ex = explain_pair(eng, b, a)
    if ex["score"]["E"] != ex["score"]["E"]:  # NaN
        raise KGError("E is undefined for this pair: " + "; ".join(r["reason"] for r in ex["undefined"]))
    b, a = eng.oriented(b, a)
    miss = missing(eng, b, a)
    sentence = lacks_sentence(eng, b, a, miss)
    if fmt == "json":  # IDs, not labels, and the weights as numbers (docs/schemas/score.schema.json)
        ex["score"].update(bio=b, bio_label=eng.label(b), ann=a, ann_label=eng.label(a), weights=dict(eng.weights))
        ex["partial_analogy"] = {"summary": sentence, "ann_lacks": [public(r) for r in miss["ann_lacks"]],
                                 "bio_lacks": [public(r) for r in miss["bio_lacks"]]}
    else:
        ex["partial analogy"] = _lack_rows(miss, "ann") + _lack_rows(miss, "bio")
    click.echo(render_sections(ex, fmt))
    if fmt == "table":
        import textwrap
        click.echo("\n== partial analogy, in words ==\n" + textwrap.fill(sentence + ".", width=100))


@click.command()
@click.argument("ident", metavar="ID")
@click.option("--top", "-k", default=5, show_default=True, type=click.IntRange(1, None),
              help="How many analogs to list.")
@click.option("--missing", "show_missing", is_flag=True,
              help="Also say what each analog lacks of ID (descriptors with no counterpart, unaligned steps).")
@engine_options
def analogies(ident, top, show_missing, extra, fmt, endpoint, default_graph, preset, weights):
    """Rank the other domain's mechanisms as analogs of ID (a biological or an ANN mechanism).

    A drug class is compared through its molecular action.

    \b
    Example:
      bionn-kg analogies "synaptic pruning" --top 3
      bionn-kg analogies bkg:Dropout --preset neuroscience --format json
      bionn-kg analogies bkg:SynapticScaling --missing
    """
    from ..engine.explain import short_reasons
    eng, _ = make_engine(extra, endpoint, preset, weights, default_graph)
    x = _resolve(eng, ident)
    side = eng.features.side(x)
    rows = []
    if all(s["E"] != s["E"] for _, s in eng.ranking(x)):  # every E is NaN: an error, as in `score`
        from ..errors import KGError
        raise KGError(f"E is undefined for every analog of {eng.graph.curie(x)} under these weights",
                      hint="the weights rest only on dimensions this mechanism has no data for; "
                           "use a preset or give weight to S, F, C or M")
    for rank, (other, s) in enumerate(eng.ranking(x)[:top], start=1):
        row = {"rank": rank, "id": eng.curie(other), "label": eng.label(other), "E": s["E"]}
        row.update({d: s[d] for d in eng.names})
        row["coverage"] = s["coverage"]
        row["reasons"] = _as_list(short_reasons(eng, x, other))
        if show_missing:
            from ..engine.partial import missing, public
            miss = missing(eng, x, other)
            lacks = miss["ann_lacks"] if side == "bio" else miss["bio_lacks"]
            if fmt == "json":
                row["lacks"] = [public(r) for r in lacks]
            else:
                row["lacks"] = ", ".join(r["label"] for r in lacks[:6]) + (
                    f" (+{len(lacks) - 6})" if len(lacks) > 6 else "") if lacks else "nothing"
        rows.append(row)
    click.echo(render(rows, fmt, max_width=70))


@click.command()
@click.argument("ident", metavar="ID")
@click.option("--top", "-k", default=3, show_default=True, type=click.IntRange(1, None),
              help="How many of the best analogs to examine.")
@engine_options
def gaps(ident, top, extra, fmt, endpoint, default_graph, preset, weights):
    """What would a full analog of ID require? Its best analogs, what each lacks, and the donors.

    For each of ID's best analogs (by E): the descriptors of ID it has no counterpart for (best Lin
    below 0.5, most informative first), ID's causal steps it does not align with, and, for each, the
    nearest "donor": the mechanism of the analog's domain that has it. The analog plus its donors is
    what a composite full analog would be made of (J. Harris, 'BioNN-ANN Equivalence Framework',
    section 6). See docs/partial-analogies.md.

    \b
    Example:
      bionn-kg gaps bkg:NeuromodulatoryContextSwitching
      bionn-kg gaps "synaptic scaling" --top 1 --format json
    """
    from ..engine.partial import gaps as run
    eng, _ = make_engine(extra, endpoint, preset, weights, default_graph)
    g = run(eng, ident, top=top)  # resolves ID; a drug class stands for its molecular action
    if g["note"]:
        click.echo(f"note: {g['note']}", err=True)
    if fmt == "json":
        click.echo(render_sections(g, "json"))
        return
    if fmt in ("csv", "tsv"):
        rows = [{"analog_rank": an["rank"], "analog": an["id"], "analog_label": an["label"], "E": an["E"],
                 "dimension": r["dimension"], "lacks": r["id"], "lacks_label": r["label"], "ic": r["ic"],
                 "donor": r["donor"]["id"] if r["donor"] else "", "donor_label": r["donor"]["label"] if r["donor"]
                 else "", "donor_match": r["donor"]["match"] if r["donor"] else ""}
                for an in g["analogs"] for r in an["lacks"]]
        click.echo(render(rows, fmt))
        return
    other = "ANN" if g["side"] == "bio" else "biological"
    out = [f"What would a full {other} analog of {g['label']} ({g['id']}) require?"]
    if not g["analogs"]:
        out.append(f"  No {other} mechanism has a defined E with it.")
    for an in g["analogs"]:
        out.append(f"\n{an['rank']}. {an['label']} ({an['id']}), E = {an['E']:.3f}")
        out.append(f"   {an['summary']}.")
        if an["lacks"]:
            out.append("   What it lacks, and the nearest mechanism that has it:")
            for r in an["lacks"]:
                d = r["donor"]
                donor = (f"{d['label']} ({d['id']}, match {d['match']:.2f})" if d else
                         f"no {other} mechanism in the graph has it")
                out.append(f"     - [{r['dimension']}] {r['label']} (IC {r['ic']:.2f}): {donor}")
            out.append("   A composite full analog: " + " + ".join(an["composite"])
                       + (f"; still missing: {', '.join(an['without_donor'])}" if an["without_donor"] else ""))
    click.echo("\n".join(out))


@click.command()
@click.option("--dimension", "-d", "dims", multiple=True, type=_DimensionChoice(),
              help="Columns to include (default: all): E, coverage or a dimension name.")
@engine_options
def matrix(dims, extra, fmt, endpoint, default_graph, preset, weights):
    """All (biological, ANN) pairs with E and every dimension, computed with sparse matrix products.

    Long format: one row per pair. NaN (undefined: missing data) prints as n/a, or null in JSON.

    \b
    Example:
      bionn-kg matrix --format csv > matrix.csv
      bionn-kg matrix --preset engineering -d E -d C --format tsv
    """
    eng, _ = make_engine(extra, endpoint, preset, weights, default_graph)
    n = len(eng.features.bio)
    if n > 2000 and sys.stderr.isatty():
        with click.progressbar(length=n, label="all pairs", file=sys.stderr) as bar:
            res = eng.matrix(progress=bar.update)
    else:
        res = eng.matrix()
    cols = ["bio", "bio_label", "ann", "ann_label", *(dims or ("E", *res.names, "coverage"))]
    click.echo(render(res.rows(), fmt, columns=cols))
