"""Real SPARQL servers for tests: Oxigraph (read-only) and Virtuoso, on 127.0.0.1, owned by the test.

Each server gets its own database directory in a temporary directory, listens on loopback only on a
free port, and is stopped by its pid (SIGTERM, then SIGKILL). Nothing system-wide is touched: Virtuoso
runs from a copied ``virtuoso.ini`` whose database, log and lock files and ``DirsAllowed`` point into
the temporary directory, and its dba password is changed to a random one before any data is loaded.
"""
from __future__ import annotations

import configparser
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_GRAPH = "urn:bionn-kg:test"
# CI installs these (Debian 12): apt-get install -y virtuoso-opensource  (pulls virtuoso-opensource-7-bin)
VIRTUOSO_APT = ("virtuoso-opensource",)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a server we started, by its pid: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except urllib.error.HTTPError as exc:  # the server answers: it is up
            if exc.code < 500:
                return
            last = exc
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up in {timeout} s ({last})")


@dataclass
class Server:
    name: str
    endpoint: str
    proc: subprocess.Popen
    default_graph: str | None = None

    def stop(self) -> None:
        stop(self.proc)


def start_oxigraph(nt_file: Path, workdir: Path) -> Server:
    """``oxigraph load`` the N-Triples file, then ``oxigraph serve-read-only`` on 127.0.0.1."""
    from kg.server import find_oxigraph
    exe = find_oxigraph()
    store = workdir / "oxigraph-store"
    subprocess.run([exe, "load", "--location", str(store), "--file", str(nt_file)], check=True,
                   capture_output=True)
    port = free_port()
    log = workdir / "oxigraph.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([exe, "serve-read-only", "--location", str(store),
                                 "--bind", f"127.0.0.1:{port}"], stdout=fh, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}/query"
    try:
        wait_http(endpoint + "?query=ASK%7B%7D", proc, 30, log)
    except Exception:
        stop(proc)
        raise
    return Server("oxigraph", endpoint, proc)


def virtuoso_available() -> str | None:
    """None if Virtuoso can run here, else the reason."""
    for exe in ("virtuoso-t", "isql-vt"):
        if not shutil.which(exe):
            return f"{exe} not found (apt-get install -y {' '.join(VIRTUOSO_APT)})"
    if not VIRTUOSO_INI.is_file():
        return f"{VIRTUOSO_INI} not found"
    return None


def _isql(port: int, password: str, sql: str, timeout: float = 120) -> str:
    # The password goes on isql's command line: visible to local users for the seconds this runs, on
    # a loopback-only throwaway server; isql-vt has no other non-interactive way to take it.
    out = subprocess.run(["isql-vt", f"127.0.0.1:{port}", "dba", password, f"EXEC={sql}"],
                         capture_output=True, text=True, timeout=timeout)
    text = out.stdout + out.stderr
    if out.returncode != 0 or "*** Error" in text:  # isql-vt exits 0 on SQL errors: read its output
        raise RuntimeError(f"isql-vt failed on {sql[:80]!r}: {text[-1500:]}")
    return text


def start_virtuoso(nt_file: Path, workdir: Path) -> Server:
    """Virtuoso from a copied ini: own db dir, loopback listeners, random dba password, data loaded."""
    db = workdir / "virtuoso-db"
    db.mkdir(parents=True, exist_ok=True)
    shutil.copy(nt_file, db / "data.nt")
    cfg = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
    cfg.optionxform = str
    cfg.read(VIRTUOSO_INI)
    sql_port, http_port = free_port(), free_port()
    for key, name in (("DatabaseFile", "virtuoso.db"), ("ErrorLogFile", "virtuoso.log"),
                      ("LockFile", "virtuoso.lck"), ("TransactionFile", "virtuoso.trx"),
                      ("xa_persistent_file", "virtuoso.pxa")):
        cfg["Database"][key] = str(db / name)
    cfg["TempDatabase"]["DatabaseFile"] = str(db / "virtuoso-temp.db")
    cfg["TempDatabase"]["TransactionFile"] = str(db / "virtuoso-temp.trx")
    cfg["Parameters"]["ServerPort"] = f"127.0.0.1:{sql_port}"
    cfg["Parameters"]["DirsAllowed"] = f"., {db}, /usr/share/virtuoso-opensource-7/vad"
    cfg["Parameters"]["NumberOfBuffers"] = "20000"
    cfg["Parameters"]["MaxDirtyBuffers"] = "15000"
    cfg["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    if not cfg.has_section("SPARQL"):
        cfg.add_section("SPARQL")
    cfg["SPARQL"]["ResultSetMaxRows"] = "1000000"  # the Debian default (10,000) silently truncates
    if cfg.has_section("URIQA"):
        cfg["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    ini = db / "virtuoso.ini"
    with open(ini, "w") as fh:
        cfg.write(fh)
    log = db / "virtuoso.log"
    proc = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"], cwd=db,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_http(endpoint + "?query=ASK%7B%7D", proc, 90, log)
        password = "p" + secrets.token_hex(12)  # an SQL identifier: letters and digits only
        _isql(sql_port, "dba", f"SET PASSWORD dba {password};")
        path = str(db / "data.nt").replace("'", "''")
        _isql(sql_port, password,
              f"DB.DBA.TTLP_MT(file_to_string_output('{path}'), '', '{VIRTUOSO_GRAPH}', 0); checkpoint;")
    except Exception:
        stop(proc)
        raise
    return Server("virtuoso", endpoint, proc, default_graph=VIRTUOSO_GRAPH)
