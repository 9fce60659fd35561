"""Why a pair scores what it does: matched terms, aligned causal steps, failure modes, strongest paths.

The explanation is read off the same arrays the score is computed from (Lin matrices, path vectors,
relation paths), so it cannot disagree with the number.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .causal import graded_alignments
from .core import Engine
from .efficiency import ef_reason
from .features import KINDS
from .linalg import row_cols, to_dense
from .weights import DIMENSIONS

__all__ = ["explain_pair", "short_reasons", "DIM_NAMES"]

DIM_NAMES = {"S": "structural", "F": "functional", "C": "causal", "M": "failure mode", "Ef": "efficiency"}
_NEED = {"S": "structural features", "F": "functional roles or computational primitives",
         "M": "failure modes with failure characteristics", "C": "a causal chain"}


def _label(engine: Engine, iri: str) -> str:
    lab = engine.features.labels.get(iri)
    if lab:
        return lab
    return engine.entity_labels.get(iri) or iri.rsplit("/", 1)[-1]


def _terms(engine: Engine, kind: str, side: str, i: int) -> list[int]:
    X = engine.features.spaces[kind].X_bio if side == "bio" else engine.features.spaces[kind].X_ann
    return row_cols(X, i)


def _mica(engine: Engine, kind: str, t: int, u: int) -> int | None:
    anc, ic = engine.hierarchy[kind]
    common = anc[t] & anc[u]
    return max(common, key=lambda c: ic[c]) if common else None


def term_matches(engine: Engine, kind: str, bi: int, aj: int, top: int = 6) -> list[dict[str, Any]]:
    """Best-matching term pairs (Lin > 0), each b-term to its best a-term and vice versa."""
    space = engine.features.spaces[kind]
    tb, ta = _terms(engine, kind, "bio", bi), _terms(engine, kind, "ann", aj)
    if not tb or not ta:
        return []
    L = engine.lin[kind][np.ix_(tb, ta)]
    pairs = {(tb[r], ta[int(L[r].argmax())]) for r in range(len(tb))}
    pairs |= {(tb[int(L[:, c].argmax())], ta[c]) for c in range(len(ta))}
    rows = []
    for t, u in pairs:
        sim = float(engine.lin[kind][t, u])
        if sim <= 0:
            continue
        m = _mica(engine, kind, t, u)
        via = "same term" if t == u else (f"common parent: {_label(engine, space.terms[m])}" if m is not None else "")
        rows.append({"dimension": kind, "bio term": _label(engine, space.terms[t]),
                     "ann term": _label(engine, space.terms[u]), "similarity": round(sim, 3), "via": via})
    rows.sort(key=lambda r: (-r["similarity"], r["bio term"]))
    return rows[:top]


def strongest_paths(engine: Engine, kind: str, bi: int, aj: int, top: int = 5) -> list[dict[str, Any]]:
    """The metapath instances that contribute most to the normalised DWPC of the pair."""
    Ub, Ua = engine.U[kind]
    ub, ua = to_dense(Ub[bi]).ravel(), to_dense(Ua[aj]).ravel()
    norm = float(np.linalg.norm(ub) * np.linalg.norm(ua))
    if norm == 0:
        return []
    contrib = ub * ua / norm
    space = engine.features.spaces[kind]
    T = len(space.terms)
    tb, ta = set(_terms(engine, kind, "bio", bi)), set(_terms(engine, kind, "ann", aj))
    rows = []
    for c in np.argsort(-contrib)[:top]:
        if contrib[c] <= 0:
            break
        if c < T:
            path = f"b -has-> {_label(engine, space.terms[c])} <-has- a"
            mp = "M-T-M"
        else:
            p = c - T
            kids_b = [t for t in tb if p in space.parents[t]]
            kids_a = [t for t in ta if p in space.parents[t]]
            path = (f"b -has-> {', '.join(_label(engine, space.terms[t]) for t in kids_b)} -broader-> "
                    f"{_label(engine, space.terms[p])} <-broader- "
                    f"{', '.join(_label(engine, space.terms[t]) for t in kids_a)} <-has- a")
            mp = "M-T-P-T-M"
        rows.append({"dimension": kind, "metapath": mp, "path": path, "share": round(float(contrib[c]), 3)})
    return rows


def _step_text(engine: Engine, steps: list[dict[str, Any]]) -> str:
    parts = []
    for s in steps:
        what = ", ".join(_label(engine, p) for p in sorted(s.get("participants", ()))) or "-"
        parts.append(f"{_label(engine, s['relation'])}({what})")
    return " -> ".join(parts)


def aligned_steps(engine: Engine, b: str, a: str, top: int = 5) -> list[dict[str, Any]]:
    """The best-aligned step paths of the two chains with their similarity K (graded C)."""
    steps = engine.features.chains.steps
    rows = []
    for sb, sa, k in graded_alignments(engine.causal, steps.get(b, []), steps.get(a, []), top):
        rows.append({"length": len(sb), "bio steps": _step_text(engine, sb), "ann steps": _step_text(engine, sa),
                     "similarity": round(k, 3)})
    return rows


def explain_pair(engine: Engine, b: str, a: str) -> dict[str, Any]:
    """Scores and reasons for one (biological, ANN) pair, as named sections of rows."""
    f = engine.features
    scores = engine.pair(b, a)
    if f.side(b) == "ann":
        b, a = a, b
    _, bi = f.position(b)
    _, aj = f.position(a)
    summary = {"bio": _label(engine, b), "ann": _label(engine, a), "E": scores["E"],
               "coverage": scores["coverage"], "preset": engine.preset,
               "weights": ", ".join(f"{d}={w:g}" for d, w in engine.weights.items() if w)}
    dims = [{"dimension": d, "name": DIM_NAMES[d], "score": scores[d], "weight": engine.weights.get(d, 0.0),
             "BMA-Lin": scores.get("BMA_" + d, float("nan")), "path proximity": scores.get("P_" + d, float("nan"))}
            for d in DIMENSIONS]
    undefined = []
    for d in DIMENSIONS:
        if not np.isnan(scores[d]):
            continue
        if d == "Ef":
            reason = ef_reason(b, a, f.energy, f.energy_issues, lambda m: _label(engine, m))
        else:
            lacking = [_label(engine, m) for m, s, i in ((b, "bio", bi), (a, "ann", aj))
                       if (d == "C" and not f.chains.steps.get(m)) or
                       (d != "C" and not _terms(engine, d, s, i))]
            reason = f"{' and '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no {_NEED[d]}"
        undefined.append({"dimension": d, "reason": reason})
    matches = [r for k in KINDS for r in term_matches(engine, k, bi, aj)]
    fm = [{"side": "bio", "failure mode": _label(engine, x)} for x in f.failure_modes.get(b, [])]
    fm += [{"side": "ann", "failure mode": _label(engine, x)} for x in f.failure_modes.get(a, [])]
    paths = sorted((r for k in KINDS for r in strongest_paths(engine, k, bi, aj)), key=lambda r: -r["share"])[:6]
    efficiency = []
    if not np.isnan(scores["Ef"]):
        efficiency.append({"detail": ef_reason(b, a, f.energy, f.energy_issues, lambda m: _label(engine, m))})
    return {"score": summary, "dimensions": dims, "matched terms": matches,
            "aligned causal steps": aligned_steps(engine, b, a), "failure modes": fm,
            "strongest paths": paths, "efficiency": efficiency, "undefined": undefined}


def short_reasons(engine: Engine, b: str, a: str, n: int = 3) -> str:
    """One line: the best matched terms and the longest aligned causal path."""
    f = engine.features
    if f.side(b) == "ann":
        b, a = a, b
    _, bi = f.position(b)
    _, aj = f.position(a)
    items = []
    chain = aligned_steps(engine, b, a, top=1)
    if chain and chain[0]["length"] > 1:
        items.append("chain " + " -> ".join(x.split("(")[0] for x in chain[0]["bio steps"].split(" -> ")))
    ms = sorted((r for k in ("F", "S", "M") for r in term_matches(engine, k, bi, aj)),
                key=lambda r: -r["similarity"])
    for r in ms:
        t = r["bio term"] if r["via"] == "same term" else f"{r['bio term']}~{r['ann term']}"
        if t not in items:
            items.append(t)
        if len(items) >= n:
            break
    return "; ".join(items[:n])
