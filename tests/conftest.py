"""Shared fixtures: the shipped graph and the engine are built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shipped_graph():
    from kg.graph import load_graph
    return load_graph()


@pytest.fixture(scope="session")
def engine(shipped_graph):
    from kg.engine import Engine
    return Engine(shipped_graph)


@pytest.fixture(scope="session")
def tiny_engine():
    from kg.engine import Engine
    from kg.graph import load_graph
    return Engine(load_graph([FIXTURES / "tiny.ttl"], base=False, check=False))
