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
P_b^T)^T`. K is sparse (non-zero only between paths whose relations are related at every step) and
never stored: the profiles are computed from the classes of related relation paths (:func:`_side_profile`).

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

from .linalg import (Matrix, choose_dense, gc_paused, incidence, is_sparse, scale, sparse_product, to_dense,
                     transposed)
from .semsim import bma_block, lin_matrix, max_profile

__all__ = ["MAX_GRAM", "ALPHA", "chain_grams", "gram_matrix", "dice_block", "aligned_grams",
           "step_grams", "step_similarity", "path_similarity", "graded_block", "transposed",
           "CausalModel", "prepare_causal", "causal_model", "graded_alignments"]

MAX_GRAM = 3
#: share of an aligned step's score that needs only the relation to match (the rest is participants)
ALPHA = 0.5
Gram = tuple[str, ...]
#: a step path with its participants: ((relation, (participant, ...)), ...)
StepGram = tuple[tuple[str, tuple[str, ...]], ...]
#: a class of relation paths with this many profile entries (its keys x mechanisms) is computed as one
#: dense block (two gathers per step) rather than entry by entry
BLOCK_MIN = 1 << 14


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
               Pa: Matrix | None = None, Pa_T: Matrix | None = None, GaW_T: Matrix | None = None) -> np.ndarray:
    """C for every pair of a block; NaN where either mechanism has no causal chain.

    With the max-profiles ``Pb`` and ``Pa`` (or ``Pa_T``, its transpose from :func:`transposed`, made
    once for all blocks) of a graded model (:func:`prepare_causal`), the graded score
    (:func:`graded_block`, with ``GaW_T`` if given); without them, exact matching of relation paths.
    """
    if Pb is not None and (Pa is not None or Pa_T is not None):
        return graded_block(Gb, Ga, w, Pb, Pa, Pa_T, GaW_T)
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


def _ragged(starts: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, s + w)`` for each start s and width w (one pass, no loop)."""
    total = int(widths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offset = np.cumsum(widths) - widths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - offset, widths)


def _tuple_codes(cols: Sequence[np.ndarray]) -> np.ndarray:
    """One int64 per row of the integer tuples ``cols`` (each >= -1, -1 padding a shorter tuple), ordered
    as Python orders the tuples (a prefix first). A prefix is replaced by its rank when the next digit
    would overflow 64 bits."""
    code = np.asarray(cols[0], dtype=np.int64) + 1
    for c in cols[1:]:
        c = np.asarray(c, dtype=np.int64) + 1
        base = int(c.max(initial=0)) + 1
        if len(code) and int(code.max()) >= (1 << 62) // base:
            code = np.unique(code, return_inverse=True)[1].ravel().astype(np.int64)
        code = code * base + c
    return code


def _distinct(x: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (a sort: NumPy's hashing unique is slower here)."""
    x = np.sort(x)
    return x[_first_of_runs(x)]


def _first_of_runs(*keys: np.ndarray) -> np.ndarray:
    """True where any of the (sorted together) key arrays differs from the previous element."""
    n = len(keys[0])
    first = np.zeros(n, dtype=bool)
    if n:
        first[0] = True
        for k in keys:
            first[1:] |= k[1:] != k[:-1]
    return first


def _intern_chains(chains: Sequence[Sequence[dict[str, Any]]], rel_index: dict[str, int], rel_terms: list[str],
                   rel_par: list[list[int]], pt_index: dict[str, int], pt_terms: list[str],
                   pt_par: list[list[int]]) -> tuple[list, list[int], list[tuple[int, ...]], np.ndarray, np.ndarray,
                                                     np.ndarray, np.ndarray, np.ndarray]:
    """The one Python pass over the chains: steps interned and the causal links as integer arrays.

    Every step dict is an entry (node) of the walk; a step (relation, sorted participants and
    conditions) gets one id for all chains. A step IRI repeated in a chain stands for its last entry,
    whose links count, as in :func:`_paths`; a chain without any link is linked in its declared order.
    Relations and participants missing from the hierarchies are added to them as roots.

    Returns the step keys, each step's relation and participant indices, and per entry its chain (row),
    step id and the entry its IRI stands for; then the links (from, to) between entries, self-links
    left out (a path never repeats a step).
    """
    with gc_paused():  # tens of thousands of small acyclic objects: no collection can free any
        return _intern_flat(chains, rel_index, rel_terms, rel_par, pt_index, pt_terms, pt_par)


def _intern_flat(chains, rel_index, rel_terms, rel_par, pt_index, pt_terms, pt_par):
    """The body of :func:`_intern_chains`."""
    flat = [s for steps in chains for s in steps]  # comprehensions: the loops run at C speed
    row = [ci for ci, steps in enumerate(chains) for _ in steps]
    iris = [s["step"] for s in flat]
    nexts = [s.get("next") for s in flat]
    # a step: its relation and the set of its participants and conditions
    step_id: dict[tuple[str, frozenset[str]], int] = {}
    sid = [step_id.setdefault(k, len(step_id)) for k in zip(
        [s["relation"] for s in flat],
        [frozenset(s.get("participants", ())).union(s.get("conditions", ())) for s in flat])]
    step_keys: list[tuple[str, tuple[str, ...]]] = []
    step_rel: list[int] = []
    step_pts: list[tuple[int, ...]] = []
    for r, ps in step_id:  # in order of first use; anything not in the hierarchies becomes a root
        key = (r, tuple(sorted(ps)))
        step_keys.append(key)
        if r not in rel_index:
            rel_index[r] = len(rel_terms)
            rel_terms.append(r)
            rel_par.append([])
        for p in key[1]:
            if p not in pt_index:
                pt_index[p] = len(pt_terms)
                pt_terms.append(p)
                pt_par.append([])
        step_rel.append(rel_index[r])
        step_pts.append(tuple(sorted(pt_index[p] for p in key[1])))
    # the entry each (chain, step IRI) stands for: its last one
    at = {k: j for j, k in enumerate(zip(row, iris))}
    unique = len(at) == len(flat)
    canon = list(range(len(flat))) if unique else [at[k] for k in zip(row, iris)]
    # links of the last entry of each IRI (a chain with any link); chains without one: declared order
    edges = [(u, v) for u, (r, nx) in enumerate(zip(row, nexts)) if nx and (unique or canon[u] == u)
             for v in [at.get((r, n)) for n in nx] if v is not None and v != u]
    eu = [e[0] for e in edges]
    ev = [e[1] for e in edges]
    start = 0
    for steps in chains:
        n_steps = len(steps)
        if n_steps > 1 and not any(nexts[start:start + n_steps]):
            by_id = {s["step"]: start + j for j, s in enumerate(steps)}
            nxt = {steps[j]["step"]: steps[j + 1]["step"] for j in range(n_steps - 1)}
            for x, y in nxt.items():
                u, v = by_id[x], by_id[y]
                if u != v:
                    eu.append(u)
                    ev.append(v)
        start += n_steps
    ints = [np.asarray(a, dtype=np.int64) for a in (row, sid, canon, eu, ev)]
    return (step_keys, step_rel, step_pts, *ints)  # type: ignore[return-value]


def _step_paths(row: np.ndarray, sid: np.ndarray, canon: np.ndarray, eu: np.ndarray, ev: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Every step path of length 1..MAX_GRAM along the links, as (chain row, step ids padded with -1).

    A path starts at any entry and follows the links of the entry its IRI stands for, never coming
    back to a step already on it: :func:`_paths`, for all chains at once on index arrays.
    """
    n = len(row)
    order = np.argsort(eu, kind="stable")
    succ = ev[order]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(eu, minlength=n), out=ptr[1:])
    entries = [np.arange(n, dtype=np.int64)]   # the path's entries; the first as given, the others linked
    stand = [canon]                            # the entries their IRIs stand for (the first may differ)
    rows, cols = [row], [[sid]]
    for _ in range(1, MAX_GRAM):
        last = stand[-1]
        deg = ptr[last + 1] - ptr[last]
        src = np.repeat(np.arange(len(last), dtype=np.int64), deg)
        nxt = succ[_ragged(ptr[last], deg)]
        ok = np.ones(len(nxt), dtype=bool)
        for s in stand[:-1]:  # the link from the last step is never a self-link
            ok &= nxt != s[src]
        src, nxt = src[ok], nxt[ok]
        entries = [e[src] for e in entries] + [nxt]
        stand = [s[src] for s in stand] + [nxt]
        rows.append(row[entries[0]])
        cols.append([sid[e] for e in entries])
    steps = np.full((sum(len(r) for r in rows), MAX_GRAM), -1, dtype=np.int64)
    at = 0
    for c in cols:
        steps[at:at + len(c[0]), :len(c)] = np.stack(c, axis=1)
        at += len(c[0])
    return np.concatenate(rows), steps


def _side_profile(g_rows: np.ndarray, g_keys: np.ndarray, n_rows: int, target: np.ndarray | None,
                  kernel: _Kernel, chunk: int = 1 << 20, block_min: int | None = None,
                  threads: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max-profile of one set of mechanisms, transposed: Q[h, m] = max over the keys g of m of K(g, h).

    ``g_rows``, ``g_keys``: the non-zeros (mechanism, key) of G for these mechanisms (rows 0..n_rows-1);
    ``target``: the keys h computed (None: all). Returns CSR arrays (indptr over all keys, mechanisms
    in increasing order in each row, float32 values).

    K(g, h) is never stored: it is non-zero only when the relation paths ("classes") of g and h are
    related at every position, and then K(g, h) = tv(class g, class h) * prod_i phi(participants of
    g_i, of h_i). The mechanisms with a key in a class related to class c, sorted, are listed once per c
    (a mechanism with several such keys is one run, whose maximum is taken); each key h of class c then
    gets exactly that list as its row, so no join is sorted and no pair is produced twice. A class with
    at least ``block_min`` entries (its keys x its mechanisms; default :data:`BLOCK_MIN`) is one dense
    block of values. The classes run on ``threads`` threads (None: the machine's cores).
    """
    kz = kernel
    block_min = BLOCK_MIN if block_min is None else block_min
    nk = len(kz.key_cls)
    # mechanisms' keys grouped by their class
    cls_of = kz.key_cls[g_keys]
    order = np.argsort(cls_of, kind="stable")
    cnt = np.bincount(cls_of, minlength=kz.n_cls)
    cstart = np.cumsum(cnt) - cnt
    pi, pj, tv = kz.pairs
    has_target = np.zeros(kz.n_cls, dtype=bool)
    has_target[kz.key_cls if target is None else kz.key_cls[target]] = True
    use = (cnt[pi] > 0) & has_target[pj]
    pi, pj, tv = pi[use], pj[use], tv[use]
    # elements: (target class, mechanism, key, tv), one per key of a mechanism per related class
    ep = np.repeat(np.arange(len(pi), dtype=np.int64), cnt[pi])
    ent = order[_ragged(cstart[pi], cnt[pi])]
    el_cls, el_m, el_g, el_tv = pj[ep], g_rows[ent], g_keys[ent], tv[ep]
    o = np.lexsort((el_m, el_cls))
    el_cls, el_m, el_g, el_tv = el_cls[o], el_m[o], el_g[o], el_tv[o]
    first = _first_of_runs(el_cls, el_m)
    run_first = np.flatnonzero(first)
    run_len = np.diff(np.append(run_first, len(first)))
    run_m = el_m[run_first].astype(np.int32)
    rcnt = np.bincount(el_cls[run_first], minlength=kz.n_cls)
    rstart = np.cumsum(rcnt) - rcnt
    flat_tv = bool((el_tv == 1.0).all())  # multiplying by 1.0 changes nothing: skipped
    ns = kz.factor.shape[0]
    el_ps = [kz.kps[j][el_g] * ns for j in range(MAX_GRAM)]
    # each key's row: the runs of its class (none unless it is a target)
    hkeys = np.arange(nk, dtype=np.int64) if target is None else np.flatnonzero(target)
    h_cls = kz.key_cls[hkeys]
    width = np.zeros(nk, dtype=np.int64)
    width[hkeys] = rcnt[h_cls]
    indptr = np.zeros(nk + 1, dtype=np.int64)
    np.cumsum(width, out=indptr[1:])
    total = int(indptr[-1])
    indices = np.empty(total, dtype=np.int32)
    data = np.empty(total, dtype=np.float32)
    fac = kz.factor.ravel()
    fac_t = np.ascontiguousarray(kz.factor.T)  # [participants of h, of g]: a class's block is two gathers

    def value(e: np.ndarray, h: np.ndarray, k: int) -> np.ndarray:
        """K(g, h) for elements e (their key g) and keys h of length k, float64 as the kernel always was."""
        f = fac[el_ps[0][e] + kz.kps[0][h]]
        for j in range(1, k):  # the product over the steps, in step order
            f *= fac[el_ps[j][e] + kz.kps[j][h]]
        if not flat_tv:
            f = el_tv[e] * f
        return f ** (1.0 / k) if kz.geometric else f

    def block_value(e: np.ndarray, h: np.ndarray, k: int) -> np.ndarray:
        """The same K for every key h (rows) x element e (columns) of one class of length k."""
        g = el_g[e]
        f = fac_t[kz.kps[0][h]][:, kz.kps[0][g]]
        for j in range(1, k):
            f *= fac_t[kz.kps[j][h]][:, kz.kps[j][g]]
        if not flat_tv:
            f = el_tv[e][None, :] * f
        return f ** (1.0 / k) if kz.geometric else f

    def generic(keys: np.ndarray) -> None:
        # keys of one length: their entries as flat arrays, written at their rows' places
        k = int(kz.key_len[keys[0]])
        w = width[keys]
        h = np.repeat(keys, w)
        r = _ragged(rstart[kz.key_cls[keys]], w)
        pos = _ragged(indptr[keys], w)
        indices[pos] = run_m[r]
        e = run_first[r]
        v = value(e, h, k)
        n_el = run_len[r]
        for off in range(1, int(n_el.max(initial=1))):  # a mechanism with several keys: their maximum
            at = np.flatnonzero(n_el > off)
            v[at] = np.maximum(v[at], value(e[at] + off, h[at], k))
        data[pos] = v

    def block(c: int, keys: np.ndarray) -> None:
        # the keys of one large class share their row's mechanisms: one dense block of values
        runs = np.arange(rstart[c], rstart[c] + rcnt[c])
        e, n_el = run_first[runs], run_len[runs]
        v = block_value(e, keys, int(kz.key_len[keys[0]]))
        for off in range(1, int(n_el.max(initial=1))):
            at = np.flatnonzero(n_el > off)
            v[:, at] = np.maximum(v[:, at], block_value(e[at] + off, keys, int(kz.key_len[keys[0]])))
        v = v.astype(np.float32)
        m, n_runs = run_m[runs], len(runs)
        for i, a in enumerate(indptr[keys].tolist()):  # each key's row is one slice: no index arrays
            indices[a:a + n_runs] = m
            data[a:a + n_runs] = v[i]

    # classes with many entries (keys x mechanisms) as blocks, the others flat in pieces of ~chunk
    by_cls = np.argsort(h_cls, kind="stable")
    hk_cnt = np.bincount(h_cls, minlength=kz.n_cls)
    hk_start = np.cumsum(hk_cnt) - hk_cnt
    big = hk_cnt * rcnt >= block_min
    tasks: list[tuple[Any, ...]] = [(block, c, hkeys[by_cls[hk_start[c]:hk_start[c] + hk_cnt[c]]])
                                    for c in np.flatnonzero(big).tolist()]
    rest = hkeys[~big[h_cls]]
    for k in range(1, MAX_GRAM + 1):
        keys = rest[kz.key_len[rest] == k]
        ends = np.cumsum(width[keys])
        cuts = np.searchsorted(ends, np.arange(chunk, int(ends[-1]) if len(ends) else 0, chunk))
        tasks += [(generic, part) for part in np.split(keys, cuts) if len(part)]
    from .combine import worker_pool  # NumPy's gathers release the GIL: tasks run on threads
    with worker_pool(threads, len(tasks) if total >= chunk else 1) as ex:
        list(ex.map(lambda t: t[0](*t[1:]), tasks))
    keep = data > 0
    if not keep.all():  # K(g, h) = 0 (only with alpha = 0 and unrelated participants) is no entry
        counts = np.bincount(np.repeat(np.arange(nk), width)[keep], minlength=nk)
        indptr[1:] = np.cumsum(counts)
        indices, data = indices[keep], data[keep]
    return indptr, indices, data


def graded_block(Gb: Matrix, Ga: Matrix, w: np.ndarray, Pb: Matrix, Pa: Matrix | None,
                 Pa_T: Matrix | None = None, GaW_T: Matrix | None = None) -> np.ndarray:
    """Graded C for every pair of a block (formula in the module docstring); NaN without a chain.

    Give the ANN profile as ``Pa`` or, faster when it is used for many blocks, as ``Pa_T``
    (:func:`transposed`); likewise the weighted ANN incidence transposed, ``GaW_T`` =
    ``transposed(scale(Ga, c=w))``, so that the ANN-to-bio half is a row-major product
    :math:`P_b (G_a \\operatorname{diag} w)^T` rather than a transposed one.
    """
    sb = np.asarray(Gb @ w).ravel()
    sa = np.asarray(Ga @ w).ravel()
    PaT = Pa.T if Pa_T is None else Pa_T
    if is_sparse(Gb) and is_sparse(Pb):
        # both halves are sparse (a mechanism matches few paths): add them sparse and divide only
        # their non-zeros; every other pair with a chain on both sides scores 0
        GwT = transposed(scale(Ga, c=w)) if GaW_T is None else GaW_T
        num = graded_nonzeros(sparse_product(scale(Gb, c=w), PaT) + sparse_product(Pb, GwT), sb, sa).tocoo()
        out = np.zeros((Gb.shape[0], Ga.shape[0]), dtype=np.float32)
        out[num.row, num.col] = num.data
    else:
        num = to_dense(scale(Gb, c=w) @ PaT) + to_dense(scale(Ga, c=w) @ Pb.T).T
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.minimum(num / (sb[:, None] + sa[None, :]), 1.0).astype(np.float32)
    out[sb == 0, :] = np.nan
    out[:, sa == 0] = np.nan
    return out


def graded_nonzeros(num: Matrix, sb: np.ndarray, sa: np.ndarray) -> Matrix:
    """Graded C of a block at the non-zeros of its numerator ``num`` (sparse, from sparse operands:
    every other pair with a chain on both sides scores 0), as a CSR matrix: :func:`graded_block`'s
    sparse case, and the engine's fused top-k (:meth:`kg.engine.dimensions.causal.Causal.add_weighted`).
    ``sb``, ``sa``: the self-weights ``Gb @ w`` and ``Ga @ w``."""
    num = num.tocsr()
    rows = np.repeat(np.arange(num.shape[0]), np.diff(num.indptr))
    with np.errstate(invalid="ignore", divide="ignore"):
        num.data = np.minimum(num.data / (sb[rows] + sa[num.indices]), 1.0)
    return num


class _Kernel:
    """What K(g, h) is computed from, per key: its class (relation path), length and the participant
    set of each step; per pair of related classes (ci, cj, tv): the product of Lin_R over the steps."""

    def __init__(self, key_cls: np.ndarray, n_cls: int, pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
                 factor: np.ndarray, key_ps: np.ndarray, key_len: np.ndarray, geometric: bool):
        self.key_cls, self.n_cls, self.pairs, self.factor = key_cls, n_cls, pairs, factor
        self.kps = [np.ascontiguousarray(key_ps[:, j]) for j in range(MAX_GRAM)]
        self.key_len, self.geometric = key_len, geometric


def _profile_matrix(csr: tuple[np.ndarray, np.ndarray, np.ndarray], n: int, n_keys: int, dense: bool,
                    transposed: bool) -> Matrix:
    """The profile from :func:`_side_profile`'s arrays: n x keys, or keys x n (``transposed``), row-major.

    The n x keys form is the counting transpose of the keys x n arrays (scipy's CSR-to-CSC pass), whose
    column indices come out sorted, as in every other CSR matrix of the engine.
    """
    indptr, indices, data = csr
    if dense:
        Q = np.zeros((n_keys, n), dtype=np.float32)
        Q[np.repeat(np.arange(n_keys), np.diff(indptr)), indices] = data
        return Q if transposed else np.ascontiguousarray(Q.T)
    import scipy.sparse as sp  # large graphs only
    Q = sp.csr_matrix((data, indices, indptr), shape=(n_keys, n))
    return Q if transposed else Q.T.tocsr()


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
    Pb, Pa_T : Matrix or None
        With ``split``: the profile of the rows before it (``P[:split]``) and, transposed and row-major,
        of the rows from it (``P[split:].T``, as :func:`transposed` makes it), as the blocks use them;
        ``P`` is then assembled from them on first use.
    lin_r, lin_p : numpy.ndarray
        Lin similarity of relation types and of participants.
    relation_pairs : (numpy.ndarray, numpy.ndarray)
        (chain row, relation index) for every relation a chain applies, once each.
    """

    def __init__(self, step_keys, key_steps, G, w, P, rel_terms, lin_r, pt_terms, lin_p, alpha,
                 Pb=None, Pa_T=None):
        self._step_keys, self._key_steps = step_keys, key_steps
        self.G, self.w, self._P, self.Pb, self.Pa_T = G, w, P, Pb, Pa_T
        self.rel_terms, self.lin_r, self.pt_terms, self.lin_p, self.alpha = rel_terms, lin_r, pt_terms, lin_p, alpha
        self.rel_index = {t: i for i, t in enumerate(rel_terms)}
        self.pt_index = {t: i for i, t in enumerate(pt_terms)}
        self.geometric = False
        self.relation_pairs = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    @property
    def keys(self) -> list[StepGram]:
        return [tuple(self._step_keys[s] for s in ks if s >= 0) for ks in self._key_steps.tolist()]

    @property
    def P(self) -> Matrix:
        if self._P is None:
            from .linalg import vstack
            lower = self.Pa_T.T
            self._P = vstack([self.Pb, lower.tocsr() if is_sparse(lower) else np.ascontiguousarray(lower)])
        return self._P

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
    with each other; each side's profile is then computed only at the other side's keys (half the work),
    and kept as the blocks use it (:attr:`CausalModel.Pb`, :attr:`CausalModel.Pa_T`).

    ``rel_hierarchy`` and ``pt_hierarchy``: (terms, parent indices) of relation types and participants,
    as in :attr:`kg.engine.features.Features.causal_terms`; relations or participants not in them
    become roots.

    Everything after the one pass that interns the steps is array code: the step paths of all chains
    at once (:func:`_step_paths`), their vocabulary and weights by sorting integer codes, and the
    max-profiles from the classes of related relation paths (:func:`_side_profile`).
    """
    rel_terms, rel_par = list(rel_hierarchy[0]), [list(p) for p in rel_hierarchy[1]]
    pt_terms, pt_par = list(pt_hierarchy[0]), [list(p) for p in pt_hierarchy[1]]
    rel_index = {t: i for i, t in enumerate(rel_terms)}
    pt_index = {t: i for i, t in enumerate(pt_terms)}
    step_keys, step_rel, step_pts, e_row, e_sid, e_canon, eu, ev = _intern_chains(
        chains, rel_index, rel_terms, rel_par, pt_index, pt_terms, pt_par)
    lin_r = lin_matrix(rel_par).astype(np.float64) ** rel_power
    lin_p = lin_matrix(pt_par)
    n = len(chains)
    # each chain's set of step paths; a path's column is where it first appears, chains in row order
    # and each chain's paths in the order of their step-id tuples (as the columns were always numbered)
    prow, psteps = _step_paths(e_row, e_sid, e_canon, eu, ev)
    code = _tuple_codes([psteps[:, j] for j in range(MAX_GRAM)])
    o = np.lexsort((code, prow))
    prow, code, psteps = prow[o], code[o], psteps[o]
    first = _first_of_runs(prow, code)
    rows, code, psteps = prow[first], code[first], psteps[first]
    uniq, fidx, inv = np.unique(code, return_index=True, return_inverse=True)
    by_first = np.argsort(fidx, kind="stable")
    col_of = np.empty(len(uniq), dtype=np.int64)
    col_of[by_first] = np.arange(len(uniq))
    cols = col_of[inv.ravel()]
    key_steps = psteps[fidx[by_first]]
    nk = len(uniq)
    dense = dense and choose_dense((n, nk))  # the profile P is n x keys: sparse when large
    G = incidence(rows, cols, (n, nk), dense)
    # each key's relation path (its "class"): the weight (length x IDF) and which keys K relates
    has = key_steps >= 0
    srel = np.asarray(step_rel, dtype=np.int64)
    key_rel = np.where(has, srel[np.maximum(key_steps, 0)], -1)
    key_len = has.sum(axis=1)
    _, cls_first, key_cls = np.unique(_tuple_codes([key_rel[:, j] for j in range(MAX_GRAM)]),
                                      return_index=True, return_inverse=True)
    key_cls = key_cls.ravel()
    n_cls = len(cls_first)
    cls_len = key_len[cls_first]
    df = np.bincount(_distinct(rows * n_cls + key_cls[cols]) % n_cls, minlength=n_cls)  # chains per path
    n_with = int(np.count_nonzero(np.bincount(rows, minlength=n)))  # chains with a path (a Python int:
    # the weights' arithmetic stays float32)
    w = (cls_len.astype(np.float32) * (1.0 + np.log((n_with + 1) / (df.astype(np.float32) + 1))))
    w = w.astype(np.float32)[key_cls] if nk else np.zeros(0, dtype=np.float32)
    # the kernel: participant-set similarity of the steps, related pairs of relation paths per length
    set_id: dict[tuple[int, ...], int] = {}
    step_set = np.array([set_id.setdefault(p, len(set_id)) for p in step_pts], dtype=np.int64)
    factor = alpha + (1 - alpha) * _set_similarity(list(set_id), lin_p).astype(np.float64)
    key_ps = np.where(has, step_set[np.maximum(key_steps, 0)], 0)
    cls_rel = key_rel[cls_first]
    pi, pj, tv = [np.zeros(0, dtype=np.int64)] * 2 + [np.zeros(0)]
    parts = []
    for k in np.unique(cls_len).tolist():
        members = np.flatnonzero(cls_len == k)
        ti, tj, v = _tuple_pairs(cls_rel[members, :k], lin_r)
        parts.append((members[ti], members[tj], v))
    if parts:
        pi, pj, tv = (np.concatenate(x) for x in zip(*parts))
    kernel = _Kernel(key_cls, n_cls, (pi, pj, tv), factor, key_ps, key_len, geometric)
    if split is None:
        P = _profile_matrix(_side_profile(rows, cols, n, None, kernel), n, nk, dense, transposed=False)
        model = CausalModel(step_keys, key_steps, G, w, P, rel_terms, lin_r, pt_terms, lin_p, alpha)
    else:
        low = rows < split
        on_side = [np.zeros(nk, dtype=bool), np.zeros(nk, dtype=bool)]
        on_side[0][cols[low]] = True
        on_side[1][cols[~low]] = True
        # rows of side 0 need side 1's keys, and vice versa; the two sides on two threads
        from .combine import worker_pool

        def side_b() -> Matrix:
            Q = _side_profile(rows[low], cols[low], split, on_side[1], kernel, threads=1)
            return _profile_matrix(Q, split, nk, dense, transposed=False)

        def side_a() -> Matrix:
            Q = _side_profile(rows[~low] - split, cols[~low], n - split, on_side[0], kernel, threads=1)
            return _profile_matrix(Q, n - split, nk, dense, transposed=True)

        with worker_pool(None, 1 if dense else 2) as ex:
            Pb, Pa_T = ex.map(lambda f: f(), (side_b, side_a))
        model = CausalModel(step_keys, key_steps, G, w, None, rel_terms, lin_r, pt_terms, lin_p, alpha,
                            Pb=Pb, Pa_T=Pa_T)
    model.geometric = geometric
    pairs = _distinct(e_row * max(len(rel_terms), 1) + srel[e_sid])
    model.relation_pairs = (pairs // max(len(rel_terms), 1), pairs % max(len(rel_terms), 1))
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
