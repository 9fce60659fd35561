"""`bionn-kg matrix --endpoint URL` gives the same matrix as the embedded run (Oxigraph server)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import servers

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    from kg.graph import load_graph
    from kg.server import dump_ntriples, find_oxigraph
    try:
        find_oxigraph()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Oxigraph CLI not available: {exc}")
    work = tmp_path_factory.mktemp("remote-engine")
    nt = work / "graph.nt"
    dump_ntriples(load_graph(), nt)
    srv = servers.start_oxigraph(nt, work)
    yield srv
    srv.stop()


def test_remote_engine_equals_embedded(oxigraph, engine):
    from kg.engine import Engine
    from kg.remote import open_graph
    remote = Engine(open_graph(oxigraph.endpoint))
    a, b = engine.matrix(), remote.matrix()
    assert a.bio == b.bio and a.ann == b.ann
    assert np.allclose(a.E, b.E, equal_nan=True, atol=1e-6)
    for d in ("S", "F", "C", "M", "Ef"):
        assert np.allclose(a.dims[d], b.dims[d], equal_nan=True, atol=1e-6), d


def test_matrix_cli_with_endpoint(oxigraph, capsys):
    from kg.cli import main
    assert main(["matrix", "--format", "json", "-d", "E"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(["matrix", "--format", "json", "-d", "E", "--endpoint", oxigraph.endpoint]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert [(r["bio"], r["ann"]) for r in local] == [(r["bio"], r["ann"]) for r in remote]
    assert all((x["E"] is None and y["E"] is None) or abs(x["E"] - y["E"]) < 1e-6 for x, y in zip(local, remote))


def test_gaps_and_report_with_endpoint(oxigraph, capsys, tmp_path):
    """The shared --endpoint option reaches every command that reads the graph, the report included."""
    from kg.cli import main
    assert main(["gaps", "bkg:NeuromodulatoryContextSwitching", "--top", "1", "--format", "json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(["gaps", "bkg:NeuromodulatoryContextSwitching", "--top", "1", "--format", "json",
                 "--endpoint", oxigraph.endpoint]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in local["analogs"][0]["lacks"]] == [r["id"] for r in remote["analogs"][0]["lacks"]]
    assert main(["report", "--out", str(tmp_path / "rep"), "--endpoint", oxigraph.endpoint]) == 0
    assert (tmp_path / "rep" / "index.html").is_file()
    assert (tmp_path / "rep" / "data" / "partial_analogies.json").is_file()
