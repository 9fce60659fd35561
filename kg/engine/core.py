"""The equivalence engine: E(b, a) = sum_d w_d x_d over the registered dimensions, for one pair or all.

The dimensions (:mod:`kg.engine.dimensions`: S, F, C, M, Ef by default) each compute an all-pairs
block; :func:`kg.engine.combine.combine` turns the blocks into E and coverage:

* a dimension is undefined (NaN) for a pair when either mechanism lacks the data it needs;
* E is the weighted mean over the defined dimensions, :math:`E = \\sum_d w_d x_d / \\sum_{d\\,\\mathrm{defined}} w_d`,
  and ``coverage`` = :math:`\\sum_{d\\,\\mathrm{defined}} w_d` says how much of the weight it rests on;
  E is undefined when coverage is 0.

All pairs are computed in blocks of biological mechanisms with matrix products (dense arrays for small
graphs, sparse ones for large: ``linalg``); nothing loops over pairs in Python.

The domain rules live here too, so the Python API behaves as the command line: IDs may be CURIEs,
IRIs or labels; a drug class is compared through its molecular action; an unknown ID, a pair from
one domain, or a mechanism with no description raise :class:`~kg.errors.KGError` with the reason
and the closest labels.

Example
-------
>>> from kg.graph import load_graph
>>> eng = Engine(load_graph())
>>> res = eng.matrix()
>>> res.E.shape == (len(res.bio), len(res.ann))
True
>>> round(eng.pair("synaptic pruning", "bkg:WeightDecay")["E"], 2) == round(
...     eng.pair("https://w3id.org/bionn-kg/WeightDecay", "bkg:SynapticPruning")["E"], 2)
True
"""
from __future__ import annotations

import difflib
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import KGError, UnknownEntityError
from . import dimensions as registry
from .combine import ColumnTopK, combine, top_rows
from .combine import worker_pool as _pool
from .dimensions.base import Dimension
from .features import Backend, Features, extract_features
from .linalg import add_transposed
from .weights import resolve_weights

__all__ = ["Engine", "MatrixResult", "TopK", "BETA"]

BETA = 0.5


@dataclass
class MatrixResult:
    """All pairs: rows are biological mechanisms, columns ANN mechanisms.

    ``dims`` holds every dimension's scores (and its named parts, e.g. ``BMA_S``); ``names`` the
    dimension names in registry order.
    """

    bio: list[str]
    ann: list[str]
    E: np.ndarray
    coverage: np.ndarray
    dims: dict[str, np.ndarray]
    preset: str
    weights: dict[str, float]
    labels: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.names:
            self.names = [k for k in self.dims if "_" not in k]

    def rows(self) -> list[dict[str, Any]]:
        """Long format: one dict per pair (for CSV/TSV/JSON)."""
        out = []
        for i, b in enumerate(self.bio):
            for j, a in enumerate(self.ann):
                r = {"bio": b, "bio_label": self.labels.get(b, b), "ann": a, "ann_label": self.labels.get(a, a),
                     "E": float(self.E[i, j])}
                r.update({d: float(self.dims[d][i, j]) for d in self.names})
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
        Share of the path proximity in the term-set dimensions.
    entity_labels : mapping, optional
        Labels of the terms, steps and failure modes that explanations name (IRI -> label); mechanisms
        are labelled from the features. Without it, explanations fall back on the IRI's last segment.
    index : kg.ids.EntityIndex, optional
        Resolves labels and CURIEs; built from the graph on first need otherwise.
    """

    def __init__(self, graph: Backend, preset: str | None = "balanced",
                 weights: str | dict[str, float] | None = None, beta: float = BETA,
                 features: Features | None = None, entity_labels: Mapping[str, str] | None = None,
                 index: Any = None):
        self.graph = graph
        self._index = index
        self.entity_labels: Mapping[str, str] = entity_labels or (index.labels if index is not None else {})
        self.preset, self.weights = resolve_weights(preset, weights)
        self.beta = beta
        self.features = features if features is not None else extract_features(graph)
        curie = getattr(graph, "curie", None)
        me = weakref.ref(self)  # no engine <-> dimension cycle: an engine is freed as soon as it is dropped

        def label(iri: str) -> str:
            eng = me()
            return eng.label(iri) if eng is not None else iri.rsplit("/", 1)[-1]
        self.dimensions: dict[str, Dimension] = {
            cls.name: cls(label=label, beta=beta, curie=curie) for cls in registry.registered()}
        # dimensions prepare independently: on two threads, one dimension's Python passes (which hold
        # the GIL) overlap another's NumPy work (which releases it)
        dims = sorted(self.dimensions.values(), key=lambda d: not d.prepare_in_python)
        with _pool(None, min(2, len(dims))) as ex:
            list(ex.map(lambda d: d.prepare(self.features), dims))  # list(): re-raises a failure here

    @property
    def names(self) -> list[str]:
        """The dimension names, in registry order."""
        return list(self.dimensions)

    def dimension(self, name: str) -> Dimension:
        try:
            return self.dimensions[name]
        except KeyError:
            raise KGError(f"unknown dimension '{name}'", hint=f"one of {', '.join(self.dimensions)}") from None

    def label(self, iri: str) -> str:
        """The label of a mechanism, term, step or failure mode (the IRI's last segment without one)."""
        lab = self.features.labels.get(iri) or self.entity_labels.get(iri)
        if lab:
            return lab
        if not self.entity_labels and self._index is not False:  # the Python API without labels: read them once
            try:
                self.entity_labels = self._entity_index().labels
            except Exception:  # noqa: BLE001 - a backend without the labels query: keep the IRI's last segment
                self._index = False
            if self.entity_labels:
                return self.entity_labels.get(iri) or iri.rsplit("/", 1)[-1]
        return iri.rsplit("/", 1)[-1]

    def _entity_index(self):
        if self._index is None or self._index is False:
            from ..ids import EntityIndex
            self._index = EntityIndex(self.graph)
        return self._index

    def curie(self, iri: str) -> str:
        c = getattr(self.graph, "curie", None)
        return c(iri) if c else iri

    # -- blocks -----------------------------------------------------------------------------------
    def block(self, bi: np.ndarray | slice, aj: np.ndarray | slice | None = None,
              only: list[str] | None = None) -> dict[str, np.ndarray]:
        """Every dimension (or those in ``only``), E and coverage for bio rows ``bi`` x ANN columns ``aj``."""
        out: dict[str, np.ndarray] = {}
        for name, d in self.dimensions.items():
            if only is None or name in only:
                out.update(d.block(bi, aj))
        if getattr(self, "calibration_mode", "none") == "none":
            out["E"], out["coverage"] = combine(out, self.weights)
        else:  # optional calibrated combination (kg.engine.calibration), off by default
            from .calibration import calibrated_combination
            out["E"], out["coverage"] = calibrated_combination(self, out, bi, aj)
        return out

    # -- public operations ----------------------------------------------------------------------------
    def matrix(self, block_size: int = 1024, progress: Callable[[int], None] | None = None) -> MatrixResult:
        """Every pair, every dimension (memory n_bio x n_ann per dimension: for the shipped graph and
        moderate extras; use :meth:`top_k` at scale)."""
        f = self.features
        parts: list[dict[str, np.ndarray]] = []
        for r0 in range(0, max(len(f.bio), 1), block_size):
            parts.append(self.block(slice(r0, r0 + block_size)))
            if progress and f.bio:
                progress(min(block_size, len(f.bio) - r0))
        cat = {k: np.vstack([p[k] for p in parts]) for k in parts[0]}
        E, cov = cat.pop("E"), cat.pop("coverage")
        return MatrixResult(f.bio, f.ann, E, cov, cat, self.preset, self.weights, dict(f.labels), self.names)

    def top_k(self, k: int = 10, block_size: int = 128,
              progress: Callable[[int], None] | None = None, threads: int | None = None) -> TopK:
        """Top-k analogs of every mechanism in both directions, in row blocks (memory ~ block x n_ann).

        Only the weighted dimensions are computed, each adding its weighted scores into one float32
        block in place (:meth:`ranked_block`). Ties are ranked by index (the smaller row or column
        first), so the result does not depend on ``block_size`` or ``threads``. Each block's rows are
        ranked with one bound per row (:func:`~kg.engine.combine.top_rows`) and the ANN side keeps k
        candidates per column, a block offering only its entries above a column's running k-th best
        (:class:`~kg.engine.combine.ColumnTopK`). Blocks are computed on ``threads`` threads
        (default: the machine's cores, at most 4). Blocks of 128 rows keep a block's arrays (5 MB at
        10^4 ANN mechanisms) near the cache."""
        f = self.features
        nb, na = len(f.bio), len(f.ann)
        kb, ka = min(k, na), min(k, nb)
        bio_idx = np.zeros((nb, kb), dtype=np.int64)
        bio_E = np.full((nb, kb), np.nan, dtype=np.float32)
        cols = ColumnTopK(ka, na)
        local = threading.local()  # one accumulator per thread, reused block after block

        def work(r0: int) -> tuple[int, tuple | None, tuple | None]:
            sl = slice(r0, min(r0 + block_size, nb))
            acc = getattr(local, "acc", None)
            if acc is None or acc.shape[0] != sl.stop - sl.start:
                acc = local.acc = np.empty((sl.stop - sl.start, na), dtype=np.float32)
                local.acc_T = np.empty((na, sl.stop - sl.start), dtype=np.float32)
            En = self.ranked_block(sl, acc, local.acc_T)
            return len(En), top_rows(En, kb) if kb else None, cols.candidates(En, r0) if ka else None

        # blocks run on a small thread pool: NumPy and scipy.sparse release the GIL in their kernels
        starts = range(0, nb, block_size) if na else range(0)
        with _pool(threads, len(starts)) as ex:
            for r0, (n, rows, cand) in zip(starts, ex.map(work, starts)):
                if rows is not None:
                    bio_idx[r0:r0 + n], bio_E[r0:r0 + n] = rows
                if cand is not None:
                    cols.merge(*cand)  # in row order: a later row never displaces an equal E
                if progress:
                    progress(n)
        ann_idx, ann_E = cols.result() if na else (np.zeros((0, ka), dtype=np.int64),
                                                   np.zeros((0, ka), dtype=np.float32))
        return TopK(bio_idx, np.where(np.isinf(bio_E), np.nan, bio_E), ann_idx,
                    np.where(np.isinf(ann_E), np.nan, ann_E))

    def ranked_block(self, bi: slice, out: np.ndarray | None = None,
                     out_T: np.ndarray | None = None) -> np.ndarray:
        """E of bio rows ``bi`` x every ANN mechanism for ranking: undefined E as -inf, float32.

        The fused form of ``block(bi)["E"]`` (the same numbers, up to float32 rounding): each weighted
        dimension adds its weighted scores into ``out`` (:meth:`Dimension.add_weighted`) and says
        where it is defined. When that is a set of rows and columns, the coverage of the rest of the
        block is the sum of the weights, so only the rows and columns where a dimension is undefined
        get their own coverage. Parts computed ANN-major are gathered in ``out_T`` (n_ann x rows) and
        added transposed once. ``out`` and ``out_T`` are work arrays (made if not given). The
        calibrated combination goes through :meth:`block`.
        """
        f = self.features
        n = len(range(*bi.indices(len(f.bio))))
        if getattr(self, "calibration_mode", "none") != "none":
            En = self.block(bi, only=[d for d, w in self.weights.items() if w])["E"]
            np.copyto(En, -np.inf, where=En != En)
            return En
        out = np.empty((n, len(f.ann)), dtype=np.float32) if out is None else out
        out.fill(0)
        used = []

        def transposed_out() -> np.ndarray:  # zeroed on first use only: a block without such parts skips it
            nonlocal out_T
            if not used:
                out_T = np.empty((len(f.ann), n), dtype=np.float32) if out_T is None else out_T
                out_T.fill(0)
                used.append(True)
            return out_T

        parts = []
        for name, w in self.weights.items():
            if w and name in self.dimensions:
                w32 = np.float32(w)
                parts.append((w32, self.dimensions[name].add_weighted(out, w32, bi, transposed_out)))
        if used:
            add_transposed(out, out_T)
        return _divide_by_coverage(out, parts)

    def pair(self, b: str, a: str) -> dict[str, float]:
        """Every dimension, E and coverage of one pair (one biological and one ANN mechanism, in either
        order; CURIEs, IRIs or labels) as floats."""
        b, a = self.oriented(b, a)
        blk = self.block(np.array([self.features.position(b)[1]]), np.array([self.features.position(a)[1]]))
        return {k: float(v[0, 0]) for k, v in blk.items()}

    def ranking(self, x: str) -> list[tuple[str, dict[str, float]]]:
        """Every mechanism of the other side with its scores, best E first (undefined E last)."""
        x = self.resolve(x)
        f = self.features
        side, i = f.position(x)
        if side == "bio":
            blk = self.block(np.array([i]))
            others = f.ann
            vals = {k: v[0] for k, v in blk.items()}
        else:
            blk = self.block(slice(None), np.array([i]))
            others = f.bio
            vals = {k: v[:, 0] for k, v in blk.items()}
        if len(others) and np.isnan(vals["E"]).all():
            weighted = [d for d, w in self.weights.items() if w]
            raise KGError(f"{self.label(x)} ({self.curie(x)}) has an undefined E with every "
                          f"{'ANN' if side == 'bio' else 'biological'} mechanism: it has none of the data the "
                          f"weighted dimensions ({', '.join(weighted)}) need in common with any of them",
                          hint="describe it further (see docs/description-rubric.md) or change --weights")
        E = np.where(np.isnan(vals["E"]), -np.inf, vals["E"])
        order = np.argsort(-E, kind="stable")
        return [(others[o], {k: float(v[o]) for k, v in vals.items()}) for o in order]

    # -- domain rules ---------------------------------------------------------------------------------
    def oriented(self, b: str, a: str) -> tuple[str, str]:
        """(biological, ANN) IRIs of a pair given in either order; refuses a pair from one domain."""
        b, a = self.resolve(b), self.resolve(a)
        sb, sa = self.features.side(b), self.features.side(a)
        if sb == sa:
            raise KGError(f"{self.label(b)} and {self.label(a)} are both "
                          f"{'biological' if sb == 'bio' else 'ANN'} mechanisms",
                          hint="E(b, a) compares a biological mechanism with an ANN mechanism: give one of each")
        return (b, a) if sb == "bio" else (a, b)

    def resolve(self, ident: str) -> str:
        """The IRI of the described mechanism ``ident`` names (CURIE, IRI or label); a drug class gives
        its molecular action. :class:`KGError` otherwise, with the reason and the closest labels."""
        return self.resolve_with_note(ident)[0]

    def resolve_with_note(self, ident: str) -> tuple[str, str | None]:
        """As :meth:`resolve`, with a note when the ID stood for something else (a drug class)."""
        f = self.features
        note = None
        iri = ident if f.side(ident) else self._lookup(ident)
        if f.side(iri) is None:
            actions = [r["action"] for r in self.graph.select_named("internal/molecular_actions", {"drug": iri})]
            mech = [x for x in actions if f.side(x)]
            if len(mech) == 1:
                note = f"{self.label(iri)} is compared through its molecular action, {self.label(mech[0])}"
                iri = mech[0]
            elif len(mech) > 1:
                raise KGError(f"{self.label(iri)} has {len(mech)} molecular actions: compare one of them",
                              hint=", ".join(f"{self.curie(m)} ({self.label(m)})" for m in mech))
            else:
                raise KGError(f"{self.label(iri)} ({self.curie(iri)}) is not a mechanism the engine can compare",
                              hint="give a biological or ANN mechanism (an individual of bkg:BiologicalMechanism "
                                   "or bkg:ANNMechanism), or a drug class with a bkg:hasMolecularAction; closest "
                                   "mechanisms: " + ", ".join(self._closest(ident)))
        if not self.described(iri):
            raise KGError(f"{self.label(iri)} ({self.curie(iri)}) has none of: "
                          + ", ".join(d.needs for d in self.dimensions.values())
                          + "; so its scores are undefined",
                          hint="describe it with bkg:hasStructuralFeature, bkg:hasFunctionalRole, "
                               "bkg:realizesPrimitive, bkg:hasCausalStep (see docs/description-rubric.md)")
        return iri, note

    def described(self, iri: str) -> bool:
        """True if any dimension has data for the mechanism (else every score is undefined)."""
        side, i = self.features.position(iri)
        return any(d.has_data(side, i) for d in self.dimensions.values())

    def _lookup(self, ident: str) -> str:
        try:
            return self._entity_index().resolve(ident)
        except UnknownEntityError as exc:
            if not exc.suggestions:
                exc.suggestions = self._closest(ident)
                exc.hint = "did you mean: " + ", ".join(exc.suggestions) if exc.suggestions else exc.hint
            raise

    def _closest(self, text: str, n: int = 5) -> list[str]:
        """Mechanisms whose label is closest to ``text``."""
        f = self.features
        by_label = {f.labels.get(m, m).casefold(): m for m in f.bio + f.ann}
        needle = text.casefold().rsplit("/", 1)[-1].split(":")[-1]
        hits = difflib.get_close_matches(needle, list(by_label), n=n, cutoff=0.3)
        return [f"{self.curie(by_label[h])} ({f.labels.get(by_label[h], h)})" for h in hits]


def _divide_by_coverage(num: np.ndarray, parts: list) -> np.ndarray:
    """E = num / coverage in place, -inf where no weighted dimension is defined.

    ``parts``: (weight, where defined) per weighted dimension, in the order of the weights (coverage
    is summed in that order in float32, as :func:`~kg.engine.combine.combine` does).
    """
    shape = num.shape
    if not parts:
        num.fill(-np.inf)
        return num
    if any(not isinstance(ok, tuple) for _, ok in parts):  # a dimension with scattered gaps: dense coverage
        cov = np.zeros(shape, dtype=np.float32)
        for w, ok in parts:
            mask = ok if not isinstance(ok, tuple) else np.logical_and.outer(*ok)
            np.add(cov, w, out=cov, where=mask)
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(num, cov, out=num)
        np.copyto(num, -np.inf, where=cov == 0)
        return num
    bad_r = np.flatnonzero(~np.logical_and.reduce([r for _, (r, _) in parts]))
    bad_c = np.flatnonzero(~np.logical_and.reduce([c for _, (_, c) in parts]))
    good_r = np.setdiff1d(np.arange(shape[0]), bad_r)
    # the rows and columns where some dimension is undefined: their own coverage, before the rest
    fixes = []
    for rs, cs in ((bad_r, slice(None)), (good_r, bad_c)):
        if len(rs) and (not isinstance(cs, np.ndarray) or len(cs)):
            ix = np.ix_(rs, np.arange(shape[1])[cs])
            cov = np.zeros((len(ix[0]), ix[1].shape[1]), dtype=np.float32)
            for w, (r, c) in parts:
                np.add(cov, w, out=cov, where=np.logical_and.outer(r[rs], c[cs]))
            with np.errstate(invalid="ignore", divide="ignore"):
                sub = num[ix] / cov
            sub[cov == 0] = -np.inf
            fixes.append((ix, sub))
    total = np.float32(0)
    for w, _ in parts:
        total = np.float32(total + w)
    np.divide(num, total, out=num)
    for ix, sub in fixes:
        num[ix] = sub
    return num
