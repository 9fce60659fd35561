"""Regression: the engine's parallel prepare called ``submit`` on the serial stand-in pool.

With one core (``os.cpu_count() == 1``) ``worker_pool`` returns a serial executor that only has
``map``; ``Engine(...)`` then raised AttributeError before preparing any dimension. It now prepares
through ``map`` on either pool, and the scores are the same.
"""
import numpy as np

from kg.engine import Engine


def test_engine_prepares_on_one_core(monkeypatch, shipped_graph):
    feats = Engine(shipped_graph).features
    two = Engine(shipped_graph, features=feats).matrix()
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    one = Engine(shipped_graph, features=feats).matrix()
    assert np.array_equal(one.E, two.E, equal_nan=True)
