"""Why a pair scores what it does: each dimension's explanation, gathered into named sections.

The explanation is read off the same arrays the score is computed from (each dimension explains
itself: :meth:`kg.engine.dimensions.Dimension.explain`), so it cannot disagree with the number.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import Engine

__all__ = ["explain_pair", "short_reasons", "dimension_names"]

#: sections every explanation has (empty when no dimension contributes), in display order
SECTIONS = ("matched terms", "aligned causal steps", "failure modes", "strongest paths", "efficiency")


def dimension_names(engine: Engine) -> dict[str, str]:
    """Dimension name -> its label in words."""
    return {n: d.label for n, d in engine.dimensions.items()}


def explain_pair(engine: Engine, b: str, a: str) -> dict[str, Any]:
    """Scores and reasons for one (biological, ANN) pair, as named sections of rows."""
    scores = engine.pair(b, a)
    b, a = engine.oriented(b, a)
    summary = {"bio": engine.label(b), "ann": engine.label(a), "E": scores["E"],
               "coverage": scores["coverage"], "preset": engine.preset,
               "weights": ", ".join(f"{d}={w:g}" for d, w in engine.weights.items() if w)}
    dims = [{"dimension": n, "name": d.label, "score": scores[n], "weight": engine.weights.get(n, 0.0),
             "BMA-Lin": scores.get("BMA_" + n, float("nan")), "path proximity": scores.get("P_" + n, float("nan"))}
            for n, d in engine.dimensions.items()]
    sections: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    undefined = []
    for n, d in engine.dimensions.items():
        if np.isnan(scores[n]):
            undefined.append({"dimension": n, "reason": d.undefined_reason(b, a) or "undefined"})
        for name, rows in d.explain(b, a).items():
            sections.setdefault(name, []).extend(rows)
    if sections.get("strongest paths"):
        sections["strongest paths"] = sorted(sections["strongest paths"], key=lambda r: -r["share"])[:6]
    return {"score": summary, "dimensions": dims, **sections, "undefined": undefined}


def short_reasons(engine: Engine, b: str, a: str, n: int = 3) -> str:
    """One line: the longest aligned causal path, then the best matched terms."""
    b, a = engine.oriented(b, a)
    items: list[tuple[float, str]] = []
    for d in engine.dimensions.values():
        items.extend(d.short(b, a))
    items.sort(key=lambda t: -t[0])  # stable: registry order among equals
    out: list[str] = []
    for _, text in items:
        if text not in out:
            out.append(text)
        if len(out) >= n:
            break
    return "; ".join(out)
