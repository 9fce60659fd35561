"""Removing the paper's ratings and every asserted analog link leaves every computed score unchanged."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from kg.engine import Engine
from kg.graph import load_graph

UPDATE = (Path(__file__).parent / "fixtures" / "remove_assertions.ru").read_text()


def test_scores_do_not_depend_on_assertions(engine):
    stripped = load_graph()
    before = len(stripped)
    assert stripped.select_named("evaluation/asserted_pairs"), "the shipped graph must assert analogs"
    stripped.store.update(UPDATE)
    assert len(stripped) < before
    assert stripped.select_named("evaluation/asserted_pairs") == []
    assert stripped.select_named("evaluation/table1_ratings") == []
    a = engine.matrix()
    b = Engine(stripped).matrix()
    assert a.bio == b.bio and a.ann == b.ann
    assert np.array_equal(a.E, b.E, equal_nan=True)
    for d in a.dims:
        assert np.array_equal(a.dims[d], b.dims[d], equal_nan=True), d
