"""A SPARQL 1.1 endpoint as a graph: the same ``select``/``select_named`` interface as the embedded store.

Why: when the graph lives in a shared triple store (Oxigraph server, Virtuoso, ...), the engine and the
``query`` command must read it there and get the same typed row values as from
:class:`kg.graph.KnowledgeGraph`. Requests are POSTed
(long queries get HTTP 414 with GET), with retries on 429/502/503/504 only;
every failure becomes a :class:`~kg.errors.KGError` that names the endpoint, with no traceback.

Every call is bounded: ``timeout`` is a wall-clock limit for the whole call (connection, a server
that sends one byte per second, retries and their waits included: a timer shuts the socket down when it
is reached); the answer is read in chunks and cut off at ``max_bytes`` (default 64 MiB,
``BIONN_KG_REMOTE_MAX_BYTES``) before it is parsed; ``Retry-After`` is honoured up to 10 s and never
past the deadline; a truncated answer is an error, not a traceback. The request is plain SPARQL 1.1
protocol (POST, form-encoded), sent with the standard library.

Parameters are bound by a ``VALUES`` block built from rdflib terms' ``.n3()``
(:func:`kg.sparql_safety.bind_values`), never by pasting user text into the query.

Example
-------
>>> from kg.remote import open_graph
>>> open_graph(None).__class__.__name__
'KnowledgeGraph'
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import KGError
from .query_exec import Result
from .sparql_terms import Cell, from_json, from_rdflib, to_python

__all__ = ["RemoteGraph", "open_graph", "RETRY_STATUS", "to_rdflib_term"]

RETRY_STATUS = frozenset({429, 502, 503, 504})


def to_rdflib_term(value: Any):
    """An rdflib term for a binding value: an rdflib/pyoxigraph term, an IRI string or a Python value."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef
    from rdflib.term import Identifier

    if isinstance(value, Identifier):
        return value
    if isinstance(value, ox.NamedNode):
        return URIRef(ox.NamedNode(value.value).value)
    if isinstance(value, ox.Literal):
        if value.language:
            return Literal(value.value, lang=value.language)
        return Literal(value.value, datatype=URIRef(value.datatype.value))
    if isinstance(value, ox.BlankNode):
        raise KGError("a blank node cannot be bound as a query parameter")
    if isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
        try:
            ox.NamedNode(value)  # strict IRI validation
        except ValueError as exc:
            raise KGError(f"{value!r} is not a valid IRI ({exc})") from None
        return URIRef(value)
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, (int, float)):
        return Literal(value)
    return Literal(str(value))


class RemoteGraph:
    """A read-only SPARQL endpoint that answers like :class:`kg.graph.KnowledgeGraph`.

    Parameters
    ----------
    endpoint : str
        The query URL (``http://127.0.0.1:7878/query``, ``http://host:8890/sparql``). A
        ``default-graph-uri`` in its query string is sent as the protocol's default graph.
    default_graph : str, optional
        The graph holding the knowledge graph (Virtuoso's default graph is the union of all graphs,
        including its system graphs, so name the graph there).
    timeout : float, optional
        Wall-clock seconds for one call, retries included (default ``BIONN_KG_REMOTE_TIMEOUT``, 30).
    retries : int
        Attempts after the first one, for HTTP 429/502/503/504 only.
    max_bytes : int, optional
        Largest answer read (default ``BIONN_KG_REMOTE_MAX_BYTES``, 64 MiB); a bigger one is cut off.
    """

    def __init__(self, endpoint: str, *, default_graph: str | None = None, timeout: float | None = None,
                 retries: int = 3, backoff: float = 0.5, allow_remote: bool = False,
                 max_bytes: int | None = None):
        from .limits import check_seconds, remote_max_bytes, remote_timeout
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KGError(f"endpoint {endpoint!r} is not an http(s) URL",
                          hint="give the SPARQL query URL, e.g. http://127.0.0.1:7878/query")
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        graphs = [v for k, v in query if k == "default-graph-uri"]
        rest = [(k, v) for k, v in query if k != "default-graph-uri"]
        self.endpoint = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(rest)))
        self.default_graphs = ([default_graph] if default_graph else []) + graphs
        self.timeout = remote_timeout() if timeout is None else check_seconds(timeout, "timeout")
        self.max_bytes = remote_max_bytes() if max_bytes is None else int(max_bytes)
        self.retries = retries
        self.backoff = backoff
        self.allow_remote = allow_remote
        self.files: list[Path] = []
        self.extra_files: list[Path] = []

    def __repr__(self) -> str:
        return f"RemoteGraph({self.endpoint!r})"

    # -- the KnowledgeGraph interface ---------------------------------------------------------
    def select(self, text: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query; rows as dicts of plain Python values (IRIs as strings)."""
        res = self.run(text, bindings)
        return [{c: to_python(v) for c, v in zip(res.columns, row)} for row in res.rows]

    def select_named(self, name: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a shipped query from ``queries/`` by name (``features/structural``)."""
        from .queries import load_query
        return self.select(load_query(name).text, bindings)

    def ask(self, text: str, bindings: Mapping[str, Any] | None = None) -> bool:
        res = self.run(text, bindings)
        return bool(res.rows and to_python(res.rows[0][0]))

    @staticmethod
    def curie(iri: str) -> str:
        from .graph import KnowledgeGraph
        return KnowledgeGraph.curie(iri)

    def __len__(self) -> int:
        res = self.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(to_python(res.rows[0][0])) if res.rows else 0

    # -- running -----------------------------------------------------------------------------
    def prepare(self, text: str, bindings: Mapping[str, Any] | None = None) -> tuple[str, str]:
        """Check ``text`` and bind ``bindings``: the query form and the text to send."""
        from .sparql_safety import add_missing_prefixes, bind_values, inspect_query
        text, _ = add_missing_prefixes(text)
        info = inspect_query(text, allow_remote=self.allow_remote)
        terms = {k: to_rdflib_term(v).n3() for k, v in (bindings or {}).items()}
        return info.form, bind_values(text, info.form, terms)

    def run(self, text: str, bindings: Mapping[str, Any] | None = None, *,
            max_rows: int | None = None) -> Result:
        """Run any read query; a :class:`~kg.query_exec.Result` of cells."""
        form, text = self.prepare(text, bindings)
        return self.run_prepared(form, text, max_rows=max_rows)

    def run_prepared(self, form: str, text: str, *, max_rows: int | None = None) -> Result:
        import json
        import time

        from .limits import RETRY_AFTER_CAP

        where = f"endpoint {self.endpoint}"
        accept = ("application/sparql-results+json" if form in ("select", "ask")
                  else "text/turtle, application/n-triples;q=0.9")
        body = urllib.parse.urlencode([("query", text)] +
                                      [("default-graph-uri", g) for g in self.default_graphs]).encode("utf-8")
        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            status, reason, headers, data = _post(self.endpoint, body, accept, deadline, self.max_bytes,
                                                  self.timeout, where)
            if status in RETRY_STATUS and attempt < self.retries:
                delay = self.backoff * (2 ** attempt)
                ra = headers.get("Retry-After", "").strip()
                if ra.isdigit():
                    delay = max(delay, float(ra))
                delay = min(delay, RETRY_AFTER_CAP)
                if time.monotonic() + delay >= deadline:
                    raise KGError(f"{where} answered HTTP {status} {reason} and asked to retry later; "
                                  f"the {self.timeout:g} s limit does not leave time for it",
                                  hint=_TIMEOUT_HINT)
                time.sleep(delay)
                attempt += 1
                continue
            break
        if status != 200:
            detail = _short(data.decode("utf-8", "replace")) if data else ""
            detail = f": {detail}" if detail else ""
            if status == 400:
                raise KGError(f"{where} rejected the query as malformed (HTTP 400){detail}")
            if status == 404:
                raise KGError(f"{where} answered 404 Not Found",
                              hint="check the URL (Oxigraph: /query, Virtuoso: /sparql)")
            if status in (401, 403):
                raise KGError(f"{where} answered {status} {'Unauthorized' if status == 401 else 'Forbidden'}"
                              f"{detail}")
            if status >= 500:
                raise KGError(f"{where} failed with an internal error (HTTP {status} {reason}){detail}",
                              hint="retried" if status in RETRY_STATUS else None)
            raise KGError(f"{where} answered HTTP {status} {reason}{detail}")
        notes = []
        cap = headers.get("X-SPARQL-MaxRows")
        if cap:
            notes.append(f"the endpoint capped the results at {cap} rows (X-SPARQL-MaxRows)")
        try:
            if form in ("select", "ask"):
                result = _from_json_results(json.loads(data.decode("utf-8")), form, max_rows)
            else:
                result = _from_turtle(data, max_rows)
        except KGError:
            raise
        except MemoryError:
            raise KGError(f"{where}: out of memory reading a {len(data)}-byte answer",
                          hint="add a LIMIT, or lower BIONN_KG_REMOTE_MAX_BYTES") from None
        except Exception as exc:  # noqa: BLE001 - garbage of any shape
            ctype = headers.get("Content-Type", "?")
            raise KGError(f"{where} answered something that is not a SPARQL result "
                          f"({type(exc).__name__}; Content-Type {ctype})",
                          hint="is this URL a SPARQL query endpoint?") from None
        result.notes.extend(notes)
        return result


_TIMEOUT_HINT = ("the server is slow or the query too heavy; raise the limit with `query --timeout` "
                 "or the BIONN_KG_REMOTE_TIMEOUT environment variable (every command)")


def _post(url: str, body: bytes, accept: str, deadline: float, max_bytes: int, timeout: float,
          where: str, redirects: int = 3) -> tuple[int, str, Any, bytes]:
    """POST ``body`` to ``url``; (status, reason, headers, body) with a wall-clock deadline and a byte cap.

    A timer shuts the socket down at the deadline, so neither a slow connection nor a server that
    sends one byte per second can hold the call longer. The body is read in chunks and refused past
    ``max_bytes`` (a Content-Length above it is refused before reading).
    """
    import http.client
    import socket
    import threading
    import time

    parts = urllib.parse.urlsplit(url)
    for _ in range(redirects + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise KGError(f"{where} did not answer within {timeout:g} s", hint=_TIMEOUT_HINT)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        try:
            conn = cls(parts.hostname, parts.port, timeout=remaining)
        except (ValueError, http.client.InvalidURL) as exc:
            raise KGError(f"{where}: invalid URL ({exc})") from None
        expired = threading.Event()

        def _expire(conn=conn, expired=expired) -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        timer = threading.Timer(remaining, _expire)
        timer.daemon = True
        timer.start()
        try:
            path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
            conn.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
                "User-Agent": "bionn-kg"})
            resp = conn.getresponse()
            status, reason, headers = resp.status, resp.reason, resp.headers
            location = headers.get("Location")
            if status in (301, 302, 303, 307, 308) and location:
                new = urllib.parse.urlsplit(urllib.parse.urljoin(url, location))
                if new.scheme not in ("http", "https"):
                    raise KGError(f"{where} redirects to a non-http URL {location!r}")
                url, parts = urllib.parse.urlunsplit(new), new
                continue
            cap = max_bytes if status == 200 else 4096
            length = headers.get("Content-Length")
            if status == 200 and length and length.isdigit() and int(length) > max_bytes:
                raise KGError(f"{where} announced a {int(length)}-byte answer, over the {max_bytes}-byte limit",
                              hint="add a LIMIT to the query, or raise BIONN_KG_REMOTE_MAX_BYTES")
            chunks: list[bytes] = []
            n = 0
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    break
                n += len(chunk)
                if n > cap:
                    if status != 200:
                        break
                    raise KGError(f"{where} sent more than the {max_bytes}-byte answer limit; the answer "
                                  "was cut off", hint="add a LIMIT to the query, or raise "
                                                      "BIONN_KG_REMOTE_MAX_BYTES")
                chunks.append(chunk)
                if expired.is_set():
                    break
            if expired.is_set():
                raise KGError(f"{where} did not answer within {timeout:g} s (wall clock)", hint=_TIMEOUT_HINT)
            if resp.length and n <= cap:  # fewer bytes than Content-Length announced: cut short
                raise http.client.IncompleteRead(b"".join(chunks), resp.length)
            return status, reason, headers, b"".join(chunks)
        except KGError:
            raise
        except http.client.IncompleteRead as exc:
            if expired.is_set():
                raise KGError(f"{where} did not answer within {timeout:g} s (wall clock)",
                              hint=_TIMEOUT_HINT) from None
            raise KGError(f"{where} closed the connection in the middle of the answer "
                          f"({len(exc.partial)} bytes received)",
                          hint="the server or a proxy cut the answer short; try again or add a LIMIT") from None
        except (http.client.HTTPException, OSError) as exc:
            if expired.is_set() or isinstance(exc, (TimeoutError, socket.timeout)):
                raise KGError(f"{where} did not answer within {timeout:g} s (wall clock)",
                              hint=_TIMEOUT_HINT) from None
            if isinstance(exc, http.client.HTTPException):
                raise KGError(f"{where} sent a broken HTTP answer ({type(exc).__name__}: {_short(exc)})",
                              hint="is this URL a SPARQL query endpoint?") from None
            raise KGError(f"{where} is unreachable ({exc.strerror or exc})",
                          hint="is the server running? `bionn-kg serve` starts one") from None
        finally:
            timer.cancel()
            conn.close()
    raise KGError(f"{where} redirected more than {redirects} times")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


def _from_json_results(data: Any, form: str, max_rows: int | None) -> Result:
    if form == "ask":
        if not isinstance(data.get("boolean"), bool):
            raise ValueError("no boolean in an ASK result")
        return Result("ask", ["ask"], [[Cell("literal", "true" if data["boolean"] else "false",
                                            "http://www.w3.org/2001/XMLSchema#boolean")]])
    cols = list(data["head"]["vars"])
    bindings = data["results"]["bindings"]
    if not isinstance(bindings, list):
        raise ValueError("bindings is not a list")
    out = Result("select", cols)
    for b in bindings:
        if max_rows is not None and len(out.rows) >= max_rows:
            out.truncated = True
            break
        out.rows.append([from_json(b.get(c)) for c in cols])
    return out


def _from_turtle(body: bytes, max_rows: int | None) -> Result:
    from rdflib import Graph
    g = Graph()
    g.parse(data=body, format="turtle")
    out = Result("construct", ["subject", "predicate", "object"])
    for s, p, o in g:
        if max_rows is not None and len(out.rows) >= max_rows:
            out.truncated = True
            break
        out.rows.append([from_rdflib(s), from_rdflib(p), from_rdflib(o)])
    return out


def open_graph(endpoint: str | None, extra: Iterable[str | Path] = (), *, timeout: float | None = None,
               default_graph: str | None = None):
    """The embedded graph (``endpoint`` None) or a :class:`RemoteGraph` for the endpoint.

    ``--extra`` files cannot be added to a remote graph: publish them to the store instead.
    """
    extra = list(extra)
    if endpoint is None:
        from .graph import load_graph
        return load_graph(extra)
    if extra:
        raise KGError("--extra cannot be combined with --endpoint (a remote graph is read-only here)",
                      hint="load your files into the store with `bionn-kg publish`, or drop --endpoint")
    return RemoteGraph(endpoint, default_graph=default_graph, timeout=timeout)
