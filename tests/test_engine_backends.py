"""Dense and sparse matrices give the same scores (kg.engine.linalg), and small graphs never import scipy."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from kg.engine import Engine
from kg.engine import linalg
from kg.engine.explain import explain_pair
from kg.engine.features import extract_features


@pytest.fixture(scope="module")
def engines(shipped_graph):
    dense = Engine(shipped_graph, features=extract_features(shipped_graph, dense=True))
    sparse = Engine(shipped_graph, features=extract_features(shipped_graph, dense=False))
    return dense, sparse


def test_representations_are_what_was_asked(engines):
    dense, sparse = engines
    assert not linalg.is_sparse(dense.features.spaces["S"].X_bio)
    assert linalg.is_sparse(sparse.features.spaces["S"].X_bio)
    assert not linalg.is_sparse(dense.dimension("F").Ub) and linalg.is_sparse(sparse.dimension("F").Ub)
    assert not linalg.is_sparse(dense.dimension("C").Gb) and linalg.is_sparse(sparse.dimension("C").Gb)


def test_all_pairs_agree(engines):
    a, b = (e.matrix() for e in engines)
    assert a.bio == b.bio and a.ann == b.ann
    np.testing.assert_allclose(a.E, b.E, rtol=0, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(a.coverage, b.coverage, rtol=0, atol=1e-6)
    for k in a.dims:
        np.testing.assert_allclose(a.dims[k], b.dims[k], rtol=0, atol=1e-6, equal_nan=True, err_msg=k)


def test_explanations_agree(engines):
    dense, sparse = engines
    b, a = "https://w3id.org/bionn-kg/SynapticPruning", "https://w3id.org/bionn-kg/WeightDecay"
    x, y = explain_pair(dense, b, a), explain_pair(sparse, b, a)
    for section in ("matched terms", "aligned causal steps", "failure modes", "strongest paths"):
        assert x[section] == y[section], section
    assert x["score"]["E"] == pytest.approx(y["score"]["E"], abs=1e-6)


def test_large_graphs_go_sparse(shipped_graph, monkeypatch):
    monkeypatch.setattr(linalg, "DENSE_MAX_CELLS", 10)
    f = extract_features(shipped_graph)
    assert not f.dense and linalg.is_sparse(f.spaces["M"].X_ann)


def test_shipped_graph_is_scored_without_scipy():
    """The reason for the dense path: ranking the shipped graph must not pay scipy's import."""
    code = ("import sys\n"
            "from kg.graph import load_graph\n"
            "from kg.engine import Engine\n"
            "from kg.engine.explain import short_reasons\n"
            "eng = Engine(load_graph())\n"
            "b = 'https://w3id.org/bionn-kg/SynapticPruning'\n"
            "top = eng.ranking(b)[:3]\n"
            "assert all(short_reasons(eng, b, a) is not None for a, _ in top)\n"
            "print(sorted(m for m in sys.modules if m.startswith('scipy')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
