"""`bionn-kg query` / `serve` / `publish` and RemoteGraph on bad input: every failure is one clear
message and exit code 2, never a traceback, and nothing leaves the machine."""
from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest

from kg.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, text, name="q.rq"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


# -- happy paths -----------------------------------------------------------------------------------
def test_list_shows_every_shipped_query(capsys):
    code, out, _ = run(capsys, "query", "--list")
    assert code == 0
    for name in ("equivalence_map", "drug_risks", "efficiency_gaps", "disanalogies"):
        assert name in out


def test_shipped_query_runs_and_binds_a_curie(capsys):
    code, out, _ = run(capsys, "query", "drug_risks", "--param", "drug=bkg:MAOI", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and {r["drug"] for r in rows} == {"bkg:MAOI"}


def test_parameter_is_bound_as_a_term_not_pasted(capsys, tmp_path):
    q = write(tmp_path, "SELECT ?l WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = STR(?x)) }")
    evil = 'x") } } ; DROP ALL ; SELECT * { ?s ?p ?o FILTER("'
    code, out, err = run(capsys, "query", q, "--param", f"x={evil}", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == []


def test_invalid_iri_parameter_is_refused(capsys):
    code, _, err = run(capsys, "query", "equivalence_map", "--param", "mechanism=<http://a b>")
    assert code == 2 and "not a valid IRI" in err


def test_unknown_parameter_is_refused(capsys):
    code, _, err = run(capsys, "query", "equivalence_map", "--param", "nosuch=bkg:X")
    assert code == 2 and "no variable ?nosuch" in err


# -- bad input ---------------------------------------------------------------------------------------
def test_syntax_error_gives_line_and_column(capsys, tmp_path):
    q = write(tmp_path, "# comment\nSELECT ?s WHERE {\n  ?s ?p \n}\n")
    code, out, err = run(capsys, "query", q)
    assert code == 2
    assert "syntax error at line" in err and "column" in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX ex: <urn:ex:>\nDELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
])
def test_updates_are_refused(capsys, tmp_path, update):
    code, _, err = run(capsys, "query", write(tmp_path, update))
    assert code == 2 and "updates" in err


def test_service_and_from_are_refused(capsys, tmp_path):
    q1 = write(tmp_path, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "a.rq")
    q2 = write(tmp_path, "SELECT * FROM <http://example.org/g.ttl> WHERE { ?s ?p ?o }", "b.rq")
    q3 = write(tmp_path, "SELECT * FROM NAMED <https://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "c.rq")
    for q, word in ((q1, "SERVICE"), (q2, "FROM"), (q3, "FROM")):
        code, _, err = run(capsys, "query", q)
        assert code == 2 and word in err and "--allow-remote" in err


def test_no_outbound_connection_for_service_or_from(capsys, tmp_path, monkeypatch):
    """With every non-loopback socket connection made to raise, the queries are refused before any
    engine runs, so no connection is even attempted (the counter stays at zero)."""
    attempts = []
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError("outbound connection blocked by test")
        return real_connect(self, address)

    def guarded_create_connection(address, *a, **k):
        attempts.append(address)
        raise OSError("outbound connection blocked by test")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    for text in ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                 "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
                 "SELECT * FROM <http://example.org/g.ttl> WHERE { ?s ?p ?o }",
                 "ASK FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }"):
        code, _, _ = run(capsys, "query", write(tmp_path, text))
        assert code == 2
    assert attempts == []


def test_timeout_kills_a_runaway_query(capsys, tmp_path):
    q = write(tmp_path, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    t0 = time.monotonic()
    code, _, err = run(capsys, "query", q, "--timeout", "1")
    assert code == 2 and "wall-clock limit" in err
    assert time.monotonic() - t0 < 20
    import multiprocessing
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]


def test_row_cap_is_reported(capsys, tmp_path):
    q = write(tmp_path, "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    code, out, err = run(capsys, "query", q, "--max-rows", "3", "--format", "csv")
    assert code == 0
    assert len(out.strip().splitlines()) == 1 + 3
    assert "row cap reached" in err


def test_endpoint_down_is_a_clear_error(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    code, out, err = run(capsys, "query", "equivalence_map", "--endpoint", f"http://127.0.0.1:{port}/query")
    assert code == 2
    assert f"127.0.0.1:{port}" in err and "unreachable" in err
    assert "Traceback" not in err + out


class _Handler(http.server.BaseHTTPRequestHandler):
    mode = "garbage"
    calls = 0

    def do_POST(self):  # noqa: N802
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "garbage":
            body = b"<html>not sparql</html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
        elif self.mode == "503":
            body = b"busy"
            self.send_response(503)
        elif self.mode == "slow":
            time.sleep(3)
            body = b"{}"
            self.send_response(200)
        else:  # "400"
            body = b"bad"
            self.send_response(400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up (the timeout test)
            pass

    def log_message(self, *a):
        pass


@pytest.fixture
def fake_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_endpoint_answering_garbage(capsys, fake_endpoint):
    server, url = fake_endpoint
    _Handler.mode = "garbage"
    code, _, err = run(capsys, "query", "equivalence_map", "--endpoint", url)
    assert code == 2 and url in err and "not a SPARQL result" in err


def test_endpoint_retries_503_then_fails(fake_endpoint):
    from kg.errors import KGError
    from kg.remote import RemoteGraph
    server, url = fake_endpoint
    _Handler.mode, _Handler.calls = "503", 0
    with pytest.raises(KGError, match="HTTP 503"):
        RemoteGraph(url, retries=2, backoff=0.01).select("SELECT * WHERE { ?s ?p ?o }")
    assert _Handler.calls == 3
    _Handler.mode, _Handler.calls = "400", 0
    with pytest.raises(KGError):
        RemoteGraph(url, retries=2, backoff=0.01).select("SELECT * WHERE { ?s ?p ?o }")
    assert _Handler.calls == 1  # no retry on a client error


def test_slow_endpoint_times_out(capsys, fake_endpoint):
    server, url = fake_endpoint
    _Handler.mode = "slow"
    code, _, err = run(capsys, "query", "equivalence_map", "--endpoint", url, "--timeout", "1")
    assert code == 2 and url in err and "did not answer" in err


def test_extra_with_endpoint_is_refused(capsys, tmp_path):
    extra = write(tmp_path, "", "x.ttl")
    code, _, err = run(capsys, "query", "equivalence_map", "--endpoint", "http://127.0.0.1:9/q", "--extra", extra)
    assert code == 2 and "--extra" in err


def test_publish_needs_both_credentials(capsys, monkeypatch):
    monkeypatch.setenv("BIONN_KG_USER", "someone")
    monkeypatch.delenv("BIONN_KG_PASSWORD", raising=False)
    code, _, err = run(capsys, "publish", "--endpoint", "http://127.0.0.1:9/store")
    assert code == 2 and "BIONN_KG_PASSWORD" in err


@pytest.mark.server
@pytest.mark.slow
def test_publish_then_query_roundtrip_on_oxigraph(tmp_path, capsys):
    """publish (Graph Store PUT) into a writable Oxigraph server, then query it remotely."""
    import subprocess

    import servers
    from kg.server import find_oxigraph
    try:
        exe = find_oxigraph()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(str(exc))
    port = servers.free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        servers.wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, 30)
        code, out, err = run(capsys, "publish", "--endpoint", f"http://127.0.0.1:{port}/store")
        assert code == 0, err
        code, out, err = run(capsys, "query", "drug_risks", "--param", "drug=bkg:MAOI", "--format", "json",
                             "--endpoint", f"http://127.0.0.1:{port}/query")
        assert code == 0, err
        remote = json.loads(out)
        code, out, _ = run(capsys, "query", "drug_risks", "--param", "drug=bkg:MAOI", "--format", "json")
        assert remote == json.loads(out)
    finally:
        servers.stop(proc)
