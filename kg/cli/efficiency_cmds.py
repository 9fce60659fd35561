"""``normalise``: section 4.2's normalisation across domains for one biological mechanism.

A thin layer over ``queries/efficiency_normalisation.rq`` run on the graph with its computed analogies
(:mod:`kg.computed`): given the mechanism's cost Eb (and capacity Cb) per grain, the expected cost Ea and
capacity Ca of its closest computed ANN analogs that have a cost for the same grain, E-weighted, with the
range and source of every figure.
"""
from __future__ import annotations

import math
from typing import Any

import click

from .options import graph_options, weight_options

__all__ = ["normalise", "normalisation"]

BKG = "https://w3id.org/bionn-kg/"


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) else float("nan")


def _fmt(x: float, spec: str = ".3g") -> str:
    return "n/a" if math.isnan(x) else format(x, spec)


def normalisation(graph: Any, iri: str, preset: str = "balanced",
                  weights: str | dict[str, float] | None = None) -> dict[str, Any]:
    """Section 4.2 for ``iri``: ``{"grains": [...], "analogs": [...], "note": str}`` (plain values).

    Each grain row holds Eb, Cb, the expected Ea and Ca, their ratio and orders of magnitude, the range
    of the analogs' costs and how many analogs have a cost; each analog row its rank, E, cost and source.
    """
    from ..computed import add_computed
    from ..engine.efficiency import format_si, orders_of_magnitude

    from ..queries import load_query
    from ..sparql_safety import add_missing_prefixes, bind_values, inspect_query

    add_computed(graph, preset=preset, weights=weights)  # the closest analogs under these weights
    text, _ = add_missing_prefixes(load_query("efficiency_normalisation").text)
    # bound through a VALUES block, as `bionn-kg query --param` does
    rows = graph.select(bind_values(text, inspect_query(text).form, {"mechanism": f"<{iri}>"}))
    grains: dict[tuple[str, str], dict[str, Any]] = {}
    analogs: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for r in rows:
        unit = "W" if r["unit"] == "W" else "J"
        key = (r["grain"], r["biological_profile"])
        if key not in grains:
            eb, ea = _num(r["biological_cost_si"]), _num(r["expected_ann_cost_si"])
            d = orders_of_magnitude(ea, eb) if not math.isnan(ea) else float("nan")
            grains[key] = {
                "grain": r["grain_label"] or r["grain"], "figure": graph.curie(r["biological_profile"]),
                "Eb": format_si(eb, unit), "Cb": format_si(_num(r["biological_capacity_hz"]), "Hz"),
                "expected Ea": format_si(ea, unit),
                "Ea range": (f"{format_si(_num(r['min_ann_cost_si']), unit)} to "
                             f"{format_si(_num(r['max_ann_cost_si']), unit)}") if r["costed_analogs"] else "n/a",
                "expected Ca": format_si(_num(r["expected_ann_capacity_hz"]), "Hz"),
                "cost_ratio": _fmt(_num(r["expected_cost_ratio"])),
                "orders_of_magnitude": _fmt(d, "+.2f"),
                "costed analogs": r["costed_analogs"] or 0,
                "source": r["biological_source"],
                "note": r["note"] or "",
            }
        if r["ann_analog"]:
            k2 = (r["grain"], r["ann_analog"], r["ann_profile"])
            if k2 in seen:
                continue
            seen.add(k2)
            lo, hi = _num(r["ann_cost_low_si"]), _num(r["ann_cost_high_si"])
            rng = ""
            if not (math.isnan(lo) and math.isnan(hi)):
                rng = f"{format_si(lo if not math.isnan(lo) else _num(r['ann_cost_si']), unit)} to " \
                      f"{format_si(hi if not math.isnan(hi) else _num(r['ann_cost_si']), unit)}"
            analogs.append({"grain": r["grain_label"] or r["grain"], "rank": r["analog_rank"],
                            "analog": r["ann_analog_label"] or r["ann_analog"], "E": _fmt(_num(r["E"])),
                            "Ea": format_si(_num(r["ann_cost_si"]), unit), "range": rng,
                            "Ca": format_si(_num(r["ann_capacity_hz"]), "Hz"), "source": r["ann_source"]})
    note = ""
    if not grains:
        note = "no verified cost (Eb) for this mechanism: nothing to normalise"
    elif not analogs:
        note = "no costed analog: none of its closest computed analogs has a cost for the same grain"
    return {"grains": list(grains.values()), "analogs": analogs, "note": note}


_NUMERIC = ("E", "cost_ratio", "orders_of_magnitude")


def _numbers(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its unitless figures (E, cost ratio, orders of magnitude) as numbers; n/a as None."""
    out = dict(row)
    for k in _NUMERIC:
        if isinstance(out.get(k), str):
            try:
                out[k] = float(out[k])
            except ValueError:
                out[k] = None
    return out


@click.command()
@click.argument("ident", metavar="ID")
@graph_options
@weight_options
def normalise(ident, extra, fmt, preset, weights):
    """Section 4.2: the expected ANN cost Ea and capacity Ca of a biological mechanism's closest analogs.

    ID is a biological mechanism (CURIE, IRI or exact label). For each grain in which it has a published
    cost Eb (and capacity Cb), the engine's 10 closest computed ANN analogs that have a cost for the same
    grain give Ea and Ca as E-weighted means, with the range of their figures and the source of each.
    "no costed analog" is said as such.

    \b
    Example:
      bionn-kg normalise bkg:ChemicalSynapticTransmission
      bionn-kg normalise "human brain" --format json
    """
    from ..errors import KGError
    from ..graph import load_graph
    from ..ids import EntityIndex
    from ..output import render_sections, titled_sections

    g = load_graph(extra)
    iri = EntityIndex(g).resolve(ident)
    if not g.ask("ASK { ?m a/rdfs:subClassOf* bkg:BiologicalMechanism }", {"m": iri}):
        raise KGError(f"{g.curie(iri)} is not a biological mechanism",
                      hint="normalisation goes from a biological mechanism's cost to its ANN analogs "
                           "(section 4.2); give one, e.g. bkg:ChemicalSynapticTransmission")
    res = normalisation(g, iri, preset, weights)
    if fmt == "json":  # numbers as numbers (docs/json-output.md); quantities with units stay text
        res = {**res, "grains": [_numbers(r) for r in res["grains"]], "analogs": [_numbers(r) for r in res["analogs"]]}
    sections = titled_sections(fmt, [
        ("mechanism", "mechanism", {"mechanism": g.curie(iri), "note": res["note"] or ("" if fmt == "json" else "-")}),
        ("per grain", "per grain: Eb, Cb and the expected Ea, Ca of the closest costed analogs", res["grains"]),
        ("closest costed analogs", "closest costed analogs (E-weighted)", res["analogs"])])
    click.echo(render_sections(sections, fmt))
    return 0
