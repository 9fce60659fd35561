"""F, functional similarity: shared functional roles and computational primitives (J. Harris,
'BioNN-ANN Equivalence Framework', section 4.1), through the term-set kernel of :mod:`.terms`."""
from __future__ import annotations

from typing import ClassVar

from .base import register
from .terms import TermDimension

__all__ = ["Functional"]


@register
class Functional(TermDimension):
    name = "F"
    kind = "F"
    label = "functional"
    colour = "#55A868"
    needs = "functional roles or computational primitives"
    features = ("spaces",)
    presets: ClassVar[dict[str, float]] = {"balanced": 0.25, "engineering": 0.35, "neuroscience": 0.15}
    paper_rating = "functional"
