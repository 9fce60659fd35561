"""A SPARQL 1.1 endpoint as a graph: the same ``select``/``select_named`` interface as the embedded store.

Why: when the graph lives in a shared triple store (Oxigraph server, Virtuoso, ...), the engine and the
``query`` command must read it there and get the same typed row values as from
:class:`kg.graph.KnowledgeGraph`. Requests go through SPARQLWrapper with POST (long queries get HTTP
414 with GET), a timeout (SPARQLWrapper has none by default) and retries on 429/502/503/504 only;
every failure becomes a :class:`~kg.errors.KGError` that names the endpoint, with no traceback.

Parameters are bound by a ``VALUES`` block built from rdflib terms' ``.n3()``
(:func:`kg.sparql_safety.bind_values`), never by pasting user text into the query.

Example
-------
>>> from kg.remote import open_graph
>>> open_graph(None).__class__.__name__
'KnowledgeGraph'
"""
from __future__ import annotations

import time
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
    timeout : float
        Seconds per HTTP request.
    retries : int
        Attempts after the first one, for HTTP 429/502/503/504 only.
    """

    def __init__(self, endpoint: str, *, default_graph: str | None = None, timeout: float = 30.0,
                 retries: int = 3, backoff: float = 0.5, allow_remote: bool = False):
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KGError(f"endpoint {endpoint!r} is not an http(s) URL",
                          hint="give the SPARQL query URL, e.g. http://127.0.0.1:7878/query")
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        graphs = [v for k, v in query if k == "default-graph-uri"]
        rest = [(k, v) for k, v in query if k != "default-graph-uri"]
        self.endpoint = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(rest)))
        self.default_graphs = ([default_graph] if default_graph else []) + graphs
        self.timeout = timeout
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
        import socket
        import urllib.error

        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper import SPARQLExceptions as SE

        sw = SPARQLWrapper(self.endpoint)
        sw.setMethod(POST)
        sw.setTimeout(int(max(1, round(self.timeout))))
        sw.setReturnFormat(JSON if form in ("select", "ask") else TURTLE)
        for g in self.default_graphs:
            sw.addDefaultGraph(g)
        sw.setQuery(text)
        # SPARQLWrapper guesses the form with a regex that also reads comments ("# fix: add ..." looks
        # like an ADD update and would be sent as update=); our parser already knows the form.
        sw.queryType = form.upper()
        where = f"endpoint {self.endpoint}"
        attempt = 0
        while True:
            try:
                response = sw.query()
                body = response.response.read()
                headers = response.response.info()
                break
            except urllib.error.HTTPError as exc:
                if exc.code in RETRY_STATUS and attempt < self.retries:
                    delay = self.backoff * (2 ** attempt)
                    ra = exc.headers.get("Retry-After") if exc.headers else None
                    if ra and ra.isdigit():
                        delay = max(delay, min(float(ra), 30.0))
                    time.sleep(delay)
                    attempt += 1
                    continue
                raise KGError(f"{where} answered HTTP {exc.code} {exc.reason}",
                              hint="retried" if exc.code in RETRY_STATUS else None) from None
            except SE.QueryBadFormed as exc:
                raise KGError(f"{where} rejected the query as malformed: {_short(exc)}") from None
            except SE.EndPointNotFound:
                raise KGError(f"{where} answered 404 Not Found",
                              hint="check the URL (Oxigraph: /query, Virtuoso: /sparql)") from None
            except SE.Unauthorized:
                raise KGError(f"{where} answered 401 Unauthorized") from None
            except SE.EndPointInternalError as exc:
                raise KGError(f"{where} failed with an internal error: {_short(exc)}") from None
            except SE.SPARQLWrapperException as exc:
                raise KGError(f"{where} refused the request: {_short(exc)}") from None
            except (TimeoutError, socket.timeout):
                raise KGError(f"{where} did not answer within {self.timeout:g} s",
                              hint="the server is slow or the query too heavy; raise --timeout") from None
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    raise KGError(f"{where} did not answer within {self.timeout:g} s") from None
                raise KGError(f"{where} is unreachable ({reason})",
                              hint="is the server running? `bionn-kg serve` starts one") from None
            except (ConnectionError, OSError) as exc:
                raise KGError(f"{where} is unreachable ({exc})") from None
        notes = []
        cap = headers.get("X-SPARQL-MaxRows") if headers else None
        if cap:
            notes.append(f"the endpoint capped the results at {cap} rows (X-SPARQL-MaxRows)")
        try:
            if form in ("select", "ask"):
                data = json.loads(body.decode("utf-8"))
                result = _from_json_results(data, form, max_rows)
            else:
                result = _from_turtle(body, max_rows)
        except KGError:
            raise
        except Exception as exc:  # noqa: BLE001 - garbage of any shape
            ctype = headers.get("Content-Type", "?") if headers else "?"
            raise KGError(f"{where} answered something that is not a SPARQL result "
                          f"({type(exc).__name__}; Content-Type {ctype})",
                          hint="is this URL a SPARQL query endpoint?") from None
        result.notes.extend(notes)
        return result


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


def open_graph(endpoint: str | None, extra: Iterable[str | Path] = (), *, timeout: float = 30.0,
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
