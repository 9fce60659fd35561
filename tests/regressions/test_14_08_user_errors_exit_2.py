"""Issue 14, item 8: tracebacks with exit 1 (reserved for violations): --timeout nan|inf|1e12; a query
file or stdin that is not UTF-8; `report --out` into an unwritable folder (after the whole computation);
`report --out . --force`; `serve --location` on a symlink; `serve` on a port in use (a Rust backtrace).
Every one is now exit 2 with a one-line message and a hint."""
from __future__ import annotations

import socket

import pytest

import kg.graph
from kg.errors import KGError
from regress_util import run_cli


@pytest.mark.parametrize("value", ["nan", "inf", "1e12", "-1"])
def test_bad_timeout_values(value):
    run = run_cli("query", "equivalence_map", "--timeout", value)
    assert run.code == 2 and "Traceback" not in run.err, run.err


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e12])
def test_bad_timeout_values_in_the_python_api(shipped_graph, value):
    from kg.remote import RemoteGraph
    with pytest.raises(KGError, match="not a usable time limit"):
        shipped_graph.run("ASK {}", timeout=value)
    with pytest.raises(KGError, match="not a usable time limit"):
        RemoteGraph("http://127.0.0.1:9/query", timeout=value)


def test_query_file_that_is_not_utf8(tmp_path):
    f = tmp_path / "latin1.rq"
    f.write_bytes("SELECT * WHERE { ?s rdfs:label \"caf\xe9\" }\n".encode("latin-1"))
    run = run_cli("query", str(f))
    assert run.clean_error(), run.err
    assert "not UTF-8" in run.err and "latin1.rq:1" in run.err


def test_stdin_that_is_not_utf8():
    run = run_cli("query", "-", stdin=b"ASK { ?s ?p \"\xff\xfe\" }")
    assert run.clean_error(), run.err
    assert "stdin" in run.err and "not UTF-8" in run.err


def test_report_out_unwritable_fails_before_the_computation(tmp_path, monkeypatch):
    from kg.report import build_report
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    def no_loading(*a, **k):
        raise AssertionError("the graph was loaded before --out was validated")
    monkeypatch.setattr(kg.graph, "load_graph", no_loading)
    with pytest.raises(KGError, match="cannot write"):
        build_report(blocker / "report")
    run = run_cli("report", "--out", str(blocker / "report"))
    assert run.clean_error(), run.err


@pytest.mark.parametrize("out", [".", ".."])
def test_report_out_current_folder_is_refused_even_with_force(tmp_path, out):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine")
    run = run_cli("report", "--out", out, "--force", cwd=work)
    assert run.clean_error(), run.err
    assert (work / "keep.txt").read_text() == "mine"


def test_serve_location_on_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    run = run_cli("serve", "--location", str(link), "--port", "1")
    assert run.code == 2 and "Traceback" not in run.err
    run = run_cli("serve", "--location", str(link), "--port", str(_free_port()))
    assert run.clean_error(), run.err
    assert "symbolic link" in run.err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_on_a_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        run = run_cli("serve", "--port", str(s.getsockname()[1]))
    assert run.clean_error(), run.err
    assert "in use" in run.err and "--port" in run.err and "panicked" not in run.err


def test_unexpected_errors_exit_2_without_traceback(monkeypatch, capsys):
    from kg.cli import main
    import kg.cli.graph_cmds as gc

    def boom(*a, **k):
        raise ZeroDivisionError("simulated bug")
    monkeypatch.delenv("BIONN_KG_DEBUG", raising=False)
    monkeypatch.setattr(kg.graph, "load_graph", boom)
    assert gc  # the command module reads load_graph from kg.graph at call time
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError" in err and "Traceback" not in err
