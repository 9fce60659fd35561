"""M, failure-mode similarity: the failure characteristics of the mechanisms' failure modes (J. Harris,
'BioNN-ANN Equivalence Framework', section 4.1). The best-match half matches failure modes one by one,
by their characteristics and trigger direction (:mod:`kg.engine.failure`); the path half is the term
kernel of :mod:`.terms` over the characteristics.

Its partial analogy lists the failure characteristics one side has and the other does not share
(no characteristic at Lin >= the threshold)."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..failure import failure_model
from ..linalg import row_counts

from .base import Index, register
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

    def prepare(self, features) -> None:
        super().prepare(features)
        self.model = failure_model(features, self.lin, self.space)  # graded M: failure modes one by one

    def bma(self, bi: Index, aj: Index, full: bool) -> np.ndarray:
        return self.model.bma_block(bi, None if full else aj)

    def bma_operands(self, bi: Index) -> tuple:
        m = self.model
        return m.Y_bio[bi], m.P_bio[bi], m.Y_ann, m.Pa_T

    def evidence(self, side: str) -> np.ndarray:
        return row_counts(self.model.Y_bio if side == "bio" else self.model.Y_ann)

    def explain(self, b: str, a: str) -> dict[str, list[dict[str, Any]]]:
        out = super().explain(b, a)
        fm = [{"side": "bio", "failure mode": self.name_of(x)} for x in self.f.failure_modes.get(b, [])]
        fm += [{"side": "ann", "failure mode": self.name_of(x)} for x in self.f.failure_modes.get(a, [])]
        out["failure modes"] = fm
        return out
