"""Putting the graph into real SPARQL servers: ``serve`` (Oxigraph, read-only) and ``publish`` (GSP).

Why: when one machine is not enough or other tools share the store, the graph must live in a real
SPARQL server, not a home-made one. ``serve`` uses the Oxigraph CLI from the ``oxigraph`` PyPI package
and binds to 127.0.0.1 only. ``publish`` uploads with the SPARQL 1.1 Graph Store HTTP protocol, which
every SPARQL 1.1 store implements; credentials are read from the environment, never from argv.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

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


def _add_release_annotations(graph) -> None:
    """Serve what the release holds: obo:IAO_0000115 beside skos:definition, for OBO tools such as runoak."""
    import pyoxigraph as ox

    from .release import derived_triples
    graph.store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in derived_triples(graph)])


def _prepare_location(location: str | None) -> tuple[Path, bool]:
    if location is None:
        return Path(tempfile.mkdtemp(prefix="bionn-kg-store-")), True
    loc = Path(location)
    if loc.exists() and any(loc.iterdir()):
        if not (loc / MARKER).is_file():
            raise KGError(f"{loc} exists and was not created by bionn-kg serve",
                          hint="give an empty or new directory to --location")
        shutil.rmtree(loc)  # a store we made before: rebuild it from the current graph
    loc.mkdir(parents=True, exist_ok=True)
    return loc, False


def serve_graph(location: str | None, port: int, extra: Iterable[str] = ()) -> int:
    """Load the graph into an Oxigraph store directory and run the read-only server in the foreground."""
    import click

    from .graph import load_graph

    exe = find_oxigraph()
    graph = load_graph(extra)
    _add_release_annotations(graph)
    loc, temporary = _prepare_location(location)
    try:
        nt = loc.parent / f"{loc.name}.load.nt"
        n = dump_ntriples(graph, nt)
        store_dir = loc / "store"
        proc = subprocess.run([exe, "load", "--location", str(store_dir), "--file", str(nt)],
                              capture_output=True, text=True)
        nt.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise KGError(f"`oxigraph load` failed: {proc.stderr.strip()[:500]}")
        (loc / MARKER).write_text("store directory written by `bionn-kg serve`\n")
        url = f"http://127.0.0.1:{port}/query"
        click.echo(f"serving {n} triples read-only at {url} (store {store_dir}); Ctrl-C stops", err=True)
        server = subprocess.Popen([exe, "serve-read-only", "--location", str(store_dir),
                                   "--bind", f"127.0.0.1:{port}"])

        def _stop(signum, frame):  # noqa: ARG001
            server.terminate()
        old = signal.signal(signal.SIGTERM, _stop)
        try:
            rc = server.wait()
        except KeyboardInterrupt:
            server.terminate()
            rc = server.wait()
        finally:
            signal.signal(signal.SIGTERM, old)
        if rc not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise KGError(f"the Oxigraph server exited with code {rc}",
                          hint=f"is port {port} already in use? try --port")
        return 0
    finally:
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
    try:
        with opener.open(req, timeout=timeout) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        hint = "set BIONN_KG_USER and BIONN_KG_PASSWORD" if exc.code in (401, 403) else None
        raise KGError(f"endpoint {endpoint} answered HTTP {exc.code} {exc.reason}: {detail}", hint=hint) from None
    except urllib.error.URLError as exc:
        raise KGError(f"endpoint {endpoint} is unreachable ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise KGError(f"endpoint {endpoint} failed: {exc}") from None
    return n
