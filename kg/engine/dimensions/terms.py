"""Term-set dimensions (S, F, M): hierarchy-aware similarity of descriptor sets, plus path proximity.

.. math::

    x(b, a) = (1-\\beta)\\,\\mathrm{BMA_{Lin}}(T_b, T_a) + \\beta\\,P_{DWPC}(b, a)

with the kernels of :mod:`kg.engine.semsim` (IC, Lin, best-match average over max-profiles) and
:mod:`kg.engine.paths` (degree-weighted path counts), which this module only wraps.

Partial analogies (:meth:`TermDimension.missing`): a descriptor t of b has no counterpart in a when its
best Lin similarity to any descriptor of a is below :data:`LACK_THRESHOLD`:

.. math::

    \\mathrm{lacks}(a \\mid b) = \\{ t \\in T_b : \\max_{u \\in T_a} \\mathrm{Lin}(t, u) < \\theta \\},
    \\quad \\theta = 0.5,

listed by decreasing IC(t) (the most specific, most telling descriptors first). Lin >= 0.5 means the two
terms share an ancestor carrying at least half of their average information content, e.g. siblings under
a specific parent; two terms that meet only near the root fall below it.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..linalg import (add_product, add_sparse, add_transposed, incidence, row_cols, row_counts, scale,
                      to_dense, vstack)
from ..paths import cosine_block, path_operands, path_products
from ..semsim import ancestors, bma_block, information_content, lin_matrix, side_profiles
from .base import Defined, Dimension, Index, Missing

__all__ = ["LACK_THRESHOLD", "TermDimension"]

#: best Lin below which a descriptor counts as lacking on the other side
LACK_THRESHOLD = 0.5
_LOCK = threading.Lock()


class TermDimension(Dimension):
    """A dimension over one descriptor hierarchy of :attr:`Features.spaces` (key :attr:`kind`)."""

    kind: str = ""  # the descriptor kind of the feature queries

    def prepare(self, features) -> None:
        super().prepare(features)
        space = features.spaces[self.kind]
        nb = len(features.bio)
        self.space = space
        self.anc = ancestors(space.parents)
        self.ic = information_content(self.anc)
        self.lin = lin_matrix(space.parents, self.anc)
        # the ANN profile is stored transposed and contiguous: it is the right operand of every block
        self.Pb, self.Pa_T = side_profiles(space.X_bio, space.X_ann, self.lin)
        T = len(space.terms)
        pr = [(t, p) for t, ps in enumerate(space.parents) for p in ps]
        B = incidence([t for t, _ in pr], [p for _, p in pr], (T, T), features.dense)
        # unit path vectors once, so each block's cosine is a bare product; norms mark the pathless
        self.paths = path_operands(vstack([space.X_bio, space.X_ann]), B, nb)
        self.Ub, self.Ua = self.paths.Ub, self.paths.Ua
        self.Ub_norm, self.Ua_norm = self.paths.norms_b, self.paths.norms_a
        self._fused: dict[float, tuple] = {}  # per weight: the ANN side's scaled incidence (add_weighted)

    def block(self, bi: Index, aj: Index = None) -> dict[str, np.ndarray]:
        full = aj is None or (isinstance(aj, slice) and aj == slice(None))
        bma = self.bma(bi, aj, full)
        prox = cosine_block(self.Ub[bi], self.Ua if full else self.Ua[aj],
                            (self.Ub_norm[bi], self.Ua_norm if full else self.Ua_norm[aj]))
        b = self.beta
        return {self.name: (1 - b) * bma + b * prox, "BMA_" + self.name: bma, "P_" + self.name: prox}

    def bma_operands(self, bi: Index) -> tuple:
        """(bio incidence, bio max-profile, ANN incidence, ANN max-profile transposed) of the
        best-match average, bio rows ``bi`` x every ANN mechanism."""
        s = self.space
        return s.X_bio[bi], self.Pb[bi], s.X_ann, self.Pa_T

    def add_weighted(self, out: np.ndarray, w: float, bi: Index,
                     out_T: Callable[[], np.ndarray] | None = None) -> Defined:
        """``out += w x`` in place: each half of the best-match average is a product whose rows are
        pre-scaled by w (1 - beta) / (2 |T|) and accumulated into ``out`` (the ANN-to-bio half into
        ``out_T``, or transposed in tiles without it), and the path cosine's non-zeros are added
        with weight w beta."""
        Xb, Pb, Xa, Pa_T = self.bma_operands(bi)
        with _LOCK:  # blocks run on threads: the scaled ANN side is made once per weight
            if w not in self._fused:
                na = row_counts(Xa)
                self._fused[w] = (scale(Xa, r=self._row_factor(na, w)), (na > 0) & (self.Ua_norm > 0))
        Xa_w, cols = self._fused[w]
        nb = row_counts(Xb)
        add_product(out, scale(Xb, r=self._row_factor(nb, w)), Pa_T)   # b's terms' best matches in a
        PbT = np.ascontiguousarray(Pb.T, dtype=np.float32)
        if out_T is not None:  # a's terms' best matches in b
            add_product(out_T(), Xa_w, PbT)
        else:
            add_transposed(out, np.asarray(Xa_w @ PbT, dtype=np.float32))
        add_sparse(out, path_products(self.paths, bi), w * self.beta, hi=1.0)
        return (nb > 0) & (self.Ub_norm[bi] > 0), cols

    def _row_factor(self, counts: np.ndarray, w: float) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.where(counts > 0, w * (1 - self.beta) * 0.5 / counts, 0.0).astype(np.float32)

    def bma(self, bi: Index, aj: Index, full: bool) -> np.ndarray:
        """The best-match-average half of the block (a subclass may match other units than terms)."""
        s = self.space
        Xa = s.X_ann if full else s.X_ann[aj]        # slicing a sparse matrix copies it
        return bma_block(s.X_bio[bi], self.Pb[bi], Xa, self.Pa_T if full else self.Pa_T[:, aj])

    def has_data(self, side: str, i: int) -> bool:
        return bool(self.terms_of(side, i))

    def evidence(self, side: str) -> np.ndarray:
        return row_counts(self.space.X_bio if side == "bio" else self.space.X_ann)

    # -- reading ----------------------------------------------------------------------------------
    def terms_of(self, side: str, i: int) -> list[int]:
        return row_cols(self.space.X_bio if side == "bio" else self.space.X_ann, i)

    def term_label(self, t: int) -> str:
        return self.name_of(self.space.terms[t])

    def mica(self, t: int, u: int) -> int | None:
        common = self.anc[t] & self.anc[u]
        return max(common, key=lambda c: self.ic[c]) if common else None

    def _pos(self, b: str, a: str) -> tuple[int, int]:
        return self.position(b)[1], self.position(a)[1]

    # -- explanations -------------------------------------------------------------------------------
    def term_matches(self, b: str, a: str, top: int = 6) -> list[dict[str, Any]]:
        """Best-matching term pairs (Lin > 0), each b-term to its best a-term and vice versa."""
        bi, aj = self._pos(b, a)
        tb, ta = self.terms_of("bio", bi), self.terms_of("ann", aj)
        if not tb or not ta:
            return []
        L = self.lin[np.ix_(tb, ta)]
        pairs = {(tb[r], ta[int(L[r].argmax())]) for r in range(len(tb))}
        pairs |= {(tb[int(L[:, c].argmax())], ta[c]) for c in range(len(ta))}
        rows = []
        for t, u in pairs:
            sim = float(self.lin[t, u])
            if sim <= 0:
                continue
            m = self.mica(t, u)
            via = "same term" if t == u else (f"common parent: {self.term_label(m)}" if m is not None else "")
            rows.append({"dimension": self.name, "bio term": self.term_label(t), "ann term": self.term_label(u),
                         "similarity": round(sim, 3), "via": via})
        rows.sort(key=lambda r: (-r["similarity"], r["bio term"]))
        return rows[:top]

    def strongest_paths(self, b: str, a: str, top: int = 5) -> list[dict[str, Any]]:
        """The metapath instances that contribute most to the normalised DWPC of the pair."""
        bi, aj = self._pos(b, a)
        ub, ua = to_dense(self.Ub[bi]).ravel(), to_dense(self.Ua[aj]).ravel()
        norm = float(np.linalg.norm(ub) * np.linalg.norm(ua))
        if norm == 0:
            return []
        contrib = ub * ua / norm
        space = self.space
        T = len(space.terms)
        tb, ta = set(self.terms_of("bio", bi)), set(self.terms_of("ann", aj))
        rows = []
        for c in np.argsort(-contrib)[:top]:
            if contrib[c] <= 0:
                break
            if c < T:
                path, mp = f"b -has-> {self.term_label(c)} <-has- a", "M-T-M"
            else:
                p = c - T
                kids_b = [t for t in tb if p in space.parents[t]]
                kids_a = [t for t in ta if p in space.parents[t]]
                path = (f"b -has-> {', '.join(self.term_label(t) for t in kids_b)} -broader-> "
                        f"{self.term_label(p)} <-broader- "
                        f"{', '.join(self.term_label(t) for t in kids_a)} <-has- a")
                mp = "M-T-P-T-M"
            rows.append({"dimension": self.name, "metapath": mp, "path": path, "share": round(float(contrib[c]), 3)})
        return rows

    def explain(self, b: str, a: str) -> dict[str, list[dict[str, Any]]]:
        return {"matched terms": self.term_matches(b, a), "strongest paths": self.strongest_paths(b, a)}

    def short(self, b: str, a: str) -> list[tuple[float, str]]:
        out = []
        for r in self.term_matches(b, a):
            t = r["bio term"] if r["via"] == "same term" else f"{r['bio term']}~{r['ann term']}"
            out.append((float(r["similarity"]), t))
        return out

    # -- partial analogies --------------------------------------------------------------------------
    def _lacking(self, have: list[int], other: list[int]) -> list[Missing]:
        rows = []
        for t in have:
            if other:
                sims = self.lin[t, other]
                k = int(np.argmax(sims))
                best, closest = float(sims[k]), other[k]
            else:
                best, closest = 0.0, None
            if best >= LACK_THRESHOLD:
                continue
            iri = self.space.terms[t]
            rows.append({"dimension": self.name, "id": self.curie(iri), "iri": iri, "label": self.term_label(t),
                         "ic": round(float(self.ic[t]), 4),
                         "closest": self.term_label(closest) if closest is not None and best > 0 else None,
                         "similarity": round(best, 4)})
        rows.sort(key=lambda r: (-r["ic"], r["label"]))
        return rows

    def missing(self, b: str, a: str) -> dict[str, list[Missing]]:
        bi, aj = self._pos(b, a)
        tb, ta = self.terms_of("bio", bi), self.terms_of("ann", aj)
        return {"ann_lacks": self._lacking(tb, ta), "bio_lacks": self._lacking(ta, tb)}

    def donors(self, item: Missing, side: str) -> list[tuple[int, float]]:
        """Mechanisms of ``side`` with a descriptor at Lin >= the threshold from ``item``, best first:
        the column of the max-profile, :math:`P[m, t] = \\max_{u \\in T_m} \\mathrm{Lin}(u, t)`."""
        t = self.space.index.get(item["iri"])
        if t is None:
            return []
        col = np.asarray(self.Pb[:, t] if side == "bio" else self.Pa_T[t, :], dtype=np.float64)
        idx = np.flatnonzero(col >= LACK_THRESHOLD)
        order = idx[np.argsort(-col[idx], kind="stable")]
        return [(int(i), float(col[i])) for i in order]
