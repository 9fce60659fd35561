"""Putting the graph into real SPARQL servers: ``serve`` (Oxigraph, read-only) and ``publish`` (GSP).

Why: when one machine is not enough or other tools share the store, the graph must live in a real
SPARQL server, not a home-made one. ``serve`` uses the Oxigraph CLI from the ``oxigraph`` PyPI package
and binds to 127.0.0.1 only. ``publish`` uploads with the SPARQL 1.1 Graph Store HTTP protocol, which
every SPARQL 1.1 store implements; credentials are read from the environment, never from argv.
"""
from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .staging import pid_alive  # one liveness check for our temporaries
from .errors import KGError

__all__ = ["find_oxigraph", "dump_ntriples", "serve_graph", "publish_graph", "MARKER"]

MARKER = ".bionn-kg-store"


def find_oxigraph() -> str:
    """Path of the ``oxigraph`` CLI (next to the Python interpreter, or on PATH)."""
    here = Path(sys.executable).with_name("oxigraph")
    if here.is_file():
        return str(here)
    found = shutil.which("oxigraph")
    if not found:
        raise KGError("the `oxigraph` command is not installed",
                      hint="pip install 'oxigraph>=0.5,<0.6' (it is a dependency of bionn-kg)")
    return found


def dump_ntriples(graph, path: Path) -> int:
    """Write the graph's default graph as N-Triples; returns the number of triples."""
    import pyoxigraph as ox
    graph.store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return len(graph.store)


_TMP_PREFIX = "bionn-kg-store-"
MAX_REQUEST_BYTES = 1_000_000
MAX_CONCURRENT_QUERIES = 8
DEFAULT_SERVE_MAX_MEMORY_MB = 4096


def clean_stale_temporaries(tmpdir: str | None = None) -> list[Path]:
    """Remove ``bionn-kg-store-<pid>-*`` directories left by a ``serve`` that was killed (its pid is gone).

    Only our own directories (our prefix, our user, a dead pid) are touched. Returns what was removed.
    """
    removed = []
    base = Path(tmpdir or tempfile.gettempdir())
    try:
        entries = list(base.glob(_TMP_PREFIX + "*"))
    except OSError:
        return removed
    for d in entries:
        parts = d.name[len(_TMP_PREFIX):].split("-", 1)
        if len(parts) != 2 or not parts[0].isdigit():
            continue
        try:
            st = d.lstat()
        except OSError:
            continue
        if st.st_uid != os.getuid() or d.is_symlink() or not d.is_dir():
            continue
        if pid_alive(int(parts[0])):
            continue
        shutil.rmtree(d, ignore_errors=True)
        Path(str(d) + ".load.nt").unlink(missing_ok=True)
        removed.append(d)
    return removed


def _add_release_annotations(graph) -> None:
    """Serve what the release holds: obo:IAO_0000115 beside skos:definition, for OBO tools such as runoak."""
    import pyoxigraph as ox

    from .release import derived_triples
    graph.store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in derived_triples(graph)])


def _prepare_location(location: str | None) -> tuple[Path, bool]:
    if location is None:
        clean_stale_temporaries()
        return Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-")), True
    loc = Path(location)
    if loc.is_symlink():
        raise KGError(f"--location {loc} is a symbolic link; refusing to write the store through it",
                      hint="give the real directory path, or a new directory")
    try:
        if loc.exists():
            if not loc.is_dir():
                raise KGError(f"--location {loc} exists and is not a directory",
                              hint="give an empty or new directory to --location")
            if any(loc.iterdir()):
                if not (loc / MARKER).is_file():
                    raise KGError(f"{loc} exists and was not created by bionn-kg serve",
                                  hint="give an empty or new directory to --location")
                shutil.rmtree(loc)  # a store we made before: rebuild it from the current graph
        loc.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KGError(f"--location {loc}: {exc.strerror or exc}",
                      hint="give a directory you can write to") from None
    return loc, False


def _child_setup(max_memory_mb: int | None):  # pragma: no cover - runs in the child between fork and exec
    """Die with the parent (PR_SET_PDEATHSIG) and cap the address space (RLIMIT_AS)."""
    def setup() -> None:
        if sys.platform.startswith("linux"):
            try:
                import ctypes
                ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
            except (OSError, AttributeError):
                pass
        if max_memory_mb:
            try:
                import resource
                resource.setrlimit(resource.RLIMIT_AS, (max_memory_mb * 1024 * 1024, resource.RLIM_INFINITY))
            except (ValueError, OSError, ImportError):
                pass
    return setup


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Upstream:
    """The Oxigraph server process behind the guard, restarted when a query must be stopped.

    Oxigraph's own ``--timeout-s`` is not enough (a COUNT over a cross product ran 20 s under a 2 s
    limit, an ORDER BY over one never stopped), and it cannot cancel one query from outside: so a query
    past its limit, or a crash (an allocation past ``max_memory_mb`` aborts the process), restarts the
    whole read-only server, which takes about a second. Queries in flight at that moment get HTTP 502,
    which clients retry.
    """

    def __init__(self, exe: str, store_dir: Path, log: Path, query_timeout: float, max_memory_mb: int | None):
        import threading
        self.exe, self.store_dir, self.log = exe, store_dir, log
        self.query_timeout, self.max_memory_mb = query_timeout, max_memory_mb
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.wanted = -1
        self.generation = 0
        self.restarts = 0
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self._start()

    def _start(self) -> None:
        import socket
        import time
        self.port = _free_port()
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.exe, "serve-read-only", "--location", str(self.store_dir), "--bind",
                 f"127.0.0.1:{self.port}", "--timeout-s", str(max(1, round(self.query_timeout)))],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env,
                preexec_fn=_child_setup(self.max_memory_mb))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-1:]
                raise KGError(f"the Oxigraph server exited with code {self.proc.returncode}"
                              + (f": {tail[0][:300]}" if tail else ""))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise KGError("the Oxigraph server did not start within 60 s")

    def current(self) -> tuple[int, int]:
        with self.lock:
            return self.generation, self.port

    def request_restart(self, generation: int) -> None:
        """Ask the main thread to restart the server (a thread that forks it would take it down when
        it ends: PR_SET_PDEATHSIG follows the forking thread, so only the main thread restarts)."""
        with self.lock:
            if generation == self.generation:
                self.wanted = generation
        self.wake.set()

    def restart_if_needed(self) -> None:
        """In the main thread: restart when asked to, or when the server died."""
        self.wake.clear()
        with self.lock:
            if self.wanted != self.generation and self.proc is not None and self.proc.poll() is None:
                return
            self.generation += 1  # first: a request cut by the kill below sees it and retries
            self.restarts += 1
            self.stop()
            self._start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _bind(port: int):
    """The guard's listening server on 127.0.0.1:port, or a one-line KGError if the port is taken."""
    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    try:
        return Server(("127.0.0.1", port), _GuardHandler)
    except OSError as exc:
        raise KGError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})",
                      hint="is another server using this port? choose another with --port") from None


def _query_text(method: str, path: str, headers, body: bytes) -> str | None:
    """The SPARQL query of a protocol request (GET ?query=, POST form or application/sparql-query)."""
    import urllib.parse
    parts = urllib.parse.urlsplit(path)
    found = [v for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k == "query"]
    if method == "POST":
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        text = body.decode("utf-8", "replace")
        if ctype == "application/x-www-form-urlencoded":
            found += [v for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True) if k == "query"]
        elif ctype == "application/sparql-query":
            found.append(text)
    return "\n".join(found) if found else None


class _GuardHandler(http.server.BaseHTTPRequestHandler):
    """Forwards read requests to the Oxigraph server; refuses SERVICE, writes and oversized requests;
    stops (by restarting the server) a query that runs past its limit, whether or not its client stayed."""

    upstream: _Upstream | None = None
    query_timeout: float = 30.0
    slots = None  # a threading.BoundedSemaphore, set by serve_graph
    protocol_version = "HTTP/1.0"
    server_version = "bionn-kg-serve"

    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal shows only our own lines
        pass

    def _refuse(self, code: int, message: str, extra: dict | None = None) -> None:
        data = (message + "\n").encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self._forward(b"")

    def do_GET(self):
        self._forward(b"")

    def do_POST(self):
        length = self.headers.get("Content-Length")
        if not length or not length.isdigit():
            return self._refuse(411, "a POST needs a Content-Length")
        if int(length) > MAX_REQUEST_BYTES:
            return self._refuse(413, f"request over {MAX_REQUEST_BYTES} bytes refused")
        body = self.rfile.read(int(length))
        if not self.path.split("?")[0].rstrip("/").endswith("/query"):
            return self._refuse(403, "this server is read-only: only SPARQL queries are accepted")
        self._forward(body)

    def do_PUT(self):
        self._refuse(403, "this server is read-only")

    do_DELETE = do_PATCH = do_PUT

    def _forward(self, body: bytes) -> None:
        import http.client
        import socket
        import threading

        from .sparql_safety import mentions_service

        text = _query_text(self.command, self.path, self.headers, body)
        if text is not None and mentions_service(text):
            return self._refuse(403, "SERVICE is refused by bionn-kg serve: it would make the server fetch "
                                     "a URL for its client")
        if not self.slots.acquire(blocking=False):
            return self._refuse(503, "too many queries at once; retry shortly", {"Retry-After": "1"})
        try:
            for _ in range(3):  # a restart caused by another query: try again on the new server
                if self._attempt(body) != "retry":
                    break
                time.sleep(0.2)
            else:
                self._refuse(502, "the server is restarting; retry shortly", {"Retry-After": "1"})
        except OSError:
            pass
        finally:
            self.slots.release()

    def _attempt(self, body: bytes) -> str:
        """One forward to the current server: "done", or "retry" when it was restarted under us."""
        import http.client
        import socket
        import threading

        generation, port = self.upstream.current()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.query_timeout + 5)
        expired = threading.Event()

        def _expire() -> None:  # the wall-clock limit of this request, answer streaming included
            expired.set()
            if conn.sock is not None:
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        timer = threading.Timer(self.query_timeout, _expire)
        timer.daemon = True
        timer.start()
        started = False
        try:
            self.connection.settimeout(self.query_timeout)  # a client that does not read is dropped too
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("content-type", "accept", "accept-encoding", "user-agent")}
            conn.request(self.command, self.path, body=body if self.command == "POST" else None,
                         headers=headers)
            resp = conn.getresponse()
            self.send_response(resp.status, resp.reason)
            started = True
            for k, v in resp.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "keep-alive", "server", "date"):
                    self.send_header(k, v)
            self.end_headers()
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    break
                self.wfile.write(chunk)
            return "done"
        except (OSError, http.client.HTTPException):
            pass  # a client that left, the time limit, or a server that crashed or was restarted
        finally:
            timer.cancel()
            conn.close()
        if not expired.is_set() and self.upstream.current()[0] != generation:
            return "done" if started else "retry"  # another query's restart cut this one
        if expired.is_set() or self.upstream.proc.poll() is not None:
            # stop the query where it runs (its client may be gone): restart the server
            self.upstream.request_restart(generation)
            if not started:
                self._refuse(503 if expired.is_set() else 502,
                             f"the query was stopped after the {self.query_timeout:g} s limit" if expired.is_set()
                             else "the query was stopped: the server ran out of memory")
        return "done"


def serve_graph(location: str | None, port: int, extra: Iterable[str] = (), *,
                query_timeout: float | None = None, max_memory_mb: int | None = None) -> int:
    """Load the graph into an Oxigraph store directory and serve it read-only on 127.0.0.1:``port``.

    The Oxigraph server listens on a private loopback port; clients talk to a small guard in front of it
    that refuses SERVICE (Oxigraph would fetch the URL for the client), writes and requests over 1 MB,
    runs at most 8 queries at once (HTTP 503 beyond) and stops any query after ``query_timeout``
    seconds (default 30), whether or not its client is still there, by restarting the server process
    (see :class:`_Upstream`). The server's address space is capped at ``max_memory_mb`` (default 4096).
    """
    import threading
    import time

    import click

    from .graph import load_graph
    from .limits import DEFAULT_SERVE_QUERY_TIMEOUT, check_seconds

    qt = DEFAULT_SERVE_QUERY_TIMEOUT if query_timeout is None else check_seconds(query_timeout,
                                                                                  "--query-timeout")
    mem = DEFAULT_SERVE_MAX_MEMORY_MB if max_memory_mb is None else int(max_memory_mb)
    exe = find_oxigraph()
    guard = _bind(port)  # fail fast, before loading anything, when the port is taken
    try:
        graph = load_graph(extra)
        _add_release_annotations(graph)  # IAO definitions, as in the release
        loc, temporary = _prepare_location(location)
    except BaseException:
        guard.server_close()
        raise
    upstream = None
    try:
        nt = loc.parent / f"{loc.name}.load.nt"
        try:
            n = dump_ntriples(graph, nt)
            store_dir = loc / "store"
            proc = subprocess.run([exe, "load", "--location", str(store_dir), "--file", str(nt)],
                                  capture_output=True, text=True)
        finally:
            nt.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise KGError(f"`oxigraph load` failed: {proc.stderr.strip()[:500]}")
        (loc / MARKER).write_text("store directory written by `bionn-kg serve`\n")
        del graph
        upstream = _Upstream(exe, store_dir, loc / "oxigraph.log", qt, mem)
        guard.RequestHandlerClass = type("Handler", (_GuardHandler,), {
            "upstream": upstream, "query_timeout": qt,
            "slots": threading.BoundedSemaphore(MAX_CONCURRENT_QUERIES)})
        thread = threading.Thread(target=guard.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        click.echo(f"serving {n} triples read-only at http://127.0.0.1:{port}/query (store {store_dir}; "
                   f"queries stopped after {qt:g} s or {mem} MB; SERVICE refused); Ctrl-C stops", err=True)
        stopping = threading.Event()

        def _stop(signum, frame):  # noqa: ARG001
            stopping.set()
            upstream.wake.set()
        old = signal.signal(signal.SIGTERM, _stop)
        try:
            while not stopping.is_set():
                upstream.wake.wait(0.5)
                upstream.restart_if_needed()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, old)
            guard.shutdown()
        return 0
    finally:
        guard.server_close()
        if upstream is not None:
            upstream.stop()
        if temporary:
            shutil.rmtree(loc, ignore_errors=True)


def publish_graph(endpoint: str, graph_iri: str | None, extra: Iterable[str] = (), *, append: bool = False,
                  auth: str = "auto", timeout: float = 120.0) -> int:
    """Upload the graph with the Graph Store protocol (PUT replaces, POST appends). Returns triples sent.

    Credentials: ``BIONN_KG_USER`` / ``BIONN_KG_PASSWORD`` from the environment (digest or basic, as
    the server asks; ``auth`` forces one). Basic credentials are never sent over plain http to a
    non-loopback host.
    """
    import urllib.error
    import urllib.request

    import pyoxigraph as ox

    from .graph import load_graph

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KGError(f"endpoint {endpoint!r} is not an http(s) URL")
    if graph_iri is not None:
        try:
            ox.NamedNode(graph_iri)
        except ValueError as exc:
            raise KGError(f"--graph {graph_iri!r} is not a valid IRI ({exc})") from None
    graph = load_graph(extra)
    body = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    n = len(graph.store)
    query = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = urllib.parse.urlunsplit(parts._replace(query=(parts.query + "&" if parts.query else "") + query))

    user = os.environ.get("BIONN_KG_USER")
    password = os.environ.get("BIONN_KG_PASSWORD")
    handlers: list = []
    if user is not None and password is not None:
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        pm = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        pm.add_password(None, endpoint, user, password)
        if auth in ("auto", "digest"):
            handlers.append(urllib.request.HTTPDigestAuthHandler(pm))
        if auth in ("auto", "basic"):
            if parts.scheme == "http" and not loopback:
                if auth == "basic":
                    raise KGError("refusing to send basic-auth credentials over plain http to a remote host",
                                  hint="use https, or digest authentication")
            else:
                handlers.append(urllib.request.HTTPBasicAuthHandler(pm))
    elif user is not None or password is not None:
        raise KGError("set both BIONN_KG_USER and BIONN_KG_PASSWORD (or neither)")
    opener = urllib.request.build_opener(*handlers)
    req = urllib.request.Request(url, data=body, method="POST" if append else "PUT",
                                 headers={"Content-Type": "text/turtle; charset=utf-8"})
    import http.client
    import threading

    from .limits import check_seconds
    timeout = check_seconds(timeout)
    outcome: list[BaseException | None] = []

    def upload() -> None:
        try:
            with opener.open(req, timeout=timeout) as resp:
                got = resp.read(1_000_000)
                if resp.length and len(got) < 1_000_000:  # fewer bytes than Content-Length announced
                    raise http.client.IncompleteRead(got, resp.length)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            outcome.append(exc)

    # urllib's timeout is per socket operation: a server answering one byte per second never trips it.
    # The upload runs in a daemon thread and the caller waits at most `timeout` seconds (wall clock).
    worker = threading.Thread(target=upload, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or not outcome:
        raise KGError(f"endpoint {endpoint} did not finish the upload within {timeout:g} s (wall clock)",
                      hint="the upload may not have completed: check the store; raise --timeout for a slow store")
    try:
        if outcome[0] is not None:
            raise outcome[0]
    except urllib.error.HTTPError as exc:
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException):
            detail = ""
        hint = "set BIONN_KG_USER and BIONN_KG_PASSWORD" if exc.code in (401, 403) else None
        raise KGError(f"endpoint {endpoint} answered HTTP {exc.code} {exc.reason}: {detail}", hint=hint) from None
    except urllib.error.URLError as exc:
        raise KGError(f"endpoint {endpoint} is unreachable ({exc.reason})") from None
    except http.client.HTTPException as exc:
        raise KGError(f"endpoint {endpoint} sent a broken or truncated HTTP answer ({type(exc).__name__})",
                      hint="the upload may not have completed: check the store, then publish again") from None
    except (TimeoutError, OSError) as exc:
        raise KGError(f"endpoint {endpoint} failed: {exc}") from None
    return n
