"""S, structural similarity: shared structural features (J. Harris, 'BioNN-ANN Equivalence Framework',
section 4.1), through the term-set kernel of :mod:`.terms`."""
from __future__ import annotations

from typing import ClassVar

from .base import register
from .terms import TermDimension

__all__ = ["Structural"]


@register
class Structural(TermDimension):
    name = "S"
    kind = "S"
    label = "structural"
    colour = "#4C72B0"
    needs = "structural features"
    features = ("spaces",)
    presets: ClassVar[dict[str, float]] = {"balanced": 0.25, "engineering": 0.15, "neuroscience": 0.15}
    paper_rating = "structural"
