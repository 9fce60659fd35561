"""The array code of the causal model's preparation (kg.engine.causal.prepare_causal) against
independent references on random chains: the Python walk of the step paths (``step_grams``), the
exact relation-path weights (``gram_matrix``) and a brute-force maximum of K over each mechanism's
paths. The chains include what the feature queries never produce but the Python API accepts: cycles,
self-links, links to unknown steps, unlinked chains, repeated step IRIs and empty chains."""
from __future__ import annotations

import random

import numpy as np
import pytest

from kg.engine import causal
from kg.engine.causal import (ALPHA, chain_grams, gram_matrix, path_similarity, prepare_causal, step_grams,
                              step_similarity)
from kg.engine.linalg import to_dense

# relations: 0 r0 {1 r1 {3 r3, 4 r4}, 2 r2}; 5 r5 {6 r6}; 7 r7 flat
RELS = ([f"r{i}" for i in range(8)], [[], [0], [0], [1], [1], [], [5], []])
# participants: p0 {p1, p2 {p3}}; p4; p5 {p6}
PTS = ([f"p{i}" for i in range(7)], [[], [0], [0], [2], [], [], [5]])


def random_chains(seed: int, n: int = 14) -> list[list[dict]]:
    rnd = random.Random(seed)
    chains = []
    for m in range(n):
        k = rnd.choice([0, 1, 2, 3, 4, 5])
        ids = [f"m{m}s{i}" for i in range(k)]
        if k > 2 and rnd.random() < 0.2:
            ids[-1] = ids[0]  # a repeated step IRI
        linked = rnd.random() < 0.8
        steps = []
        for i, sid in enumerate(ids):
            nxt: set[str] = set()
            if linked:
                if i + 1 < k:
                    nxt.add(ids[i + 1])
                if rnd.random() < 0.3:
                    nxt.add(rnd.choice(ids))  # a cycle, sometimes a self-link
                if rnd.random() < 0.1:
                    nxt.add("elsewhere")      # a link to a step of no chain
            steps.append({"step": sid, "relation": rnd.choice(RELS[0] + ["unlisted"]), "index": i + 1,
                          "participants": set(rnd.sample(PTS[0] + ["q"], rnd.choice([0, 1, 1, 2]))),
                          "conditions": set(rnd.sample(PTS[0], 1)) if rnd.random() < 0.15 else set(),
                          "next": nxt})
        chains.append(steps)
    return chains


def brute_force_profile(model, chains) -> np.ndarray:
    """P[m, h] = max over the step paths g of chain m of K(g, h), from the definitions."""
    keys = model.keys

    def sigma(x, y):
        (rx, px), (ry, py) = x, y
        lr = float(model.lin_r[model.rel_index[rx], model.rel_index[ry]])
        ix, iy = [model.pt_index[p] for p in px], [model.pt_index[p] for p in py]
        if not ix and not iy:
            bp = 1.0
        elif not ix or not iy:
            bp = 0.0
        else:
            L = model.lin_p[np.ix_(ix, iy)].astype(np.float64)
            bp = 0.5 * (L.max(axis=1).mean() + L.max(axis=0).mean())
        return step_similarity(lr, bp, model.alpha)

    P = np.zeros((len(chains), len(keys)))
    for m, steps in enumerate(chains):
        for g in step_grams(steps):
            for h, key in enumerate(keys):
                if len(key) == len(g):
                    P[m, h] = max(P[m, h], path_similarity([sigma(x, y) for x, y in zip(g, key)], model.geometric))
    return P


@pytest.mark.parametrize("seed", range(6))
def test_array_walk_finds_the_step_paths_of_the_python_walk(seed):
    chains = random_chains(seed)
    model = prepare_causal(chains, RELS, PTS, dense=bool(seed % 2))
    G = to_dense(model.G)
    keys = model.keys
    for m, steps in enumerate(chains):
        assert {keys[h] for h in np.flatnonzero(G[m])} == step_grams(steps)
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("seed", range(6))
def test_weights_are_the_relation_path_weights(seed):
    chains = random_chains(seed)
    model = prepare_causal(chains, RELS, PTS)
    _, vocab, w = gram_matrix([chain_grams(c) for c in chains], dense=True)
    expected = np.array([w[vocab[tuple(r for r, _ in key)]] for key in model.keys], dtype=np.float32)
    assert np.array_equal(model.w, expected)  # the same float32 arithmetic: equal, not close


@pytest.fixture(params=[1, 10**9], ids=["blocks", "flat"])
def block_min(request, monkeypatch):
    """Every class of relation paths computed as a dense block, or none (large graphs mix both)."""
    monkeypatch.setattr(causal, "BLOCK_MIN", request.param)
    return request.param


@pytest.mark.parametrize("seed,dense,geometric,alpha", [(0, True, False, ALPHA), (1, False, False, ALPHA),
                                                        (2, True, True, ALPHA), (3, False, True, ALPHA),
                                                        (4, False, False, 0.0), (5, True, False, 0.0)])
def test_profiles_are_the_maximum_of_the_kernel(seed, dense, geometric, alpha, block_min):
    chains = random_chains(seed)
    model = prepare_causal(chains, RELS, PTS, dense=dense, geometric=geometric, alpha=alpha)
    P = to_dense(model.P)
    assert np.allclose(P, brute_force_profile(model, chains), atol=1e-6)
    if alpha == 0.0 and not dense:  # K = 0 (unrelated participants) stores nothing, as before
        assert (model.P.data > 0).all()


@pytest.mark.parametrize("dense", [True, False])
def test_split_profiles_are_the_cross_side_columns_of_the_full_profile(dense, block_min):
    chains = random_chains(7, n=20)
    split = 9
    full = to_dense(prepare_causal(chains, RELS, PTS, dense=dense).P)
    half = prepare_causal(chains, RELS, PTS, dense=dense, split=split)
    G = to_dense(half.G)
    side_b, side_a = G[:split].any(axis=0), G[split:].any(axis=0)
    Pb, Pa = to_dense(half.Pb), to_dense(half.Pa_T).T
    assert np.array_equal(Pb[:, side_a], full[:split, side_a]) and not Pb[:, ~side_a].any()
    assert np.array_equal(Pa[:, side_b], full[split:, side_b]) and not Pa[:, ~side_b].any()
    assert np.array_equal(to_dense(half.P), np.vstack([Pb, Pa]))
    if not dense:  # sorted column indices, as every CSR matrix of the engine
        assert half.Pb.has_sorted_indices and half.Pa_T.has_sorted_indices


def test_empty_and_stepless_chains():
    model = prepare_causal([[], []], RELS, PTS, split=1)
    assert model.G.shape == (2, 0) and model.P.shape == (2, 0)
    assert model.relation_pairs[0].size == 0
