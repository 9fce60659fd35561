"""The prepare-time kernels of kg.engine.semsim against their definitions on random hierarchies:
Lin through the most informative common ancestor, and the (transposed) max-profile."""
from __future__ import annotations

import random

import numpy as np
import pytest

from kg.engine.linalg import incidence
from kg.engine.semsim import ancestors, information_content, lin_matrix, max_profile, max_profile_t


def random_hierarchy(seed: int) -> list[list[int]]:
    """Trees, DAGs with several parents, and (for odd seeds) cycles."""
    rnd = random.Random(seed)
    n = rnd.randint(1, 60)
    parents = []
    for t in range(n):
        k = rnd.choice([0, 1, 1, 1, 1, 2, 3]) if n > 1 else 0
        ps = set(rnd.sample(range(n), k)) - {t}
        parents.append(sorted(ps if seed % 2 else {p for p in ps if p < t}))
    return parents


def lin_by_definition(parents: list[list[int]]) -> np.ndarray:
    anc = ancestors(parents)
    ic = information_content(anc)
    n = len(parents)
    lin = np.zeros((n, n))
    for t in range(n):
        for v in range(n):
            common = anc[t] & anc[v]
            mica = max((ic[c] for c in common), default=0.0)
            lin[t, v] = 1.0 if t == v else (2 * mica / (ic[t] + ic[v]) if ic[t] + ic[v] > 0 else 0.0)
    return lin.astype(np.float32)


@pytest.mark.parametrize("seed", range(40))
def test_lin_matrix_is_lin_through_the_most_informative_common_ancestor(seed):
    parents = random_hierarchy(seed)
    assert np.array_equal(lin_matrix(parents), lin_by_definition(parents))


def test_lin_matrix_of_two_trees_whose_roots_are_informative():
    # two roots: neither covers every term, so both have IC > 0 and their blocks are written
    parents = [[], [0], [0], [1], [], [4]]
    assert np.array_equal(lin_matrix(parents), lin_by_definition(parents))
    assert lin_matrix(parents)[1, 2] > 0 and lin_matrix(parents)[1, 5] == 0


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("dense", [True, False])
def test_transposed_max_profile_is_the_max_profile_transposed(seed, dense):
    rnd = random.Random(seed)
    lin = lin_matrix(random_hierarchy(seed))
    T, n = lin.shape[0], rnd.randint(0, 300)
    pairs = [(i, rnd.randrange(T)) for i in range(n) for _ in range(rnd.choice([0, 1, 2, 5]))]
    X = incidence([p[0] for p in pairs], [p[1] for p in pairs], (n, T), dense)
    Pt = max_profile_t(X, lin, block=7)  # blocks that do not divide n
    assert Pt.flags.c_contiguous and Pt.shape == (T, n)
    assert np.array_equal(Pt, max_profile(X, lin).T)
