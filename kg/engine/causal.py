"""Causal similarity C: structure mapping over causal chains, as weighted relation-path overlap.

Each mechanism's causal chain is a sequence of steps linked by RO:0002411 (causally upstream of);
each step applies one relation of the shared vocabulary (``amplifies``, ``acts on coefficient``,
``injects noise``...) to a participant. Following structure mapping (Falkenhainer, Forbus & Gentner
1989), relations must match identically while the participants they act on may differ, and a longer
preserved chain counts more than isolated matches (systematicity). The engine encodes a chain by its
relation paths of length 1 to 3 along the causal links ("grams" g) and weighs each by

.. math::

    w(g) = |g| \\cdot \\big(1 + \\ln\\tfrac{N + 1}{df(g) + 1}\\big)

(longer paths count more; relations used by every mechanism count less). With :math:`G_x` the set of
grams of mechanism x and :math:`s(x, y) = \\sum_{g \\in G_x \\cap G_y} w(g)`, the score is normalised by
the self-matches:

.. math::

    C(b, a) = \\frac{2\\, s(b, a)}{s(b, b) + s(a, a)} \\in [0, 1].

A preserved chain of three relations contributes its three relations, two pairs and one triple, so
it outweighs three scattered matches. A gram is counted once (set semantics: a one-to-one mapping).
All pairs: a sparse product :math:`G_b W G_a^T`.

Example
-------
>>> chains = {"b": [("blocks", []), ("accumulates", [])], "a": [("blocks", []), ("accumulates", [])],
...           "c": [("accumulates", []), ("blocks", [])]}
>>> def steps(rels):
...     return [{"step": f"s{i}", "relation": r, "next": {f"s{i+1}"} if i + 1 < len(rels) else set()}
...             for i, (r, _) in enumerate(rels)]
>>> grams = {m: chain_grams(steps(c)) for m, c in chains.items()}
>>> sorted(grams["b"])
[('accumulates',), ('blocks',), ('blocks', 'accumulates')]
>>> G, vocab, w = gram_matrix([grams["b"], grams["a"], grams["c"]])
>>> C = dice_block(G[:1], G[1:], w)
>>> [round(float(x), 3) for x in C[0]]   # same chain; same relations, reversed order
[1.0, 0.402]

Graded alignment
----------------
Writers who describe the two sides independently pick related but different relations ("takes the
maximum" / "selects", "divides by" / "normalises") and participants. With relation types and
participants in ``skos:broader`` hierarchies, an aligned pair of steps x, y is scored by the
information-content similarity (Lin, :mod:`kg.engine.semsim`) of their relations and of their
participant sets :math:`\\Pi_x, \\Pi_y` (best-match average, BMA):

.. math::

    \\sigma(x, y) = \\mathrm{Lin}_R(r_x, r_y)\\,\\big(\\alpha + (1 - \\alpha)\\,
                    \\mathrm{BMA}_P(\\Pi_x, \\Pi_y)\\big),

with :math:`\\mathrm{BMA}_P = 1` when neither step names a participant and 0 when only one does.
The relation must be related (:math:`\\mathrm{Lin}_R > 0`) for the steps to align at all, as structure
mapping requires relations, not entities, to match; participants add the remaining
:math:`1 - \\alpha` (default :data:`ALPHA` = 0.5). Two step paths g, h of the same length k align
step by step, and the path matches as far as every one of its steps does,
:math:`K(g, h) = \\prod_{i} \\sigma(g_i, h_i)` (a conjunction: one unrelated step breaks the chain, and
three loose matches do not add up to a preserved chain; the path's weight already grows with its
length). The geometric mean :math:`\\prod_i \\sigma_i^{1/k}` is available (``geometric=True``) but scored
lower on both benchmarks (docs/causal-and-failure-matching.md). A path is matched to its best counterpart, and the Dice score becomes

.. math::

    C(b, a) = \\frac{\\sum_{g \\in G_b} w(g) \\max_{h \\in G_a} K(g, h)
                    + \\sum_{h \\in G_a} w(h) \\max_{g \\in G_b} K(g, h)}
                   {\\sum_{g \\in G_b} w(g) + \\sum_{h \\in G_a} w(h)},

with the weights w of the relation paths above (length times IDF), so the preference for long preserved
chains is kept. When K is the identity (identical relations and participants only), this is the Dice
score above. All pairs: with the max-profile :math:`P_a[g] = \\max_{h \\in G_a} K(g, h)` of each
mechanism, the numerator is :math:`(G_b \\operatorname{diag} w) P_a^T + ((G_a \\operatorname{diag} w)
P_b^T)^T`. K is sparse: it is computed only between paths whose relations are related at every step.

>>> # 0 a root; 1 selects and 2 combines under it; 3 takes the maximum and 4 sharpens are kinds of selects
>>> lin_r = lin_matrix([[], [0], [0], [1], [1]])
>>> [round(float(lin_r[3, j]), 3) for j in (3, 1, 4, 2)]   # itself, its parent, a sibling, unrelated
[1.0, 0.482, 0.317, 0.0]

References
----------
Falkenhainer, Forbus & Gentner, Artificial Intelligence 41 (1989); Forbus et al., Cognitive Science
41(5) 2017; Lin, ICML 1998.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .linalg import Matrix, choose_dense, incidence, is_sparse, nonzero_lists, scale, to_dense
from .semsim import bma_block, lin_matrix, max_profile

__all__ = ["MAX_GRAM", "ALPHA", "chain_grams", "gram_matrix", "dice_block", "aligned_grams",
           "step_grams", "step_similarity", "path_similarity", "max_product_profile", "graded_block", "transposed",
           "CausalModel", "prepare_causal", "causal_model", "graded_alignments"]

MAX_GRAM = 3
#: share of an aligned step's score that needs only the relation to match (the rest is participants)
ALPHA = 0.5
Gram = tuple[str, ...]
#: a step path with its participants: ((relation, (participant, ...)), ...)
StepGram = tuple[tuple[str, tuple[str, ...]], ...]


def _paths(steps: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """All step paths of length 1..MAX_GRAM along the causal links (step index order when unlinked)."""
    by_id = {s["step"]: s for s in steps}
    has_links = any(s.get("next") for s in steps)
    if not has_links:  # fall back on the declared order
        nxt = {steps[i]["step"]: {steps[i + 1]["step"]} for i in range(len(steps) - 1)}
    else:
        nxt = {s["step"]: {n for n in s.get("next", ()) if n in by_id} for s in steps}
    out: list[list[dict[str, Any]]] = []
    frontier = [[s] for s in steps]
    for _ in range(MAX_GRAM):
        out.extend(frontier)
        frontier = [p + [by_id[n]] for p in frontier for n in sorted(nxt.get(p[-1]["step"], ()))
                    if all(n != q["step"] for q in p)]
    return out


def chain_grams(steps: Sequence[dict[str, Any]]) -> set[Gram]:
    """The relation paths (length 1..3) of a chain."""
    return {tuple(s["relation"] for s in p) for p in _paths(steps)}


def gram_matrix(gram_sets: Sequence[Iterable[Gram]], dense: bool = False
                ) -> tuple[Matrix, dict[Gram, int], np.ndarray]:
    """Binary mechanism x gram matrix, the gram vocabulary and the weight of each gram.

    ``dense``: a dense array unless the matrix is too large for one (:func:`kg.engine.linalg.choose_dense`).
    """
    vocab: dict[Gram, int] = {}
    rows, cols = [], []
    for i, gs in enumerate(gram_sets):
        for g in gs:
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    shape = (len(gram_sets), len(vocab))
    G = incidence(rows, cols, shape, dense and choose_dense(shape))
    n = sum(1 for gs in gram_sets if gs)
    df = np.asarray(G.sum(axis=0)).ravel()
    length = np.array([len(g) for g in sorted(vocab, key=vocab.get)], dtype=np.float32)
    w = (length * (1.0 + np.log((n + 1) / (df + 1)))).astype(np.float32)
    return G, vocab, w


def dice_block(Gb: Matrix, Ga: Matrix, w: np.ndarray, Pb: Matrix | None = None,
               Pa: Matrix | None = None, Pa_T: Matrix | None = None) -> np.ndarray:
    """C for every pair of a block; NaN where either mechanism has no causal chain.

    With the max-profiles ``Pb`` and ``Pa`` (or ``Pa_T``, its transpose from :func:`transposed`, made
    once for all blocks) of a graded model (:func:`prepare_causal`), the graded score
    (:func:`graded_block`); without them, exact matching of relation paths.
    """
    if Pb is not None and (Pa is not None or Pa_T is not None):
        return graded_block(Gb, Ga, w, Pb, Pa, Pa_T)
    sb = np.asarray(Gb @ w).ravel()
    sa = np.asarray(Ga @ w).ravel()
    shared = to_dense(scale(Gb, c=w) @ Ga.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 2 * shared / (sb[:, None] + sa[None, :])
    out[(sb == 0)[:, None] | (sa == 0)[None, :]] = np.nan
    return out.astype(np.float32)


def aligned_grams(steps_b: Sequence[dict[str, Any]], steps_a: Sequence[dict[str, Any]]
                  ) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Maximal shared relation paths with the steps that realise them on each side (for explanations).

    A path is kept only if no longer shared path contains it.
    """
    pb: dict[Gram, list[dict[str, Any]]] = {}
    for p in _paths(steps_b):
        pb.setdefault(tuple(s["relation"] for s in p), p)
    pa: dict[Gram, list[dict[str, Any]]] = {}
    for p in _paths(steps_a):
        pa.setdefault(tuple(s["relation"] for s in p), p)
    shared = sorted(set(pb) & set(pa), key=lambda g: (-len(g), g))
    kept: list[Gram] = []
    for g in shared:
        if not any(_contains(k, g) for k in kept):
            kept.append(g)
    return [(pb[g], pa[g]) for g in kept]


def _contains(big: Gram, small: Gram) -> bool:
    n = len(small)
    return any(big[i:i + n] == small for i in range(len(big) - n + 1))


# -- graded alignment ------------------------------------------------------------------------------

def step_grams(steps: Sequence[dict[str, Any]]) -> set[StepGram]:
    """The step paths (length 1..3) of a chain with each step's participants and conditions.

    A step's participants are what it acts on (``bkg:actsOn``, several allowed) and its conditions
    (``bkg:underCondition``), sorted so that the same set gives the same key.
    """
    def key(s: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
        return s["relation"], tuple(sorted(set(s.get("participants", ())) | set(s.get("conditions", ()))))
    return {tuple(key(s) for s in p) for p in _paths(steps)}


def step_similarity(lin_r: float, bma_p: float, alpha: float = ALPHA) -> float:
    """sigma(x, y) = Lin_R * (alpha + (1 - alpha) * BMA_P) for one aligned pair of steps."""
    return lin_r * (alpha + (1 - alpha) * bma_p)


def path_similarity(sigmas: Sequence[float], geometric: bool = False) -> float:
    """K(g, h): product (or geometric mean) of the step similarities of two aligned paths."""
    k = len(sigmas)
    if not k:
        return 0.0
    p = float(np.prod(np.asarray(sigmas, dtype=np.float64)))
    return p ** (1.0 / k) if geometric else p


def _set_similarity(sets: list[tuple[int, ...]], lin_p: np.ndarray) -> np.ndarray:
    """BMA of Lin over participant sets (all pairs): 1 between two empty sets, 0 against one empty set."""
    n, T = len(sets), lin_p.shape[0]
    X = np.zeros((n, T), dtype=np.float32)
    for i, ps in enumerate(sets):
        X[i, list(ps)] = 1.0
    if T:
        P = max_profile(X, lin_p)
        S = bma_block(X, P, X, np.ascontiguousarray(P.T))
    else:
        S = np.full((n, n), np.nan, dtype=np.float32)
    empty = X.sum(axis=1) == 0
    S[np.isnan(S)] = 0.0
    S[np.ix_(empty, empty)] = 1.0
    return S


def _tuple_pairs(T: np.ndarray, lin_r: np.ndarray, block: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of relation tuples (rows of T, n x k) related at every position, with prod of Lin_R."""
    n, k = T.shape
    if not np.count_nonzero(lin_r - np.diag(np.diag(lin_r))):  # flat relations: only identical tuples
        i = np.arange(n)
        return i, i, np.ones(n, dtype=np.float64)
    rows, cols, vals = [], [], []
    for r0 in range(0, n, block):
        S = np.ones((min(block, n - r0), n), dtype=np.float64)
        for pos in range(k):
            S *= lin_r[T[r0:r0 + block, pos]][:, T[:, pos]]
        r, c = np.nonzero(S)
        rows.append(r + r0)
        cols.append(c)
        vals.append(S[r, c])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _gram_kernel(keys: list[StepGram], rel_index: dict[str, int], lin_r: np.ndarray,
                 pt_index: dict[str, int], lin_p: np.ndarray, alpha: float, geometric: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """K(g, h) for every pair of step paths that can align: (rows, cols, values), sorted by row.

    Paths are grouped by their relation tuple; the relation part of K is computed once per pair of
    related tuples, the participant part by a lookup in the participant-set similarity table.
    """
    set_id: dict[tuple[int, ...], int] = {}
    sets: list[tuple[int, ...]] = []
    by_len: dict[int, tuple[list[int], list[tuple[int, ...]], list[list[int]]]] = {}
    for i, g in enumerate(keys):
        members, rels, psets = by_len.setdefault(len(g), ([], [], []))
        members.append(i)
        rels.append(tuple(rel_index[r] for r, _ in g))
        ids = []
        for _, ps in g:
            t = tuple(sorted(pt_index[p] for p in ps if p in pt_index))
            ids.append(set_id.setdefault(t, len(set_id)))
            if len(sets) < len(set_id):
                sets.append(t)
        psets.append(ids)
    S_set = _set_similarity(sets, lin_p).astype(np.float64)
    factor_table = alpha + (1 - alpha) * S_set
    R, C, V = [], [], []
    for k, (members, rels, psets) in by_len.items():
        members_a = np.asarray(members, dtype=np.int64)
        tuples = np.asarray(rels, dtype=np.int64).reshape(len(members), k)
        pset_a = np.asarray(psets, dtype=np.int64).reshape(len(members), k)
        uniq, tid = np.unique(tuples, axis=0, return_inverse=True)
        tid = tid.ravel()
        order = np.argsort(tid, kind="stable")
        counts = np.bincount(tid, minlength=len(uniq))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        ti, tj, tv = _tuple_pairs(uniq, lin_r)
        n_pairs = counts[ti] * counts[tj]
        total = int(n_pairs.sum())
        if not total:
            continue
        pid = np.repeat(np.arange(len(ti)), n_pairs)
        q = np.arange(total) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
        nj = counts[tj[pid]]
        left = order[starts[ti[pid]] + q // nj]
        right = order[starts[tj[pid]] + q % nj]
        factor = np.prod(factor_table[pset_a[left], pset_a[right]], axis=1)
        val = (tv[pid] * factor) ** (1.0 / k) if geometric else tv[pid] * factor
        keep = val > 0
        R.append(members_a[left[keep]])
        C.append(members_a[right[keep]])
        V.append(val[keep])
    if not R:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    rows, cols, vals = np.concatenate(R), np.concatenate(C), np.concatenate(V)
    o = np.argsort(rows, kind="stable")
    return rows[o], cols[o], vals[o]


def max_product_profile(G: Matrix, K: tuple[np.ndarray, np.ndarray, np.ndarray], n_keys: int,
                        dense: bool, keep: np.ndarray | None = None) -> Matrix:
    """P[m, h] = max over the keys g of row m of G of K(g, h) (K as row-sorted COO arrays).

    Joins each non-zero (m, g) of G with row g of K, then keeps the largest value per (m, h): one sort
    and a ``maximum.reduceat`` instead of a loop over mechanisms. ``keep`` (rows x keys, boolean, or a
    pair (row split, (mask for rows before it, mask for rows from it))) limits the columns computed.
    """
    n = G.shape[0]
    kr, kc, kv = K
    indptr = np.searchsorted(kr, np.arange(n_keys + 1))
    counts, gcols = nonzero_lists(G)
    mrow = np.repeat(np.arange(n), counts)
    width = indptr[gcols + 1] - indptr[gcols]
    total = int(width.sum())
    m = np.repeat(mrow, width)
    pos = np.repeat(indptr[gcols], width) + (np.arange(total) - np.repeat(np.cumsum(width) - width, width))
    h, v = kc[pos], kv[pos].astype(np.float32)
    del pos
    if keep is not None:
        split, (first, second) = keep
        ok = np.where(m < split, first[h], second[h])
        m, h, v = m[ok], h[ok], v[ok]
    flat = m.astype(np.int64) * n_keys + h
    del m, h
    o = np.argsort(flat, kind="stable")
    flat, v = flat[o], v[o]
    starts = np.flatnonzero(np.concatenate([[True], flat[1:] != flat[:-1]])) if len(flat) else np.zeros(0, dtype=np.int64)
    vmax = np.maximum.reduceat(v, starts) if len(starts) else v
    flat = flat[starts]
    if dense:
        P = np.zeros((n, n_keys), dtype=np.float32)
        P.ravel()[flat] = vmax
        return P
    import scipy.sparse as sp  # large graphs only
    return sp.csr_matrix((vmax, (flat // n_keys, flat % n_keys)), shape=(n, n_keys), dtype=np.float32)


def transposed(M: Matrix) -> Matrix:
    """M transposed in row-major form (CSR or C-contiguous): the right operand of every block.

    A sparse product with ``P.T`` converts it to CSR on each call, which at 10^4 mechanisms per side
    costs more than the product itself; the engine transposes the ANN profile once.
    """
    return M.T.tocsr() if is_sparse(M) else np.ascontiguousarray(M.T)


def graded_block(Gb: Matrix, Ga: Matrix, w: np.ndarray, Pb: Matrix, Pa: Matrix | None,
                 Pa_T: Matrix | None = None) -> np.ndarray:
    """Graded C for every pair of a block (formula in the module docstring); NaN without a chain.

    Give the ANN profile as ``Pa`` or, faster when it is used for many blocks, as ``Pa_T``
    (:func:`transposed`).
    """
    sb = np.asarray(Gb @ w).ravel()
    sa = np.asarray(Ga @ w).ravel()
    num = to_dense(scale(Gb, c=w) @ (Pa.T if Pa_T is None else Pa_T)) + to_dense(scale(Ga, c=w) @ Pb.T).T
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / (sb[:, None] + sa[None, :])
    out[(sb == 0)[:, None] | (sa == 0)[None, :]] = np.nan
    return np.minimum(out, 1.0).astype(np.float32)


class CausalModel:
    """Everything C needs, prepared once per graph: step-path incidence, weights and max-profiles.

    Attributes
    ----------
    keys : list of StepGram
        The step paths (with participants) of all mechanisms; column index of ``G`` and ``P``.
    G : Matrix
        Mechanisms (the rows given to :func:`prepare_causal`) x keys, binary.
    w : numpy.ndarray
        Weight of each key: the weight of its relation path (length x IDF, :func:`gram_matrix`).
    P : Matrix
        Max-profiles: ``P[m, h]`` = best K(g, h) over the keys g of mechanism m.
    lin_r, lin_p : numpy.ndarray
        Lin similarity of relation types and of participants.
    """

    def __init__(self, keys, G, w, P, rel_terms, lin_r, pt_terms, lin_p, alpha):
        self.keys, self.G, self.w, self.P = keys, G, w, P
        self.rel_terms, self.lin_r, self.pt_terms, self.lin_p, self.alpha = rel_terms, lin_r, pt_terms, lin_p, alpha
        self.rel_index = {t: i for i, t in enumerate(rel_terms)}
        self.pt_index = {t: i for i, t in enumerate(pt_terms)}

    def rows(self, sl: slice | np.ndarray) -> tuple[Matrix, Matrix]:
        return self.G[sl], self.P[sl]


def prepare_causal(chains: Sequence[Sequence[dict[str, Any]]],
                   rel_hierarchy: tuple[list[str], list[list[int]]],
                   pt_hierarchy: tuple[list[str], list[list[int]]],
                   dense: bool = True, alpha: float = ALPHA, rel_power: float = 1.0,
                   geometric: bool = False, split: int | None = None) -> CausalModel:
    """Build the graded causal model of a list of chains (one per mechanism, in row order).

    ``alpha``: share of a step's score that needs only the relation; ``rel_power``: relations are
    compared by :math:`\\mathrm{Lin}_R^{\\,p}` (1: Lin itself; larger values grade more strictly);
    ``geometric``: the geometric mean of the steps of a path instead of their product.
    ``split``: the chains are two sides (rows before ``split`` and from it) that are only ever compared
    with each other; each side's profile is then computed only at the other side's keys (half the work).

    ``rel_hierarchy`` and ``pt_hierarchy``: (terms, parent indices) of relation types and participants,
    as in :attr:`kg.engine.features.Features.causal_terms`; relations or participants not in them
    become roots.
    """
    rel_terms, rel_par = list(rel_hierarchy[0]), [list(p) for p in rel_hierarchy[1]]
    pt_terms, pt_par = list(pt_hierarchy[0]), [list(p) for p in pt_hierarchy[1]]
    sg = [step_grams(c) for c in chains]
    for gs in sg:  # anything used but not in the hierarchies: a root
        for g in gs:
            for r, ps in g:
                if r not in rel_terms:
                    rel_terms.append(r)
                    rel_par.append([])
                for p in ps:
                    if p not in pt_terms:
                        pt_terms.append(p)
                        pt_par.append([])
    rel_index = {t: i for i, t in enumerate(rel_terms)}
    pt_index = {t: i for i, t in enumerate(pt_terms)}
    lin_r = lin_matrix(rel_par).astype(np.float64) ** rel_power
    lin_p = lin_matrix(pt_par)
    vocab: dict[StepGram, int] = {}
    rows, cols = [], []
    for i, gs in enumerate(sg):
        for g in sorted(gs):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    keys = sorted(vocab, key=vocab.get)
    n = len(chains)
    dense = dense and choose_dense((n, len(keys)))  # the profile P is n x keys: sparse when large
    G = incidence(rows, cols, (n, len(keys)), dense)
    # weights from the relation paths (as in the exact score): length x IDF of the relation path
    rel_paths = [{tuple(r for r, _ in g) for g in gs} for gs in sg]
    _, rvocab, rw = gram_matrix(rel_paths, dense=True)
    w = np.array([rw[rvocab[tuple(r for r, _ in g)]] for g in keys], dtype=np.float32)
    K = _gram_kernel(keys, rel_index, lin_r, pt_index, lin_p, alpha, geometric)
    keep = None
    if split is not None:
        on_side = [np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=bool)]
        for i, c in zip(rows, cols):
            on_side[int(i >= split)][c] = True
        keep = (split, (on_side[1], on_side[0]))  # rows of side 0 need side 1's keys, and vice versa
    P = max_product_profile(G, K, len(keys), dense, keep)
    model = CausalModel(keys, G, w, P, rel_terms, lin_r, pt_terms, lin_p, alpha)
    model.geometric = geometric
    return model


def graded_alignments(model: CausalModel, steps_b: Sequence[dict[str, Any]],
                      steps_a: Sequence[dict[str, Any]], top: int = 3
                      ) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]], float]]:
    """The best-aligned step paths of two chains with their K (for explanations), longest and best first.

    A path is kept only if no kept path of the same pair contains it on both sides.
    """
    def sig(x: dict[str, Any], y: dict[str, Any]) -> float:
        ri, rj = model.rel_index.get(x["relation"]), model.rel_index.get(y["relation"])
        lr = float(model.lin_r[ri, rj]) if ri is not None and rj is not None else float(x["relation"] == y["relation"])
        px = sorted(model.pt_index[p] for p in set(x.get("participants", ())) | set(x.get("conditions", ())) if p in model.pt_index)
        py = sorted(model.pt_index[p] for p in set(y.get("participants", ())) | set(y.get("conditions", ())) if p in model.pt_index)
        if not px and not py:
            bp = 1.0
        elif not px or not py:
            bp = 0.0
        else:
            L = model.lin_p[np.ix_(px, py)]
            bp = 0.5 * (float(L.max(axis=1).mean()) + float(L.max(axis=0).mean()))
        return step_similarity(lr, bp, model.alpha)

    cands = []
    pa = _paths(steps_a)
    for p in _paths(steps_b):
        for q in pa:
            if len(q) != len(p):
                continue
            k = path_similarity([sig(x, y) for x, y in zip(p, q)], getattr(model, "geometric", False))
            if k > 0:
                cands.append((p, q, k))
    cands.sort(key=lambda t: (-len(t[0]), -t[2]))
    kept: list[tuple[list[dict[str, Any]], list[dict[str, Any]], float]] = []
    for p, q, k in cands:
        ids_p, ids_q = {s["step"] for s in p}, {s["step"] for s in q}
        if any(ids_p <= {s["step"] for s in kp} and ids_q <= {s["step"] for s in kq} for kp, kq, _ in kept):
            continue
        kept.append((p, q, k))
        if len(kept) >= top:
            break
    return kept


def causal_model(features: Any, alpha: float = ALPHA) -> CausalModel:
    """:func:`prepare_causal` for an engine's features: rows are the biological then the ANN mechanisms."""
    f = features
    empty: tuple[list[str], list[list[int]]] = ([], [])
    return prepare_causal([f.chains.steps.get(m, []) for m in f.bio + f.ann], f.causal_terms.get("R", empty),
                          f.causal_terms.get("P", empty), f.dense, alpha, split=len(f.bio))
