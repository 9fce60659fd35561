"""Partial analogies: what a mechanism's analog lacks, and which mechanism could supply it.

J. Harris, 'BioNN-ANN Equivalence Framework', section 6 asks: *where an analogy is only partial, what
would the full analog require?* For a pair (b, a) every dimension lists what one side has and the other
lacks (:meth:`kg.engine.dimensions.Dimension.missing`):

* term-set dimensions (structural features, functional roles and primitives, failure characteristics):
  the descriptors t of b whose best Lin similarity to any descriptor of a is below
  :data:`~kg.engine.dimensions.terms.LACK_THRESHOLD` (0.5), most informative (highest IC) first;
* the causal dimension: b's causal steps that no shared relation path of the pair realises;
* and the same from a's side.

For a query mechanism x, :func:`gaps` takes its best analogs (by E) and, for each descriptor x has and an
analog lacks, the nearest **donor**: the mechanism of the analog's domain that has the descriptor (or a
term at Lin >= 0.5 from it, best match first, then best E with x). The analog plus its donors is what a
composite full analog would be made of; a lacking descriptor with no donor is something no mechanism of
the other domain in the graph has.

Everything here is computed from the graph's structure; nothing reads the asserted analogs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import Engine
from .dimensions.terms import LACK_THRESHOLD

__all__ = ["gaps", "lacks_sentence", "missing", "public"]

#: descriptors listed per side and pair in words (JSON has them all)
SHOWN = 6


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A lacking descriptor as output: CURIE id, label, IC and the rest, without the internal IRI."""
    return {k: v for k, v in row.items() if k != "iri"}


def missing(engine: Engine, b: str, a: str) -> dict[str, Any]:
    """What each side of the pair lacks, over every dimension: ``{"bio", "ann", "ann_lacks", "bio_lacks"}``
    (lists of ``{"dimension", "id", "label", "ic", ...}``, by dimension in registry order, then by IC)."""
    b, a = engine.oriented(b, a)
    out: dict[str, Any] = {"bio": engine.curie(b), "bio_label": engine.label(b),
                           "ann": engine.curie(a), "ann_label": engine.label(a), "ann_lacks": [], "bio_lacks": []}
    for d in engine.dimensions.values():
        m = d.missing(b, a)
        out["ann_lacks"].extend(m.get("ann_lacks", []))
        out["bio_lacks"].extend(m.get("bio_lacks", []))
    return out


def _labels(rows: list[dict[str, Any]], n: int = SHOWN) -> str:
    shown = [r["label"] for r in rows[:n]]
    more = len(rows) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _shared(engine: Engine, b: str, a: str, n: int = 3) -> str:
    """What the pair shares, in words: the dimensions' short reasons at or above the lack threshold (so a
    descriptor is never said to be both matched and lacking)."""
    items = sorted((it for d in engine.dimensions.values() for it in d.short(b, a) if it[0] >= LACK_THRESHOLD),
                   key=lambda t: -t[0])
    out: list[str] = []
    for _, text in items:
        if text not in out:
            out.append(text)
    return "; ".join(out[:n])


def lacks_sentence(engine: Engine, b: str, a: str, miss: dict[str, Any] | None = None,
                   query: str | None = None) -> str:
    """The partial analogy in words, from the query's side (default: b, the biological mechanism):
    "<analog> matches <query> on <shared> but lacks: <descriptors of the query it has no counterpart for>"."""
    b, a = engine.oriented(b, a)
    miss = miss or missing(engine, b, a)
    x = engine.resolve(query) if query else b
    other, lacks, extra = (a, miss["ann_lacks"], miss["bio_lacks"]) if x == b else (b, miss["bio_lacks"],
                                                                                     miss["ann_lacks"])
    shared = _shared(engine, b, a)
    head = f"{engine.label(other)} matches {engine.label(x)}" + (f" on {shared}" if shared else "")
    if not lacks:
        text = f"{head}, and lacks nothing {engine.label(x)} is described with"
    else:
        text = f"{head} but lacks: {_labels(lacks)}"
    if extra:
        text += f"; it adds what {engine.label(x)} lacks: {_labels(extra, 4)}"
    return text


def gaps(engine: Engine, x: str, top: int = 3, per_analog: int | None = None) -> dict[str, Any]:
    """Section 6's question for one mechanism: its ``top`` best analogs, what each lacks, and the nearest
    donor of each lacking descriptor (the mechanism of the analog's domain that has it)."""
    x, note = engine.resolve_with_note(x)
    f = engine.features
    side, _ = f.position(x)
    other_side = "ann" if side == "bio" else "bio"
    others = f.ann if side == "bio" else f.bio
    ranking = engine.ranking(x)
    E_with = {m: s["E"] for m, s in ranking}
    analogs = []
    for other, s in ranking[:top]:
        if np.isnan(s["E"]):
            break
        b, a = (x, other) if side == "bio" else (other, x)
        miss = missing(engine, b, a)
        lacks = miss["ann_lacks"] if side == "bio" else miss["bio_lacks"]
        rows = []
        for item in lacks[:per_analog] if per_analog else lacks:
            dim = engine.dimensions[item["dimension"]]
            cands = [(i, m) for i, m in dim.donors(item, other_side) if others[i] != other]
            row = public(item)
            row["donor"] = None
            if cands:
                best = max(cands, key=lambda t: (round(t[1], 6), np.nan_to_num(E_with.get(others[t[0]], np.nan),
                                                                                 nan=-1.0)))
                d = others[best[0]]
                row["donor"] = {"id": engine.curie(d), "label": engine.label(d), "match": round(best[1], 4),
                                "E": E_with.get(d, float("nan"))}
            rows.append(row)
        donors = sorted({r["donor"]["label"] for r in rows if r["donor"]})
        analogs.append({"rank": len(analogs) + 1, "id": engine.curie(other), "label": engine.label(other),
                        "E": s["E"], "coverage": s["coverage"],
                        "summary": lacks_sentence(engine, b, a, miss, query=x),
                        "lacks": rows, "adds": [public(r) for r in (miss["bio_lacks"] if side == "bio"
                                                                     else miss["ann_lacks"])],
                        "composite": [engine.label(other), *donors],
                        "without_donor": [r["label"] for r in rows if not r["donor"]]})
    return {"id": engine.curie(x), "label": engine.label(x), "side": side, "note": note, "analogs": analogs}
