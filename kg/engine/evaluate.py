"""How well the engine agrees with the source documents (which it never reads).

(a) **Agreement** with Table 1 of J. Harris, 'BioNN-ANN Equivalence Framework': Spearman's rho between
    the computed S (resp. F) and the paper's structural (resp. functional) rating (High 1, Moderate 0.5,
    Low 0) over the rated pairs, and a per-pair table.
(b) **Recovery** of every asserted analog pair (b, a): the rank of a among all ANN mechanisms ranked by
    E for b (and of b among all biological mechanisms for a), filtered (the query's other asserted
    partners are removed from the candidates, as in link-prediction evaluation), ties counted at their
    mean rank. Reported as MRR and Hits@1/3 per kind of assertion, next to two baselines:

    * degree-only: candidates ranked by how richly they are described (number of descriptor terms and
      causal steps), the same ranking for every query (the prior Rephetio warns about);
    * random: the exact expectation of MRR and Hits@k for a uniformly random ranking.

References
----------
Himmelstein et al., eLife 6 (2017) on degree-preserving baselines; Bordes et al., NeurIPS 2013
(filtered ranking).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from .core import Engine, MatrixResult

__all__ = ["Evaluation", "evaluate", "ASSERTION_GROUPS"]

ASSERTION_GROUPS = {
    "EquivalenceAssertion": "Table 1",
    "PharmacologicalAnalogy": "drug classes (section 3)",
    "PhysiologicalCorrespondence": "Zou et al. layers and learning rules",
    "AnalogyAssertion": "other asserted analogs",
    "GapAnalogy": "efficiency-hypothesis gaps",
}


@dataclass
class Evaluation:
    agreement: list[dict[str, Any]]
    correlations: list[dict[str, Any]]
    ranks: list[dict[str, Any]]
    recovery: list[dict[str, Any]]


def _rank(scores: np.ndarray, target: int, exclude: set[int]) -> float:
    """1-based filtered rank of ``target``; NaN scores rank last; ties at their mean rank."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    keep = np.ones(len(s), dtype=bool)
    keep[list(exclude - {target})] = False
    t = s[target]
    greater = int(np.sum(s[keep] > t))
    ties = int(np.sum(s[keep] == t)) - 1
    return 1 + greater + ties / 2


def _random_expectation(n: int) -> tuple[float, float, float]:
    r = np.arange(1, n + 1)
    return float(np.mean(1 / r)), min(1, n) / n, min(3, n) / n


def _spearman(x: list[float], y: list[float]) -> tuple[float, float, int]:
    from scipy.stats import spearmanr
    pairs = [(a, b) for a, b in zip(x, y) if not (np.isnan(a) or np.isnan(b))]
    if len(pairs) < 3:
        return float("nan"), float("nan"), len(pairs)
    res = spearmanr([p[0] for p in pairs], [p[1] for p in pairs])
    return float(res.statistic), float(res.pvalue), len(pairs)


def evaluate(engine: Engine, graph=None, res: MatrixResult | None = None) -> Evaluation:
    """Agreement with Table 1 and recovery of asserted pairs, on the engine's graph.

    ``res``: the engine's all-pairs result, if the caller has computed it already.
    """
    graph = graph if graph is not None else engine.graph
    f = engine.features
    res = res if res is not None else engine.matrix()
    bi = {m: i for i, m in enumerate(res.bio)}
    ai = {m: j for j, m in enumerate(res.ann)}
    label = lambda m: f.labels.get(m, m.rsplit("/", 1)[-1])  # noqa: E731

    agreement = []
    for r in graph.select_named("evaluation/table1_ratings"):
        b, a = r["bio"], r["ann"]
        if b not in bi or a not in ai:
            continue
        i, j = bi[b], ai[a]
        agreement.append({"bio": label(b), "ann": label(a),
                          "paper S": r["structural"].rsplit("/", 1)[-1], "S": float(res.dims["S"][i, j]),
                          "paper F": r["functional"].rsplit("/", 1)[-1], "F": float(res.dims["F"][i, j]),
                          "E": float(res.E[i, j]), "_s": float(r["structural_score"]),
                          "_f": float(r["functional_score"])})
    correlations = []
    for dim, key in (("S", "_s"), ("F", "_f")):
        rho, p, n = _spearman([a[dim] for a in agreement], [a[key] for a in agreement])
        correlations.append({"dimension": dim, "spearman rho": rho, "p value": p, "pairs": n})
    for a in agreement:
        a.pop("_s"), a.pop("_f")

    pairs = [r for r in graph.select_named("evaluation/asserted_pairs") if r["bio"] in bi and r["ann"] in ai]
    partners_of_bio: dict[str, set[int]] = defaultdict(set)
    partners_of_ann: dict[str, set[int]] = defaultdict(set)
    for r in pairs:
        partners_of_bio[r["bio"]].add(ai[r["ann"]])
        partners_of_ann[r["ann"]].add(bi[r["bio"]])

    degree = {}
    for side, mechs in (("bio", res.bio), ("ann", res.ann)):
        d = np.zeros(len(mechs))
        for k, space in f.spaces.items():
            X = space.X_bio if side == "bio" else space.X_ann
            d += np.asarray(X.sum(axis=1)).ravel()
        d += np.array([len(f.chains.steps.get(m, [])) for m in mechs])
        degree[side] = d

    ranks = []
    seen = set()
    for r in pairs:
        b, a = r["bio"], r["ann"]
        i, j = bi[b], ai[a]
        group = ASSERTION_GROUPS.get(r["kind"].rsplit("/", 1)[-1], "other asserted analogs")
        for direction, scores, target, excl, deg in (
                ("bio->ann", res.E[i, :], j, partners_of_bio[b], degree["ann"]),
                ("ann->bio", res.E[:, j], i, partners_of_ann[a], degree["bio"])):
            key = (b, a, direction)
            if key in seen:
                continue
            seen.add(key)
            n_cand = len(scores) - len(excl - {target})
            ranks.append({"group": group, "direction": direction, "bio": label(b), "ann": label(a),
                          "E": float(res.E[i, j]), "rank": _rank(scores, target, excl),
                          "degree rank": _rank(deg.astype(np.float32), target, excl),
                          "candidates": n_cand})

    recovery = []
    groups = sorted({r["group"] for r in ranks}) + ["all"]
    for direction in ("bio->ann", "ann->bio"):
        for g in groups:
            rows = [r for r in ranks if r["direction"] == direction and (g == "all" or r["group"] == g)]
            if not rows:
                continue
            rk = np.array([r["rank"] for r in rows])
            dk = np.array([r["degree rank"] for r in rows])
            rnd = np.array([_random_expectation(r["candidates"]) for r in rows])
            recovery.append({
                "direction": direction, "group": g, "pairs": len(rows),
                "MRR": float(np.mean(1 / rk)), "Hits@1": float(np.mean(rk <= 1)), "Hits@3": float(np.mean(rk <= 3)),
                "degree MRR": float(np.mean(1 / dk)), "degree Hits@1": float(np.mean(dk <= 1)),
                "degree Hits@3": float(np.mean(dk <= 3)),
                "random MRR": float(rnd[:, 0].mean()), "random Hits@1": float(rnd[:, 1].mean()),
                "random Hits@3": float(rnd[:, 2].mean())})
    return Evaluation(agreement, correlations, ranks, recovery)
