"""The equivalence engine: E(b, a) = wS S + wF F + wC C + wM M + wEf Ef, for one pair or all pairs.

* S, F, M: :math:`(1-\\beta)\\,\\mathrm{BMA_{Lin}} + \\beta\\,P_{DWPC}` over structural features, functional
  roles + computational primitives, and failure characteristics (``semsim``, ``paths``), beta = 0.5; for M
  the BMA matches failure modes one by one, by characteristics and trigger direction (``failure``);
* C: graded alignment of the causal chains, relations and participants by Lin (``causal``);
* Ef: unit-aware log energy ratio (``efficiency``).

A dimension is undefined (NaN) for a pair when either mechanism lacks the data it needs. E is the
weighted mean over the defined dimensions, :math:`E = \\sum_d w_d x_d / \\sum_{d\\,\\mathrm{defined}} w_d`,
and ``coverage`` = :math:`\\sum_{d\\,\\mathrm{defined}} w_d` says how much of the weight it rests on;
E is undefined when coverage is 0. All pairs are computed in blocks of biological mechanisms with matrix
products (dense arrays for small graphs, sparse ones for large: ``linalg``); nothing loops over pairs in
Python.

Example
-------
>>> from kg.graph import load_graph
>>> eng = Engine(load_graph())
>>> res = eng.matrix()
>>> res.E.shape == (len(res.bio), len(res.ann))
True
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import KGError
from .efficiency import ef_from_logs
from .calibration import calibrated_combination
from .failure import failure_model
from .causal import causal_model, dice_block, transposed
from .features import KINDS, Backend, Features, extract_features
from .linalg import Matrix, incidence, vstack
from .paths import cosine_block, path_vectors
from .semsim import ancestors, bma_block, information_content, lin_matrix, max_profile
from .weights import DIMENSIONS, resolve_weights

__all__ = ["Engine", "MatrixResult", "TopK", "BETA"]

BETA = 0.5


@dataclass
class MatrixResult:
    """All pairs: rows are biological mechanisms, columns ANN mechanisms."""

    bio: list[str]
    ann: list[str]
    E: np.ndarray
    coverage: np.ndarray
    dims: dict[str, np.ndarray]
    preset: str
    weights: dict[str, float]
    labels: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """Long format: one dict per pair (for CSV/TSV/JSON)."""
        out = []
        for i, b in enumerate(self.bio):
            for j, a in enumerate(self.ann):
                r = {"bio": b, "bio_label": self.labels.get(b, b), "ann": a, "ann_label": self.labels.get(a, a),
                     "E": float(self.E[i, j])}
                r.update({d: float(self.dims[d][i, j]) for d in DIMENSIONS})
                r["coverage"] = float(self.coverage[i, j])
                out.append(r)
        return out


@dataclass
class TopK:
    """Top-k partners per mechanism (indices into the other side and their E), both directions."""

    bio_idx: np.ndarray
    bio_E: np.ndarray
    ann_idx: np.ndarray
    ann_E: np.ndarray


class Engine:
    """Compute equivalence between biological and ANN mechanisms of a graph.

    Parameters
    ----------
    graph : KnowledgeGraph or RemoteGraph
        Anything with ``select_named``; features are read once, with the queries in queries/features.
    preset : {'balanced', 'engineering', 'neuroscience'}
    weights : str or dict, optional
        Custom weights (``"S=0.3,F=0.3,C=0.2,M=0.2"``), non-negative, summing to 1; override the preset.
    beta : float
        Share of the path proximity in S, F and M.
    entity_labels : mapping, optional
        Labels of the terms, steps and failure modes that explanations name (IRI -> label); mechanisms
        are labelled from the features. Without it, explanations fall back on the IRI's last segment.
    """

    def __init__(self, graph: Backend, preset: str | None = "balanced",
                 weights: str | dict[str, float] | None = None, beta: float = BETA,
                 features: Features | None = None, entity_labels: Mapping[str, str] | None = None):
        self.graph = graph
        self.entity_labels: Mapping[str, str] = entity_labels or {}
        self.preset, self.weights = resolve_weights(preset, weights)
        self.beta = beta
        self.features = features if features is not None else extract_features(graph)
        self._prepare()

    # -- preparation: everything per mechanism, nothing per pair -------------------------------------
    def _prepare(self) -> None:
        f = self.features
        nb = len(f.bio)
        self.lin: dict[str, np.ndarray] = {}
        # reflexive ancestors and IC per dimension: the hierarchy explanations name common parents with
        self.hierarchy: dict[str, tuple[list[set[int]], np.ndarray]] = {}
        self.P: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.U: dict[str, tuple[Matrix, Matrix]] = {}  # path vectors, cached per dimension
        for k in KINDS:
            space = f.spaces[k]
            anc = ancestors(space.parents)
            self.hierarchy[k] = (anc, information_content(anc))
            lin = lin_matrix(space.parents, anc)
            self.lin[k] = lin
            # the ANN profile is stored transposed and contiguous: it is the right operand of every block
            self.P[k] = (max_profile(space.X_bio, lin), np.ascontiguousarray(max_profile(space.X_ann, lin).T))
            T = len(space.terms)
            pr = [(t, p) for t, ps in enumerate(space.parents) for p in ps]
            B = incidence([t for t, _ in pr], [p for _, p in pr], (T, T), f.dense)
            U = path_vectors(vstack([space.X_bio, space.X_ann]), B)
            self.U[k] = (U[:nb], U[nb:])
        self.failure = failure_model(f, self.lin["M"])  # graded M: failure modes one by one (kg.engine.failure)
        self.causal = cm = causal_model(f)  # graded C: step paths, weights, max-profiles (kg.engine.causal)
        self.G, self.Pc, self.gram_w = (cm.G[:nb], cm.G[nb:]), (cm.P[:nb], transposed(cm.P[nb:])), cm.w
        # Ef: log10 SI energy per (outcome, quantity) column, NaN where missing
        keys = sorted({(o, q) for e in f.energy.values() for o, (_, q) in e.items()})
        self._ef_keys = keys

        def logs(mechs: Sequence[str]) -> np.ndarray:
            L = np.full((len(mechs), len(keys)), np.nan, dtype=np.float64)
            for i, m in enumerate(mechs):
                for c, (o, q) in enumerate(keys):
                    e = f.energy.get(m, {}).get(o)
                    if e is not None and e[1] == q:
                        L[i, c] = np.log10(e[0])
            return L
        self._ef_logs = (logs(f.bio), logs(f.ann))

    # -- blocks -----------------------------------------------------------------------------------
    def block(self, bi: np.ndarray | slice, aj: np.ndarray | slice | None = None) -> dict[str, np.ndarray]:
        """Every dimension, E and coverage for bio rows ``bi`` x ANN columns ``aj`` (default: all)."""
        full = aj is None or (isinstance(aj, slice) and aj == slice(None))
        cols = (lambda m: m) if full else (lambda m: m[aj])  # slicing a sparse matrix copies it
        f, beta = self.features, self.beta
        out: dict[str, np.ndarray] = {}
        for k in KINDS:
            sp_ = f.spaces[k]
            Pb, Pa_T = self.P[k]
            bma = self.failure.bma_block(bi, aj) if k == "M" else \
                bma_block(sp_.X_bio[bi], Pb[bi], cols(sp_.X_ann), Pa_T if full else Pa_T[:, aj])
            Ub, Ua = self.U[k]
            prox = cosine_block(Ub[bi], cols(Ua))
            out["P_" + k] = prox
            out["BMA_" + k] = bma
            out[k] = (1 - beta) * bma + beta * prox
        out["C"] = dice_block(self.G[0][bi], cols(self.G[1]), self.gram_w, self.Pc[0][bi],
                              Pa_T=self.Pc[1] if full else self.Pc[1][:, aj])
        out["Ef"] = ef_from_logs(self._ef_logs[0][bi], self._ef_logs[1] if full else self._ef_logs[1][aj])
        out["E"], out["coverage"] = calibrated_combination(self, out, bi, aj)  # kg.engine.calibration
        return out

    # -- public operations ----------------------------------------------------------------------------
    def matrix(self, block_size: int = 1024, progress: Callable[[int], None] | None = None) -> MatrixResult:
        """Every pair, every dimension (memory n_bio x n_ann per dimension: for the shipped graph and
        moderate extras; use :meth:`top_k` at scale)."""
        f = self.features
        parts: list[dict[str, np.ndarray]] = []
        for r0 in range(0, len(f.bio), block_size):
            parts.append(self.block(slice(r0, r0 + block_size)))
            if progress:
                progress(min(block_size, len(f.bio) - r0))
        keys = ["E", "coverage", *DIMENSIONS, *(p + k for p in ("P_", "BMA_") for k in KINDS)]
        if parts:
            cat = {k: np.vstack([p[k] for p in parts]) for k in keys}
        else:
            cat = {k: np.zeros((0, len(f.ann)), dtype=np.float32) for k in keys}
        dims = {k: cat[k] for k in keys if k not in ("E", "coverage")}
        return MatrixResult(f.bio, f.ann, cat["E"], cat["coverage"], dims, self.preset, self.weights,
                            dict(f.labels))

    def top_k(self, k: int = 10, block_size: int = 512,
              progress: Callable[[int], None] | None = None) -> TopK:
        """Top-k analogs of every mechanism in both directions, in row blocks (memory ~ block x n_ann)."""
        f = self.features
        nb, na = len(f.bio), len(f.ann)
        kb, ka = min(k, na), min(k, nb)
        bio_idx = np.zeros((nb, kb), dtype=np.int64)
        bio_E = np.zeros((nb, kb), dtype=np.float32)
        best_v = np.full((ka, na), -np.inf, dtype=np.float32)
        best_i = np.zeros((ka, na), dtype=np.int64)
        for r0 in range(0, nb, block_size):
            E = self.block(slice(r0, r0 + block_size))["E"]
            En = np.where(np.isnan(E), -np.inf, E)
            if kb:
                part = np.argpartition(-En, kb - 1, axis=1)[:, :kb]
                vals = np.take_along_axis(En, part, axis=1)
                order = np.argsort(-vals, axis=1, kind="stable")
                bio_idx[r0:r0 + len(E)] = np.take_along_axis(part, order, axis=1)
                bio_E[r0:r0 + len(E)] = np.take_along_axis(vals, order, axis=1)
            if ka:
                cand_v = np.vstack([best_v, En])
                cand_i = np.vstack([best_i, np.arange(r0, r0 + len(E))[:, None].repeat(na, axis=1)])
                sel = np.argpartition(-cand_v, ka - 1, axis=0)[:ka]
                best_v = np.take_along_axis(cand_v, sel, axis=0)
                best_i = np.take_along_axis(cand_i, sel, axis=0)
            if progress:
                progress(len(E))
        order = np.argsort(-best_v, axis=0, kind="stable")
        ann_E = np.take_along_axis(best_v, order, axis=0).T
        ann_idx = np.take_along_axis(best_i, order, axis=0).T
        return TopK(bio_idx, np.where(np.isinf(bio_E), np.nan, bio_E), ann_idx,
                    np.where(np.isinf(ann_E), np.nan, ann_E))

    def pair(self, b: str, a: str) -> dict[str, float]:
        """Every dimension, E and coverage of one pair (biological b, ANN a) as floats."""
        f = self.features
        sb, i = self._position(b)
        sa, j = self._position(a)
        if sb == sa:
            raise KGError(f"{f.labels.get(b, b)} and {f.labels.get(a, a)} are both "
                          f"{'biological' if sb == 'bio' else 'ANN'} mechanisms",
                          hint="E(b, a) compares a biological mechanism with an ANN mechanism: give one of each")
        if sb == "ann":
            (b, i), (a, j) = (a, j), (b, i)
        blk = self.block(np.array([i]), np.array([j]))
        return {k: float(v[0, 0]) for k, v in blk.items()}

    def ranking(self, x: str) -> list[tuple[str, dict[str, float]]]:
        """Every mechanism of the other side with its scores, best E first (undefined E last)."""
        f = self.features
        side, i = self._position(x)
        if side == "bio":
            blk = self.block(np.array([i]))
            others = f.ann
            vals = {k: v[0] for k, v in blk.items()}
        else:
            blk = self.block(slice(None), np.array([i]))
            others = f.bio
            vals = {k: v[:, 0] for k, v in blk.items()}
        E = np.where(np.isnan(vals["E"]), -np.inf, vals["E"])
        order = np.argsort(-E, kind="stable")
        return [(others[o], {k: float(v[o]) for k, v in vals.items()}) for o in order]

    def _position(self, iri: str) -> tuple[str, int]:
        try:
            return self.features.position(iri)
        except KeyError:
            raise KGError(f"{iri} is not a mechanism the engine can compare",
                          hint="give a biological or ANN mechanism (an individual of bkg:BiologicalMechanism "
                               "or bkg:ANNMechanism); drug classes are compared through their molecular "
                               "action (see `bionn-kg show` for its bkg:hasMolecularAction)") from None
