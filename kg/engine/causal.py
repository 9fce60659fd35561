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

References
----------
Falkenhainer, Forbus & Gentner, Artificial Intelligence 41 (1989); Forbus et al., Cognitive Science
41(5) 2017.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .linalg import Matrix, choose_dense, incidence, scale, to_dense

__all__ = ["MAX_GRAM", "chain_grams", "gram_matrix", "dice_block", "aligned_grams"]

MAX_GRAM = 3
Gram = tuple[str, ...]


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


def dice_block(Gb: Matrix, Ga: Matrix, w: np.ndarray) -> np.ndarray:
    """C for every pair of a block; NaN where either mechanism has no causal chain."""
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
