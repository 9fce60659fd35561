"""How well the engine agrees with the source documents (which it never reads), next to baselines.

(a) **Agreement** with Table 1 of J. Harris, 'BioNN-ANN Equivalence Framework'. Table 1 has ten rows; two
    of them name two ANN mechanisms and are recorded as two assertions each (12 pairs). Spearman's rho
    between the computed S (resp. F) and the paper's structural (resp. functional) rating (High 1,
    Moderate 0.5, Low 0) is computed over the **ten rows**, a split row's computed score being the mean
    over its pairs (counting it twice would count its rating twice). Uncertainty: a percentile bootstrap
    interval (rows resampled with replacement) and a two-sided permutation p-value (ratings shuffled
    against scores), both with a fixed seed so that the numbers are reproducible. Every baseline scorer
    gets the same statistics.
(b) **Recovery** of every asserted analog pair (b, a) whose coverage is not ``NoAnalog``: the rank of a
    among the ANN candidates ranked for b (and of b among the biological candidates for a), filtered (the
    query's other asserted partners are removed from the candidates, as in link-prediction evaluation;
    Bordes et al. 2013), ties counted at their mean rank, NaN scores last. MRR and Hits@1/3 per group of
    assertions and direction, for E, for each dimension alone, and for the baselines of
    :mod:`kg.engine.baselines` (degree, random, descriptor Jaccard, IDF overlap, label TF-IDF); the
    engine's **margin** is its MRR minus the best baseline's.
(c) **Ablation**: the same recovery after removing the *pair-exclusive* descriptor terms, those used by
    exactly one biological and one ANN mechanism that are asserted analogs (such a term can only help
    recover its own pair: it measures the description, not the engine).
(d) **Negatives**: pairs a source compares and finds *not* analogous (coverage ``NoAnalog``) are not
    counted as positives; their ranks are reported apart (they should rank low).

:func:`evaluate_benchmark` runs (b) on a benchmark: pairs of mechanisms described independently, each side
ranked among the benchmark's own candidates of the other side.

References
----------
Himmelstein et al., eLife 6 (2017) on degree-preserving baselines; Bordes et al., NeurIPS 2013
(filtered ranking); Efron & Tibshirani, *An Introduction to the Bootstrap* (1993) for the percentile
interval.
"""
from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import baselines as bl
from .core import Engine, MatrixResult
from .features import KINDS, Features
from .linalg import is_sparse

__all__ = ["Evaluation", "BenchmarkEvaluation", "evaluate", "evaluate_benchmark", "ASSERTION_GROUPS",
           "BASELINES", "LEXICAL", "spearman", "bootstrap_interval", "permutation_pvalue",
           "pair_exclusive_terms", "ablate_terms", "rank_of", "benchmark_pairs", "baseline_matrices",
           "pair_coverage"]

ASSERTION_GROUPS = {
    "EquivalenceAssertion": "Table 1",
    "PharmacologicalAnalogy": "drug classes (section 3)",
    "PhysiologicalCorrespondence": "Zou et al. layers and learning rules",
    "AnalogyAssertion": "other asserted analogs",
    "GapAnalogy": "efficiency-hypothesis gaps",
}
GROUP_ORDER = [*ASSERTION_GROUPS.values(), "all"]
NO_ANALOG = "https://w3id.org/bionn-kg/NoAnalog"

#: baseline scorers, in the order they are printed; ``random`` is the analytic expectation
BASELINES = ("degree", "descriptor Jaccard", "IDF overlap", "label TF-IDF", "label+definition TF-IDF")
#: baselines that read words rather than the graph's structure
LEXICAL = ("label TF-IDF", "label+definition TF-IDF")
DIMS = ("S", "F", "C", "M")
ABLATED = "E, pair-exclusive terms removed"
N_RESAMPLES = 10_000
SEED = 0


@dataclass
class Evaluation:
    """The tables of ``bionn-kg evaluate`` (lists of row dicts)."""

    agreement: list[dict[str, Any]]
    correlations: list[dict[str, Any]]
    ranks: list[dict[str, Any]]
    recovery: list[dict[str, Any]]
    baseline_correlations: list[dict[str, Any]] = field(default_factory=list)
    by_scorer: list[dict[str, Any]] = field(default_factory=list)
    negatives: list[dict[str, Any]] = field(default_factory=list)
    ablation: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BenchmarkEvaluation:
    """The tables of ``bionn-kg evaluate --benchmark NAME``."""

    summary: dict[str, Any]
    by_scorer: list[dict[str, Any]]
    ranks: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    coverage: list[dict[str, Any]] = field(default_factory=list)


# -- statistics --------------------------------------------------------------------------------------
def _avg_ranks(A: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank) along the last axis, vectorised over the others."""
    A = np.asarray(A, dtype=np.float64)
    less = (A[..., :, None] > A[..., None, :]).sum(axis=-1)
    equal = (A[..., :, None] == A[..., None, :]).sum(axis=-1)
    return less + (equal + 1) / 2


def _pearson_rows(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    Xc = X - X.mean(axis=-1, keepdims=True)
    Yc = Y - Y.mean(axis=-1, keepdims=True)
    den = np.sqrt((Xc * Xc).sum(axis=-1) * (Yc * Yc).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (Xc * Yc).sum(axis=-1) / den, np.nan)


def _finite_pairs(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = ~(np.isnan(x) | np.isnan(y))
    return x[ok], y[ok]


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float, int]:
    """Spearman's rho (Pearson correlation of average ranks) over the pairs where both are defined.

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 25])
    (0.8, 4)
    """
    x, y = _finite_pairs(x, y)
    if len(x) < 3:
        return math.nan, len(x)
    return float(_pearson_rows(_avg_ranks(x), _avg_ranks(y))), len(x)


def bootstrap_interval(x: Sequence[float], y: Sequence[float], n: int = N_RESAMPLES, seed: int = SEED,
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of Spearman's rho, resampling the (x, y) pairs with replacement.

    Resamples in which one side is constant (rho undefined) are left out.
    """
    x, y = _finite_pairs(x, y)
    if len(x) < 3:
        return math.nan, math.nan
    idx = np.random.default_rng(seed).integers(0, len(x), size=(n, len(x)))
    rho = _pearson_rows(_avg_ranks(x[idx]), _avg_ranks(y[idx]))
    rho = rho[~np.isnan(rho)]
    if not len(rho):
        return math.nan, math.nan
    a = (1 - level) / 2
    lo, hi = np.quantile(rho, [a, 1 - a])
    return float(lo), float(hi)


def permutation_pvalue(x: Sequence[float], y: Sequence[float], n: int = N_RESAMPLES, seed: int = SEED) -> float:
    """Two-sided permutation p-value of Spearman's rho: (1 + #{|rho_perm| >= |rho|}) / (1 + n)."""
    x, y = _finite_pairs(x, y)
    if len(x) < 3:
        return math.nan
    rx, ry = _avg_ranks(x), _avg_ranks(y)
    obs = _pearson_rows(rx, ry)
    if np.isnan(obs):
        return math.nan
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((n, len(x))), axis=1)
    rho = _pearson_rows(rx[perms], np.broadcast_to(ry, (n, len(ry))))
    return float((1 + np.sum(np.abs(rho) >= abs(obs) - 1e-12)) / (1 + n))


def _rho_row(x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    rho, n = spearman(x, y)
    lo, hi = bootstrap_interval(x, y)
    return {"spearman rho": rho, "95% CI low": lo, "95% CI high": hi, "p value": permutation_pvalue(x, y),
            "rows": n}


# -- ranking -----------------------------------------------------------------------------------------
#: scores closer than this are tied (float32 summation noise is ~1e-7; real differences are larger)
TIE_TOLERANCE = 1e-6


def rank_of(scores: np.ndarray, target: int, exclude: Iterable[int] = ()) -> float:
    """1-based filtered rank of ``target``; NaN scores rank last; ties at their mean rank.

    >>> rank_of(np.array([0.9, 0.5, 0.5, np.nan]), 1)
    2.5
    >>> rank_of(np.array([0.9, 0.5, 0.5, np.nan]), 1, exclude=[0])
    1.5

    Scores within ``TIE_TOLERANCE`` of the target's are ties: the engine sums float32 values whose order
    (threads, BLAS, library versions) moves E by about 1e-7, which must not reorder a ranking.

    >>> rank_of(np.array([0.5 + 1e-7, 0.5, 0.2]), 1)
    1.5
    """
    s = np.where(np.isnan(scores), -np.inf, scores)
    keep = np.ones(len(s), dtype=bool)
    keep[[e for e in exclude if e != target]] = False
    s, t = s[keep], s[target]
    if np.isfinite(t):
        tie = np.abs(s - t) <= TIE_TOLERANCE
    else:
        tie = s == t
    greater = int(np.sum((s > t) & ~tie))
    ties = int(np.sum(tie)) - 1
    return 1 + greater + ties / 2


@dataclass
class _Pair:
    i: int  # row (biological candidate) index
    j: int  # column (ANN candidate) index
    bio: str
    ann: str
    group: str


def _rank_pairs(scorers: Mapping[str, np.ndarray], pairs: Sequence[_Pair], positives: Sequence[_Pair],
                label) -> list[dict[str, Any]]:
    """One row per (pair, direction): the filtered rank under every scorer."""
    of_bio: dict[int, set[int]] = defaultdict(set)
    of_ann: dict[int, set[int]] = defaultdict(set)
    for p in positives:
        of_bio[p.i].add(p.j)
        of_ann[p.j].add(p.i)
    out = []
    E = scorers["E"]
    for p in pairs:
        for direction in ("bio->ann", "ann->bio"):
            if direction == "bio->ann":
                target, excl, n_all = p.j, of_bio[p.i], E.shape[1]
                get = lambda M: M[p.i, :]  # noqa: E731
            else:
                target, excl, n_all = p.i, of_ann[p.j], E.shape[0]
                get = lambda M: M[:, p.j]  # noqa: E731
            row = {"group": p.group, "direction": direction, "bio": p.bio, "bio_label": label(p.bio), "ann": p.ann,
                   "ann_label": label(p.ann),
                   "E": float(E[p.i, p.j]), "candidates": n_all - len(excl - {target})}
            for name, M in scorers.items():
                row["rank" if name == "E" else f"{name} rank"] = rank_of(get(M), target, excl)
            for d in DIMS:  # whether the pair itself has the data the dimension needs
                if d in scorers:
                    row[f"{d} defined"] = bool(scorers[d][p.i, p.j] == scorers[d][p.i, p.j])
            out.append(row)
    return out


def _metrics(rk: np.ndarray) -> tuple[float, float, float]:
    return float(np.mean(1 / rk)), float(np.mean(rk <= 1)), float(np.mean(rk <= 3))


def _where_defined(rows: list[dict[str, Any]], direction: str, group: str,
                   scorer_names: Sequence[str]) -> list[dict[str, Any]]:
    """Each dimension alone on the pairs where it is defined, next to random on the same pairs.

    A dimension undefined for a pair (NaN: a side lacks its data) ranks that pair's partner at random
    (the query has no data either: every candidate ties) or last (only the query has data), so its MRR
    over all pairs mixes how well it grades with how often it can grade. These rows separate the two;
    they are added only for a dimension undefined for some pair of the group (otherwise they would
    repeat its row over all pairs). The candidates are unchanged: those without the data still rank last.
    """
    out = []
    for d in DIMS:
        if d not in scorer_names or f"{d} defined" not in rows[0]:
            continue
        sel = [r for r in rows if r[f"{d} defined"]]
        if not sel or len(sel) == len(rows):
            continue
        rnd = np.array([bl.random_expectation(r["candidates"]) for r in sel])
        mrr, h1, h3 = _metrics(np.array([r[f"{d} rank"] for r in sel]))
        out.append({"direction": direction, "group": group, "scorer": f"{d}, pairs where {d} is defined",
                    "pairs": len(sel), "MRR": mrr, "Hits@1": h1, "Hits@3": h3})
        out.append({"direction": direction, "group": group, "scorer": f"random, pairs where {d} is defined",
                    "pairs": len(sel), "MRR": float(rnd[:, 0].mean()), "Hits@1": float(rnd[:, 1].mean()),
                    "Hits@3": float(rnd[:, 2].mean())})
    return out


def _summaries(ranks: list[dict[str, Any]], scorer_names: Sequence[str], groups: Sequence[str]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(wide recovery table, long per-scorer table) from per-pair ranks."""
    wide, long = [], []
    for direction in ("bio->ann", "ann->bio"):
        for g in groups:
            rows = [r for r in ranks if r["direction"] == direction and (g == "all" or r["group"] == g)]
            if not rows:
                continue
            rnd = np.array([bl.random_expectation(r["candidates"]) for r in rows])
            rec: dict[str, Any] = {"direction": direction, "group": g, "pairs": len(rows)}
            for name in scorer_names:
                col = "rank" if name == "E" else f"{name} rank"
                mrr, h1, h3 = _metrics(np.array([r[col] for r in rows]))
                long.append({"direction": direction, "group": g, "scorer": name, "pairs": len(rows),
                             "MRR": mrr, "Hits@1": h1, "Hits@3": h3})
                if name == "E":
                    rec.update({"MRR": mrr, "Hits@1": h1, "Hits@3": h3})
                elif name == ABLATED:
                    rec["MRR, pair-exclusive terms removed"] = mrr
                elif name in BASELINES:
                    rec[f"{name} MRR"] = mrr
            long.append({"direction": direction, "group": g, "scorer": "random", "pairs": len(rows),
                         "MRR": float(rnd[:, 0].mean()), "Hits@1": float(rnd[:, 1].mean()),
                         "Hits@3": float(rnd[:, 2].mean())})
            rec["random MRR"] = float(rnd[:, 0].mean())
            long.extend(_where_defined(rows, direction, g, scorer_names))
            base = {n: rec[f"{n} MRR"] for n in BASELINES if f"{n} MRR" in rec}
            base["random"] = rec["random MRR"]
            best = max(base, key=lambda n: base[n])
            rec["best baseline"] = best
            rec["margin over best"] = rec["MRR"] - base[best]
            nonlex = {n: v for n, v in base.items() if n not in LEXICAL}
            rec["margin over best non-lexical"] = rec["MRR"] - max(nonlex.values())
            wide.append(rec)
    return wide, long


# -- descriptors: pair-exclusive terms and ablation ---------------------------------------------------
def _column_counts(X) -> np.ndarray:
    return np.asarray((X > 0).sum(axis=0)).ravel()


def _rows_using(X, col: int) -> list[int]:
    c = X[:, col]
    c = c.toarray().ravel() if is_sparse(X) else np.asarray(c).ravel()
    return [int(r) for r in np.nonzero(c)[0]]


def pair_exclusive_terms(features: Features, pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """Descriptor terms used (directly) by exactly one biological and one ANN mechanism, which are an
    asserted pair: ``{"kind", "term", "bio", "ann"}`` each."""
    wanted = set(pairs)
    out = []
    for k in KINDS:
        sp = features.spaces[k]
        nb, na = _column_counts(sp.X_bio), _column_counts(sp.X_ann)
        for t in np.nonzero((nb == 1) & (na == 1))[0]:
            b = features.bio[_rows_using(sp.X_bio, int(t))[0]]
            a = features.ann[_rows_using(sp.X_ann, int(t))[0]]
            if (b, a) in wanted:
                out.append({"kind": k, "term": sp.terms[int(t)], "bio": b, "ann": a})
    return out


def ablate_terms(features: Features, terms: Iterable[tuple[str, str]]) -> Features:
    """A copy of ``features`` with the links of mechanisms to the given (kind, term) removed (the terms
    stay in their hierarchies)."""
    drop: dict[str, set[str]] = defaultdict(set)
    for k, t in terms:
        drop[k].add(t)
    spaces = {}
    for k, sp in features.spaces.items():
        if not drop.get(k):
            spaces[k] = sp
            continue
        mask = np.array([t not in drop[k] for t in sp.terms], dtype=np.float32)

        def keep(X):
            return X.multiply(mask[None, :]).tocsr() if is_sparse(X) else X * mask[None, :]
        spaces[k] = dataclasses.replace(sp, X_bio=keep(sp.X_bio), X_ann=keep(sp.X_ann))
    return dataclasses.replace(features, spaces=spaces)


# -- scorers -----------------------------------------------------------------------------------------
def _texts(graph, mechs: Sequence[str], labels: Mapping[str, str]) -> tuple[list[str], list[str]]:
    rows = {r["mechanism"]: r for r in graph.select_named("evaluation/mechanism_text")}
    lab = [(rows.get(m) or {}).get("label") or labels.get(m, m.rsplit("/", 1)[-1]) for m in mechs]
    ldef = [f"{l} {(rows.get(m) or {}).get('definition') or ''}" for l, m in zip(lab, mechs)]
    return lab, ldef


def baseline_matrices(features: Features, graph) -> dict[str, np.ndarray]:
    """Every baseline scorer's all-pairs matrix (biological rows x ANN columns)."""
    Xb, Xa = bl.descriptor_matrices(features)
    db, da = bl.degree_scores(features)
    lab, ldef = _texts(graph, features.bio + features.ann, features.labels)
    nb = len(features.bio)
    return {"degree": db[:, None] + da[None, :],
            "descriptor Jaccard": bl.jaccard(Xb, Xa),
            "IDF overlap": bl.idf_overlap(Xb, Xa),
            "label TF-IDF": bl.tfidf_cosine(lab[:nb], lab[nb:]),
            "label+definition TF-IDF": bl.tfidf_cosine(ldef[:nb], ldef[nb:])}


def _group_of(kind: str) -> str:
    return ASSERTION_GROUPS.get(kind.rsplit("/", 1)[-1], "other asserted analogs")


# -- the evaluation ------------------------------------------------------------------------------------
def evaluate(engine: Engine, graph=None, res: MatrixResult | None = None) -> Evaluation:
    """Agreement with Table 1, recovery of asserted pairs with baselines, ablation and negatives.

    ``res``: the engine's all-pairs result, if the caller has computed it already.
    """
    graph = graph if graph is not None else engine.graph
    f = engine.features
    res = res if res is not None else engine.matrix()
    bi = {m: i for i, m in enumerate(res.bio)}
    ai = {m: j for j, m in enumerate(res.ann)}
    label = lambda m: f.labels.get(m, m.rsplit("/", 1)[-1])  # noqa: E731

    # asserted pairs: positives unless every assertion of the pair says NoAnalog
    positives: list[_Pair] = []
    negatives: list[_Pair] = []
    seen: dict[tuple[str, str], _Pair] = {}
    no_analog: dict[tuple[str, str], _Pair] = {}
    for r in graph.select_named("evaluation/asserted_pairs"):
        b, a = r["bio"], r["ann"]
        if b not in bi or a not in ai:
            continue
        p = _Pair(bi[b], ai[a], b, a, _group_of(r["kind"]))
        if r.get("coverage") == NO_ANALOG:
            no_analog.setdefault((b, a), p)
        elif (b, a) not in seen:
            seen[(b, a)] = p
            positives.append(p)
    negatives = [p for k, p in no_analog.items() if k not in seen]

    # ablation: the same engine without the pair-exclusive descriptor terms
    excl = pair_exclusive_terms(f, seen)
    scorers: dict[str, np.ndarray] = {"E": res.E, **{d: res.dims[d] for d in DIMS}}
    if excl:
        abl_f = ablate_terms(f, [(t["kind"], t["term"]) for t in excl])
        abl = Engine(engine.graph, weights=dict(engine.weights), beta=engine.beta, features=abl_f).matrix()
        scorers[ABLATED] = abl.E
    else:
        abl_f, abl = f, res
        scorers[ABLATED] = res.E
    base = baseline_matrices(f, graph)
    scorers.update(base)
    abl_base = baseline_matrices(abl_f, graph) if excl else base

    ranks = _rank_pairs(scorers, positives, positives, label)
    groups = [g for g in GROUP_ORDER if g == "all" or any(p.group == g for p in positives)]
    recovery, by_scorer = _summaries(ranks, list(scorers), groups)
    # the ablated baselines, for the ablation's own comparison
    abl_ranks = _rank_pairs({"E": abl.E, **{f"{n}": abl_base[n] for n in ("descriptor Jaccard", "IDF overlap")}},
                            positives, positives, label)
    for direction in ("bio->ann", "ann->bio"):
        rows = [r for r in abl_ranks if r["direction"] == direction]
        for n in ("descriptor Jaccard", "IDF overlap"):
            if rows:
                mrr, h1, h3 = _metrics(np.array([r[f"{n} rank"] for r in rows]))
                by_scorer.append({"direction": direction, "group": "all", "scorer": f"{n}, pair-exclusive terms removed",
                                  "pairs": len(rows), "MRR": mrr, "Hits@1": h1, "Hits@3": h3})

    # negatives: NoAnalog pairs, ranked like positives (they should rank low)
    neg_rows = _rank_pairs(scorers, negatives, positives, label)
    neg_out = []
    for r in neg_rows:
        n = r["candidates"]
        neg_out.append({"direction": r["direction"], "bio": r["bio"], "bio_label": r["bio_label"], "ann": r["ann"],
                        "ann_label": r["ann_label"], "E": r["E"],
                        "rank": r["rank"], "candidates": n,
                        "percentile": (r["rank"] - 1) / (n - 1) if n > 1 else math.nan,
                        "IDF overlap rank": r["IDF overlap rank"], "label TF-IDF rank": r["label TF-IDF rank"],
                        "random rank": (n + 1) / 2})

    agreement, correlations, baseline_corr = _table1(graph, res, abl, base, bi, ai, label)
    ablation = [{"kind": t["kind"], "term": t["term"].rsplit("/", 1)[-1], "bio": t["bio"],
                 "bio_label": label(t["bio"]), "ann": t["ann"], "ann_label": label(t["ann"])} for t in excl]
    return Evaluation(agreement, correlations, ranks, recovery, baseline_corr, by_scorer, neg_out, ablation)


def _table1(graph, res: MatrixResult, abl: MatrixResult, base: Mapping[str, np.ndarray], bi, ai, label):
    agreement = []
    by_row: dict[str, list[tuple[int, int, float, float]]] = defaultdict(list)
    for r in graph.select_named("evaluation/table1_ratings"):
        b, a = r["bio"], r["ann"]
        if b not in bi or a not in ai:
            continue
        i, j = bi[b], ai[a]
        key = r.get("row") or r["assertion"]
        if key not in by_row:
            by_row[key] = []
        by_row[key].append((i, j, float(r["structural_score"]), float(r["functional_score"])))
        agreement.append({"row": list(by_row).index(key) + 1, "bio": b, "bio_label": label(b), "ann": a,
                          "ann_label": label(a),
                          "paper S": r["structural"].rsplit("/", 1)[-1], "S": float(res.dims["S"][i, j]),
                          "paper F": r["functional"].rsplit("/", 1)[-1], "F": float(res.dims["F"][i, j]),
                          "E": float(res.E[i, j])})

    def row_means(M: np.ndarray) -> list[float]:
        out = []
        for cells in by_row.values():
            v = np.array([M[i, j] for i, j, _, _ in cells], dtype=np.float64)
            out.append(float(np.nanmean(v)) if np.any(~np.isnan(v)) else math.nan)
        return out

    paper = {"S": [c[0][2] for c in by_row.values()], "F": [c[0][3] for c in by_row.values()]}
    correlations = []
    for dim in ("S", "F"):
        row = {"dimension": dim, **_rho_row(row_means(res.dims[dim]), paper[dim]), "pairs": sum(
            len(c) for c in by_row.values())}
        row["rho, pair-exclusive terms removed"] = spearman(row_means(abl.dims[dim]), paper[dim])[0]
        correlations.append(row)
    baseline_corr = []
    for dim in ("S", "F"):
        for name in ("E", *BASELINES):
            M = res.E if name == "E" else base[name]
            baseline_corr.append({"paper rating": dim, "scorer": name, **_rho_row(row_means(M), paper[dim])})
    return agreement, correlations, baseline_corr


# -- benchmarks ----------------------------------------------------------------------------------------
def evaluate_benchmark(engine: Engine, pairs: Sequence[Mapping[str, str]], members: Iterable[str],
                       graph=None, res: MatrixResult | None = None) -> BenchmarkEvaluation:
    """Recovery on a benchmark: each pair's biological side ranked among the benchmark's ANN mechanisms
    and its ANN side among the benchmark's biological mechanisms (``members``: the mechanisms the
    benchmark's files describe), for E, each dimension alone and every baseline.

    ``pairs``: dicts with ``bio`` and ``ann`` IRIs (and optionally ``source``, ``line``). A pair whose two
    sides are not both benchmark mechanisms of the right domain is reported in ``skipped``.
    """
    graph = graph if graph is not None else engine.graph
    f = engine.features
    res = res if res is not None else engine.matrix()
    members = set(members)
    rows_b = [i for i, m in enumerate(res.bio) if m in members]
    cols_a = [j for j, m in enumerate(res.ann) if m in members]
    bi = {res.bio[i]: k for k, i in enumerate(rows_b)}
    ai = {res.ann[j]: k for k, j in enumerate(cols_a)}
    label = lambda m: f.labels.get(m, m.rsplit("/", 1)[-1])  # noqa: E731

    curie = graph.curie if hasattr(graph, "curie") else (lambda iri: iri)
    kept: list[_Pair] = []
    skipped = []
    seen = set()
    for p in pairs:
        b, a = p["bio"], p["ann"]
        why = []
        for iri, side, idx in ((b, "biological", bi), (a, "ANN", ai)):
            if iri not in idx:
                why.append(f"{curie(iri)} is " + ("not described in the benchmark's files" if iri not in members
                                                  else f"not a {side} mechanism"))
        if why:
            skipped.append({"line": p.get("line", ""), "bio": curie(b), "ann": curie(a), "reason": "; ".join(why)})
            continue
        if (b, a) in seen:
            continue
        seen.add((b, a))
        kept.append(_Pair(bi[b], ai[a], b, a, "all"))

    sub = np.ix_(rows_b, cols_a)
    scorers: dict[str, np.ndarray] = {"E": res.E[sub], **{d: res.dims[d][sub] for d in DIMS}}
    scorers.update({n: M[sub] for n, M in baseline_matrices(f, graph).items()})
    ranks = _rank_pairs(scorers, kept, kept, label) if kept else []
    _, by_scorer = _summaries(ranks, list(scorers), ["all"]) if ranks else ([], [])
    coverage = pair_coverage(engine, [(p.bio, p.ann) for p in kept])
    summary = {"pairs in pairs.tsv": len(pairs), "pairs scored": len(kept), "pairs skipped": len(skipped),
               "biological candidates": len(rows_b), "ANN candidates": len(cols_a),
               "preset": engine.preset, "weights": ", ".join(f"{k}={v:g}" for k, v in engine.weights.items() if v)}
    return BenchmarkEvaluation(summary, by_scorer, ranks, skipped, coverage)


def pair_coverage(engine: Engine, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """For each dimension of :data:`DIMS`, how many of the (bio, ann) pairs it is defined for, and for the
    others which side lacks its data (a dimension alone ranks the partner at random when the query lacks
    it, last when only the partner does). One row per dimension: ``dimension``, ``pairs``, ``defined``,
    ``only bio side has data``, ``only ANN side has data``, ``neither side has data``.
    """
    f = engine.features
    out = []
    for d in DIMS:
        dim = engine.dimensions.get(d)
        if dim is None:
            continue
        n = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
        for b, a in pairs:
            n[(dim.has_data("bio", f.position(b)[1]), dim.has_data("ann", f.position(a)[1]))] += 1
        out.append({"dimension": d, "pairs": len(pairs), "defined": n[(True, True)],
                    "only bio side has data": n[(True, False)], "only ANN side has data": n[(False, True)],
                    "neither side has data": n[(False, False)]})
    return out


def benchmark_pairs(graph, bio_prefix: str = "tw_bio_", ann_prefix: str = "tw_ann_") -> list[dict[str, str]]:
    """The rows of a re-description benchmark's pairs.tsv, from the graph's asserted analog pairs.

    Every asserted (biological, ANN) pair whose coverage is not ``NoAnalog``, once, renamed by the
    benchmark's naming convention: ``bkg:<bio_prefix><LocalName>`` re-describes the shipped
    ``bkg:<LocalName>``. ``source``: the sections of the source documents asserting the pair.
    """
    by_pair: dict[tuple[str, str], list[str]] = {}
    no_analog: set[tuple[str, str]] = set()
    for r in graph.select_named("evaluation/asserted_pairs"):
        key = (r["bio"], r["ann"])
        if r.get("coverage") == NO_ANALOG:
            no_analog.add(key)
            continue
        srcs = by_pair.setdefault(key, [])
        if r.get("source") and graph.curie(r["source"]) not in srcs:
            srcs.append(graph.curie(r["source"]))
    out = []
    for (b, a), srcs in sorted(by_pair.items(), key=lambda kv: (graph.curie(kv[0][0]), graph.curie(kv[0][1]))):
        out.append({"bio": "bkg:" + bio_prefix + b.rsplit("/", 1)[-1], "ann": "bkg:" + ann_prefix + a.rsplit("/", 1)[-1],
                    "source": " ".join(srcs)})
    return out
