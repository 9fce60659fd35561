"""Fixtures for the regression tests of issue 14 (helpers are in regress_util.py)."""
from __future__ import annotations

import pytest

import servers
from regress_util import start_misbehaving


@pytest.fixture
def misbehaving():
    """misbehaving(mode) -> (url, proc): a bad HTTP server of misbehaving_server.py, stopped by pid."""
    started: list = []
    yield lambda mode: start_misbehaving(mode, started)
    for p in started:
        servers.stop(p, timeout=5)
