"""Weight presets for E(b, a) and parsing of custom weights.

J. Harris, 'BioNN-ANN Equivalence Framework', section 4.1: the weights wS, wF, wC, wM sum to 1 and
are tuned to the application; for engineering purposes (designing more efficient architectures) wEf
may be added; for neuroscience purposes (modelling biological cognition) wC and wM are weighted more
heavily. The numbers below are this project's reading of that guidance, not the paper's.

>>> parse_weights("S=0.3,F=0.3,C=0.2,M=0.2")["C"]
0.2
>>> parse_weights("S=0.5,F=0.6")
Traceback (most recent call last):
...
kg.errors.KGError: weights must sum to 1 (these sum to 1.1): S=0.5, F=0.6
"""
from __future__ import annotations

import math

from ..errors import KGError

__all__ = ["DIMENSIONS", "PRESETS", "parse_weights", "resolve_weights"]

DIMENSIONS = ("S", "F", "C", "M", "Ef")

PRESETS: dict[str, dict[str, float]] = {
    "balanced": {"S": 0.25, "F": 0.25, "C": 0.25, "M": 0.25, "Ef": 0.0},
    "engineering": {"S": 0.15, "F": 0.35, "C": 0.15, "M": 0.15, "Ef": 0.20},
    "neuroscience": {"S": 0.15, "F": 0.15, "C": 0.35, "M": 0.35, "Ef": 0.0},
}


def parse_weights(text: str) -> dict[str, float]:
    """``S=0.3,F=0.3,C=0.2,M=0.2`` -> weights; non-negative, summing to 1, known dimensions only."""
    weights = dict.fromkeys(DIMENSIONS, 0.0)
    seen = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, val = part.partition("=")
        key = key.strip()
        match = {d.lower(): d for d in DIMENSIONS}.get(key.lower())
        if not sep or match is None:
            raise KGError(f"bad weight '{part}'", hint="write DIM=VALUE pairs with DIM one of "
                          f"{', '.join(DIMENSIONS)}, e.g. --weights S=0.3,F=0.3,C=0.2,M=0.2")
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
    if name not in PRESETS:
        raise KGError(f"unknown preset '{name}'", hint=f"use one of {', '.join(PRESETS)} or --weights")
    return name, dict(PRESETS[name])
