"""M, failure-mode similarity: the failure characteristics of the mechanisms' failure modes (J. Harris,
'BioNN-ANN Equivalence Framework', section 4.1), through the term-set kernel of :mod:`.terms`.

Its partial analogy lists the failure characteristics one side has and the other does not share
(no characteristic at Lin >= the threshold)."""
from __future__ import annotations

from typing import Any, ClassVar

from .base import register
from .terms import TermDimension

__all__ = ["FailureMode"]


@register
class FailureMode(TermDimension):
    name = "M"
    kind = "M"
    label = "failure mode"
    colour = "#8172B2"
    needs = "failure modes with failure characteristics"
    features = ("spaces", "failure_modes")
    presets: ClassVar[dict[str, float]] = {"balanced": 0.25, "engineering": 0.15, "neuroscience": 0.35}

    def explain(self, b: str, a: str) -> dict[str, list[dict[str, Any]]]:
        out = super().explain(b, a)
        fm = [{"side": "bio", "failure mode": self.name_of(x)} for x in self.f.failure_modes.get(b, [])]
        fm += [{"side": "ann", "failure mode": self.name_of(x)} for x in self.f.failure_modes.get(a, [])]
        out["failure modes"] = fm
        return out
