"""Ef, the efficiency differential: unit-aware log energy ratio for the same outcome (J. Harris,
'BioNN-ANN Equivalence Framework', sections 4.1-4.2), wrapping :mod:`kg.engine.efficiency`.

It has no partial analogy: an energy cost is a measurement, not a descriptor a mechanism could borrow.
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..efficiency import ef_from_logs, ef_reason
from .base import Dimension, Index, register

__all__ = ["Efficiency"]


@register
class Efficiency(Dimension):
    name = "Ef"
    label = "efficiency"
    colour = "#CCB974"
    needs = "efficiency profile for a shared outcome"
    features = ("energy", "energy_issues")
    presets: ClassVar[dict[str, float]] = {"engineering": 0.20}
    in_sensitivity_grid = False  # data-poor: the report's grid keeps it at 0
    measures_energy = True

    def prepare(self, features) -> None:
        super().prepare(features)
        f = features
        keys = sorted({(o, q) for e in f.energy.values() for o, (_, q) in e.items()})

        def logs(mechs) -> np.ndarray:  # log10 SI energy per (outcome, quantity) column, NaN where missing
            L = np.full((len(mechs), len(keys)), np.nan, dtype=np.float64)
            for i, m in enumerate(mechs):
                for c, (o, q) in enumerate(keys):
                    e = f.energy.get(m, {}).get(o)
                    if e is not None and e[1] == q:
                        L[i, c] = np.log10(e[0])
            return L
        self.Lb, self.La = logs(f.bio), logs(f.ann)

    def block(self, bi: Index, aj: Index = None) -> dict[str, np.ndarray]:
        La = self.La if aj is None or (isinstance(aj, slice) and aj == slice(None)) else self.La[aj]
        return {self.name: ef_from_logs(self.Lb[bi], La)}

    def has_data(self, side: str, i: int) -> bool:
        m = (self.f.bio if side == "bio" else self.f.ann)[i]
        return m in self.f.energy

    def _reason(self, b: str, a: str) -> str:
        return ef_reason(b, a, self.f.energy, self.f.energy_issues, self.name_of)

    def undefined_reason(self, b: str, a: str) -> str | None:
        bi, aj = self.position(b)[1], self.position(a)[1]
        v = self.block(np.array([bi]), np.array([aj]))[self.name][0, 0]
        return None if not np.isnan(v) else self._reason(b, a)

    def explain(self, b: str, a: str) -> dict[str, list[dict[str, Any]]]:
        if self.undefined_reason(b, a) is not None:
            return {"efficiency": []}
        return {"efficiency": [{"detail": self._reason(b, a)}]}
