"""Weight presets for E(b, a) and parsing of custom weights, both read off the dimension registry.

J. Harris, 'BioNN-ANN Equivalence Framework', section 4.1: the weights wS, wF, wC, wM sum to 1 and
are tuned to the application; for engineering purposes (designing more efficient architectures) wEf
may be added; for neuroscience purposes (modelling biological cognition) wC and wM are weighted more
heavily. Each dimension states its weight in each preset (``Dimension.presets``); the numbers are this
project's reading of that guidance, not the paper's:

* ``balanced`` (S = F = C = M = 0.25, Ef = 0): no application is given, so no dimension is favoured;
  the uninformative choice.
* ``engineering`` (S 0.15, F 0.35, C 0.15, M 0.15, Ef 0.20): Ef is added, as section 4.1 allows, at
  0.20 taken from S, C and M (0.10 each); F gets the remaining 0.10 because a designer transfers what a
  mechanism computes (section 4.2, "targeted bio-inspiration") more than how it is built or fails.
* ``neuroscience`` (S 0.15, F 0.15, C 0.35, M 0.35, Ef 0): C and M "weighted more heavily", by moving
  0.10 from each of S and F to each of C and M (C + M = 0.70).

How much the numbers matter is measured, not assumed: the report's weight-sensitivity section
(:mod:`kg.report.sensitivity`) and ``python scripts/evaluation_table.py`` recompute recovery of the
asserted analogs over the whole simplex grid of (S, F, C, M) weights. On the shipped graph the grid's
MRR spans 0.11 (M alone) to 0.69, interquartile range 0.50-0.65; the three presets fall inside it, and
the balanced preset's top analog of a biological mechanism stays top on a median 70% of the grid
(docs/evaluation.md). The presets were not tuned on those figures, which would make the evaluation
circular.

>>> parse_weights("S=0.3,F=0.3,C=0.2,M=0.2")["C"]
0.2
>>> parse_weights("S=0.5,F=0.6")
Traceback (most recent call last):
...
kg.errors.KGError: weights must sum to 1 (these sum to 1.1): S=0.5, F=0.6
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from ..errors import KGError
from . import dimensions as _dims

__all__ = [
    "PRESETS",
    "PRESET_NAMES",
    "PRESET_PURPOSE",
    "parse_weights",
    "preset_help",
    "resolve_weights",
    "weights_metavar",
]

#: preset name -> what it is for (the weights come from the dimensions)
PRESET_PURPOSE = {"balanced": "all descriptive dimensions equal",
                  "engineering": "adds efficiency, function heavier",
                  "neuroscience": "causal chain and failure modes heavier"}
PRESET_NAMES = tuple(PRESET_PURPOSE)


class _Live(Mapping):
    """A read-only view computed from the registry at each access (a dimension registered later counts)."""

    def __init__(self, fn):
        self._fn = fn

    def __getitem__(self, key):
        return self._fn()[key]

    def __iter__(self) -> Iterator:
        return iter(self._fn())

    def __len__(self) -> int:
        return len(self._fn())

    def __repr__(self) -> str:
        return repr(self._fn())


def _presets() -> dict[str, dict[str, float]]:
    return {p: {d.name: float(d.presets.get(p, 0.0)) for d in _dims.registered()} for p in PRESET_NAMES}




#: preset -> {dimension: weight}, from the registry
PRESETS: Mapping[str, dict[str, float]] = _Live(_presets)


def __getattr__(name: str):
    if name == "DIMENSIONS":  # the registered dimension names, in order (kept for callers of the old constant)
        return _dims.names()
    raise AttributeError(name)


def preset_help() -> str:
    parts = []
    for p, w in _presets().items():
        parts.append(f"{p} ({PRESET_PURPOSE[p]}: " + " ".join(f"{d}={v:g}" for d, v in w.items() if v) + ")")
    return "Weight preset: " + "; ".join(parts) + "."


def weights_metavar() -> str:
    return ",".join(f"{d}=.." for d in _dims.names())


def parse_weights(text: str) -> dict[str, float]:
    """``S=0.3,F=0.3,C=0.2,M=0.2`` -> weights; non-negative, summing to 1, registered dimensions only."""
    dims = _dims.names()
    weights = dict.fromkeys(dims, 0.0)
    seen = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, val = part.partition("=")
        key = key.strip()
        match = {d.lower(): d for d in dims}.get(key.lower())
        if not sep or match is None:
            example = ",".join(f"{d}={1 / len(dims):.2g}" for d in dims[:2])
            raise KGError(f"bad weight '{part}'", hint="write DIM=VALUE pairs with DIM one of "
                          f"{', '.join(dims)}, e.g. --weights {example},...")
        try:
            v = float(val)
        except ValueError:
            raise KGError(f"weight of {match} is not a number: '{val.strip()}'") from None
        if not math.isfinite(v) or v < 0:
            raise KGError(f"weight of {match} must be a non-negative number, got {val.strip()}")
        if any(x.split("=")[0] == match for x in seen):  # S=0.5,S=0.5 must not pass as S=0.5
            raise KGError(f"weight of {match} given twice: '{text}'", hint="give each dimension once")
        weights[match] = v
        seen.append(f"{match}={val.strip()}")
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-6:
        raise KGError(f"weights must sum to 1 (these sum to {total:.6g}): {', '.join(seen)}")
    return weights


def resolve_weights(preset: str | None = "balanced", weights: str | dict[str, float] | None = None
                    ) -> tuple[str, dict[str, float]]:
    """(name, weights) from a preset name or custom weights (custom wins)."""
    if weights:
        w = parse_weights(weights) if isinstance(weights, str) else parse_weights(
            ",".join(f"{k}={v}" for k, v in weights.items()))
        return "custom", w
    name = preset or "balanced"
    presets = _presets()
    if name not in presets:
        raise KGError(f"unknown preset '{name}'", hint=f"use one of {', '.join(presets)} or --weights")
    w = presets[name]
    if abs(sum(w.values()) - 1.0) > 1e-6:
        raise KGError(f"preset '{name}' weights sum to {sum(w.values()):.6g}, not 1",
                      hint="a registered dimension changed the preset weights; fix its `presets`")
    return name, dict(w)
