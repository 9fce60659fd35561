"""C, causal similarity: structure mapping over the causal chains, wrapping :mod:`kg.engine.causal`
(step paths of length 1-3 weighted by length and rarity, aligned by the Lin similarity of their
relations and participants, normalised by the self-matches).

Partial analogy (:meth:`Causal.missing`): the steps of b that no shared relation path of (b, a)
realises, i.e. steps whose relation a's chain never applies in a matching context, with their
participants; ``ic`` is the rarity of the step's relation among the described mechanisms,
:math:`-\\ln\\frac{df(r) + 1}{N + 1}` (a relation every chain uses tells little).
"""
from __future__ import annotations

import math
import threading
from typing import Any, ClassVar

import numpy as np

from ..causal import aligned_grams, causal_model, dice_block, graded_alignments, graded_nonzeros
from ..linalg import add_sparse, hstack, incidence, is_sparse, scale, sparse_product, transposed, vstack
from .base import Defined, Dimension, Index, Missing, register

__all__ = ["Causal"]


_LOCK = threading.Lock()


@register
class Causal(Dimension):
    name = "C"
    label = "causal"
    colour = "#C44E52"
    needs = "causal chain"
    features = ("chains",)
    presets: ClassVar[dict[str, float]] = {"balanced": 0.25, "engineering": 0.15, "neuroscience": 0.35}
    prepare_in_python: ClassVar[bool] = True   # the pass over every causal step

    def prepare(self, features) -> None:
        super().prepare(features)
        nb = len(features.bio)
        cm = self.model = causal_model(features)  # graded: step paths, weights, max-profiles
        self.Gb, self.Ga, self.w = cm.G[:nb], cm.G[nb:], cm.w
        self.Pb, self.Pa_T = cm.Pb, cm.Pa_T  # the model keeps the ANN profile transposed, as blocks use it
        self.GaW_T = transposed(scale(self.Ga, c=self.w))  # the ANN-to-bio half's right operand, made once
        # the relations each chain applies (its relation paths of length 1): donors of a step, and rarity
        rows, rels = cm.relation_pairs
        Gx = incidence(rows, rels, (len(features.bio) + len(features.ann), len(cm.rel_terms)), features.dense)
        self.Gxb, self.Gxa = Gx[:nb], Gx[nb:]
        self.n_chains = int(np.count_nonzero(np.bincount(rows, minlength=len(features.bio) + len(features.ann))))
        df = np.bincount(rels, minlength=len(cm.rel_terms))
        self.relation_df = {cm.rel_terms[r]: int(df[r]) for r in np.flatnonzero(df).tolist()}

    def block(self, bi: Index, aj: Index = None) -> dict[str, np.ndarray]:
        full = aj is None or (isinstance(aj, slice) and aj == slice(None))
        return {self.name: dice_block(self.Gb[bi], self.Ga if full else self.Ga[aj], self.w, self.Pb[bi],
                                      Pa_T=self.Pa_T if full else self.Pa_T[:, aj],
                                      GaW_T=self.GaW_T if full else self.GaW_T[:, aj])}

    def add_weighted(self, out: np.ndarray, w: float, bi: Index, out_T=None) -> Defined:
        """``out += w C`` on the non-zeros of graded C only (sparse operands; else as :meth:`block`).

        The numerator's two halves are one product, ``[Gb diag(w) | Pb] @ [Pa^T ; (Ga diag(w))^T]``
        (the right operand stacked once, on first use): no second product and no sparse sum."""
        if not (is_sparse(self.Gb) and is_sparse(self.Pb)):
            return super().add_weighted(out, w, bi)
        with _LOCK:  # blocks run on threads: the stacked operand is made once
            if not hasattr(self, "_fused"):
                self._fused = (np.asarray(self.Ga @ self.w).ravel(),
                               vstack([self.Pa_T, self.GaW_T]))
        sa, right = self._fused
        Gb = self.Gb[bi]
        sb = np.asarray(Gb @ self.w).ravel()
        left = hstack([scale(Gb, c=self.w), self.Pb[bi]])
        add_sparse(out, graded_nonzeros(sparse_product(left, right), sb, sa), w)
        return sb > 0, sa > 0

    def has_data(self, side: str, i: int) -> bool:
        m = (self.f.bio if side == "bio" else self.f.ann)[i]
        return bool(self.f.chains.steps.get(m))

    def evidence(self, side: str) -> np.ndarray:
        return np.array([len(self.steps(m)) for m in (self.f.bio if side == "bio" else self.f.ann)])

    def steps(self, m: str) -> list[dict[str, Any]]:
        return self.f.chains.steps.get(m, [])

    def step_text(self, steps: list[dict[str, Any]]) -> str:
        parts = []
        for s in steps:
            what = ", ".join(self.name_of(p) for p in sorted(s.get("participants", ()))) or "-"
            parts.append(f"{self.name_of(s['relation'])}({what})")
        return " -> ".join(parts)

    def aligned_steps(self, b: str, a: str, top: int = 5) -> list[dict[str, Any]]:
        return [{"length": len(sb), "bio steps": self.step_text(sb), "ann steps": self.step_text(sa),
                 "similarity": round(k, 3)}
                for sb, sa, k in graded_alignments(self.model, self.steps(b), self.steps(a), top)]

    def explain(self, b: str, a: str) -> dict[str, list[dict[str, Any]]]:
        return {"aligned causal steps": self.aligned_steps(b, a)}

    def short(self, b: str, a: str) -> list[tuple[float, str]]:
        chain = aligned_grams(self.steps(b), self.steps(a))[:1]
        if chain and len(chain[0][0]) > 1:  # a preserved chain says more than any single shared term
            return [(2.0, "chain " + " -> ".join(self.name_of(s["relation"]) for s in chain[0][0]))]
        return []

    # -- partial analogies --------------------------------------------------------------------------
    def _unaligned(self, m: str, other: str, m_first: bool) -> list[Missing]:
        pairs = aligned_grams(self.steps(m), self.steps(other)) if m_first else \
            [(y, x) for x, y in aligned_grams(self.steps(other), self.steps(m))]
        covered = {s["step"] for sm, _ in pairs for s in sm}
        rows = []
        for s in self.steps(m):
            if s["step"] in covered:
                continue
            rel = s["relation"]
            ic = -math.log((self.relation_df.get(rel, 0) + 1) / (self.n_chains + 1))
            rows.append({"dimension": self.name, "id": self.curie(rel), "iri": rel,
                         "label": self.step_text([s]), "ic": round(ic, 4),
                         "step": self.curie(s["step"]),
                         "participants": [self.name_of(p) for p in sorted(s.get("participants", ()))]})
        rows.sort(key=lambda r: (-r["ic"], r["label"]))
        return rows

    def missing(self, b: str, a: str) -> dict[str, list[Missing]]:
        return {"ann_lacks": self._unaligned(b, a, True), "bio_lacks": self._unaligned(a, b, False)}

    def donors(self, item: Missing, side: str) -> list[tuple[int, float]]:
        """Mechanisms of ``side`` whose chain applies the step's relation (match 1)."""
        g = self.model.rel_index.get(item["iri"])
        if g is None:
            return []
        G = self.Gxb if side == "bio" else self.Gxa
        col = np.asarray(G[:, g].toarray() if hasattr(G, "toarray") else G[:, g]).ravel()
        return [(int(i), 1.0) for i in np.flatnonzero(col > 0)]
