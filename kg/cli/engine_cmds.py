"""``score``, ``analogies``, ``matrix`` and ``evaluate``: the equivalence engine from the command line."""
from __future__ import annotations

import sys

import click

from ..output import render, render_sections
from .options import graph_options

PRESET_HELP = ("Weight preset: balanced (S=F=C=M=0.25), engineering (adds Ef: S=.15 F=.35 C=.15 M=.15 "
               "Ef=.2), neuroscience (C and M heavier: S=.15 F=.15 C=.35 M=.35).")


def engine_options(f):
    f = click.option("--endpoint", metavar="URL", default=None,
                     help="Read the graph from a SPARQL endpoint instead of the embedded store.")(f)
    f = click.option("--weights", metavar="S=..,F=..,C=..,M=..[,Ef=..]", default=None,
                     help="Custom weights: non-negative, summing to 1; override --preset.")(f)
    f = click.option("--preset", type=click.Choice(["balanced", "engineering", "neuroscience"]),
                     default="balanced", show_default=True, help=PRESET_HELP)(f)
    return graph_options(f)


def _engine(extra, endpoint, preset, weights):
    from ..engine import Engine
    from ..engine.weights import resolve_weights
    from ..ids import EntityIndex
    resolve_weights(preset, weights)  # bad weights fail before any loading
    if endpoint:
        from ..remote import open_graph
        graph = open_graph(endpoint, extra)
    else:
        from ..graph import load_graph
        graph = load_graph(extra)
    idx = EntityIndex(graph)
    return Engine(graph, preset=preset, weights=weights, entity_labels=idx.labels), idx


def _as_mechanism(eng, idx, ident: str) -> str:
    """Resolve an ID to a comparable mechanism; a drug class stands for its molecular action."""
    iri = idx.resolve(ident)
    if eng.features.side(iri) is None:
        actions = [r["action"] for r in eng.graph.select_named("internal/molecular_actions", {"drug": iri})]
        if len(actions) == 1:
            click.echo(f"note: {idx.label(iri)} is compared through its molecular action, "
                       f"{idx.label(actions[0])}", err=True)
            return actions[0]
    return iri


def _as_list(reasons) -> list[str]:
    """The reasons as a list (JSON array; joined with '; ' in text), whether given joined or not."""
    return [r for r in reasons.split("; ") if r] if isinstance(reasons, str) else list(reasons)


def _check_defined(eng, idx, iri: str) -> None:
    """A mechanism with no description at all cannot be scored: say so instead of printing zeros."""
    from ..errors import KGError
    if eng.features.side(iri) and not eng.features.is_described(iri):
        raise KGError(f"{idx.label(iri)} ({eng.graph.curie(iri)}) has no structural features, functional "
                      "roles, primitives, causal steps or failure modes, so its scores are undefined",
                      hint="describe it with bkg:hasStructuralFeature, bkg:hasFunctionalRole, "
                           "bkg:realizesPrimitive, bkg:hasCausalStep (see the README's worked example)")


@click.command()
@click.argument("bio", metavar="B")
@click.argument("ann", metavar="A")
@engine_options
def score(bio, ann, extra, fmt, preset, weights, endpoint):
    """E(B, A) and each dimension for one biological mechanism B and one ANN mechanism A, explained.

    Shows the matched structural features and primitives, the aligned causal steps, the failure modes of
    both sides, the strongest paths, and why any dimension is undefined.

    \b
    Example:
      bionn-kg score "synaptic pruning" "weight decay"
      bionn-kg score bkg:MonoamineOxidaseInhibition bkg:ResidualConnection --preset engineering
    """
    from ..engine.explain import explain_pair
    from ..errors import KGError
    eng, idx = _engine(extra, endpoint, preset, weights)
    b, a = _as_mechanism(eng, idx, bio), _as_mechanism(eng, idx, ann)
    for m in (b, a):
        _check_defined(eng, idx, m)
    ex = explain_pair(eng, b, a)
    if ex["score"]["E"] != ex["score"]["E"]:  # NaN
        raise KGError("E is undefined for this pair: " + "; ".join(r["reason"] for r in ex["undefined"]))
    if fmt == "json":  # IDs, not labels, and the weights as numbers (docs/schemas/score.schema.json)
        ex["score"].update(bio=b, bio_label=idx.label(b), ann=a, ann_label=idx.label(a), weights=dict(eng.weights))
    click.echo(render_sections(ex, fmt))


@click.command()
@click.argument("ident", metavar="ID")
@click.option("--top", "-k", default=5, show_default=True, type=click.IntRange(1, None),
              help="How many analogs to list.")
@engine_options
def analogies(ident, top, extra, fmt, preset, weights, endpoint):
    """Rank the other domain's mechanisms as analogs of ID (a biological or an ANN mechanism).

    A drug class is compared through its molecular action.

    \b
    Example:
      bionn-kg analogies "synaptic pruning" --top 3
      bionn-kg analogies bkg:Dropout --preset neuroscience --format json
    """
    from ..engine.explain import short_reasons
    eng, idx = _engine(extra, endpoint, preset, weights)
    x = _as_mechanism(eng, idx, ident)
    _check_defined(eng, idx, x)  # a non-mechanism is refused by ranking() below
    rows = []
    for rank, (other, s) in enumerate(eng.ranking(x)[:top], start=1):
        rows.append({"rank": rank, "id": eng.graph.curie(other),
                     "label": idx.label(other), "E": s["E"], "S": s["S"], "F": s["F"], "C": s["C"],
                     "M": s["M"], "Ef": s["Ef"], "coverage": s["coverage"],
                     "reasons": _as_list(short_reasons(eng, x, other))})
    click.echo(render(rows, fmt, max_width=70))


@click.command()
@click.option("--dimension", "-d", "dims", multiple=True,
              type=click.Choice(["E", "S", "F", "C", "M", "Ef", "coverage"]),
              help="Columns to include (default: all).")
@engine_options
def matrix(dims, extra, fmt, preset, weights, endpoint):
    """All (biological, ANN) pairs with E and every dimension, computed with sparse matrix products.

    Long format: one row per pair. NaN (undefined: missing data) prints as n/a, or null in JSON.

    \b
    Example:
      bionn-kg matrix --format csv > matrix.csv
      bionn-kg matrix --preset engineering -d E -d Ef --format tsv
    """
    eng, _ = _engine(extra, endpoint, preset, weights)
    n = len(eng.features.bio)
    if n > 2000 and sys.stderr.isatty():
        with click.progressbar(length=n, label="all pairs", file=sys.stderr) as bar:
            res = eng.matrix(progress=bar.update)
    else:
        res = eng.matrix()
    cols = ["bio", "bio_label", "ann", "ann_label", *(dims or ("E", "S", "F", "C", "M", "Ef", "coverage"))]
    click.echo(render(res.rows(), fmt, columns=cols))


@click.command()
@click.option("--details", is_flag=True, help="Also list the rank of every asserted pair.")
@engine_options
def evaluate(details, extra, fmt, preset, weights, endpoint):
    """Agreement with the paper's Table 1 ratings and recovery of every asserted analog pair.

    (a) Spearman rho of computed S and F against the paper's High/Moderate/Low, with a per-pair table;
    (b) rank of the asserted partner among all candidates: MRR, Hits@1/3, next to a degree-only and a
    random baseline. The engine never reads these assertions; it is scored against them.

    \b
    Example:
      bionn-kg evaluate
      bionn-kg evaluate --preset neuroscience --details --format json
    """
    from ..engine.evaluate import evaluate as run
    eng, _ = _engine(extra, endpoint, preset, weights)
    ev = run(eng)
    sections = {"agreement with Table 1": ev.agreement, "rank correlation": ev.correlations,
                "recovery of asserted analogs": ev.recovery}
    if details:
        sections["rank of each asserted pair"] = ev.ranks
    click.echo(render_sections(sections, fmt))
