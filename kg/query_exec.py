"""Running a checked query on the embedded store in a worker process with a wall-clock limit.

Why: neither pyoxigraph nor rdflib can interrupt a query, so a runaway query (a cross product, a
``?s ?p ?o`` join on a big graph) would hang the caller. The query runs in a forked child process that
shares the already loaded store (copy-on-write); the parent waits at most ``timeout`` seconds, then
kills the child. The child stops reading results at ``max_rows`` + 1 so that the cap is reported
precisely and memory stays bounded.
"""
from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass, field
from typing import Any

from .errors import KGError
from .sparql_terms import Cell, from_oxigraph, from_rdflib

__all__ = ["Result", "run_embedded", "run_rdflib", "collect_oxigraph", "collect_rdflib"]


@dataclass
class Result:
    """Rows of :class:`~kg.sparql_terms.Cell` (None for unbound), in the engine's order."""

    form: str
    columns: list[str]
    rows: list[list[Cell | None]] = field(default_factory=list)
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def collect_oxigraph(res: Any, max_rows: int | None) -> Result:
    """A pyoxigraph query result (solutions, boolean or triples) as a :class:`Result`."""
    import pyoxigraph as ox
    if isinstance(res, bool):
        return Result("ask", ["ask"], [[Cell("literal", "true" if res else "false",
                                            "http://www.w3.org/2001/XMLSchema#boolean")]])
    if isinstance(res, ox.QuerySolutions):
        cols = [v.value for v in res.variables]
        out = Result("select", cols)
        for sol in res:
            if max_rows is not None and len(out.rows) >= max_rows:
                out.truncated = True
                break
            out.rows.append([from_oxigraph(sol[c]) for c in cols])
        return out
    out = Result("construct", ["subject", "predicate", "object"])
    for t in res:
        if max_rows is not None and len(out.rows) >= max_rows:
            out.truncated = True
            break
        out.rows.append([from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)])
    return out


def collect_rdflib(res: Any, max_rows: int | None) -> Result:
    """An rdflib ``Result`` as a :class:`Result`."""
    if res.type == "ASK":
        return Result("ask", ["ask"], [[Cell("literal", "true" if res.askAnswer else "false",
                                            "http://www.w3.org/2001/XMLSchema#boolean")]])
    if res.type == "SELECT":
        cols = [str(v) for v in res.vars]
        out = Result("select", cols)
        for row in res:
            if max_rows is not None and len(out.rows) >= max_rows:
                out.truncated = True
                break
            out.rows.append([from_rdflib(row[i]) for i in range(len(cols))])
        return out
    out = Result("construct", ["subject", "predicate", "object"])
    for s, p, o in res.graph:
        if max_rows is not None and len(out.rows) >= max_rows:
            out.truncated = True
            break
        out.rows.append([from_rdflib(s), from_rdflib(p), from_rdflib(o)])
    return out


def _oxigraph_error(exc: BaseException, line_shift: int) -> KGError:
    import re
    msg = str(exc)
    m = re.search(r"error at (\d+):(\d+): (.*)", msg)
    if isinstance(exc, SyntaxError) and m:
        from .sparql_safety import QuerySyntaxError
        return QuerySyntaxError(m.group(3), max(1, int(m.group(1)) - line_shift), int(m.group(2)))
    return KGError(f"the query failed: {msg}")


def _child(conn, store, text: str, max_rows: int | None, line_shift: int) -> None:
    try:
        result = collect_oxigraph(store.query(text), max_rows)
        conn.send(("ok", result))
    except BaseException as exc:  # noqa: BLE001 - report everything to the parent
        err = _oxigraph_error(exc, line_shift)
        conn.send(("error", type(err).__name__, str(err.args[0]), getattr(err, "line", 0),
                   getattr(err, "column", 0)))
    finally:
        conn.close()


def run_embedded(store: Any, text: str, *, timeout: float = 30.0, max_rows: int | None = None,
                 line_shift: int = 0) -> Result:
    """Run ``text`` on the pyoxigraph ``store`` in a forked worker; kill it after ``timeout`` s.

    ``text`` must already have passed :func:`kg.sparql_safety.inspect_query` and declare its prefixes.
    """
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, store, text, max_rows, line_shift), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            proc.kill()
            proc.join(5)
            raise KGError(f"the query was stopped after the {timeout:g} s wall-clock limit",
                          hint="add restrictions or a LIMIT, or raise --timeout")
        try:
            msg = parent.recv()
        except EOFError:
            proc.join(5)
            raise KGError(f"the query worker died (exit code {proc.exitcode}) without an answer",
                          hint="the query may need more memory than available") from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if msg[0] == "ok":
        return msg[1]
    _, kind, message, line, column = msg
    if kind == "QuerySyntaxError":
        from .sparql_safety import QuerySyntaxError
        err = QuerySyntaxError("", line, column)
        err.args = (message,)
        raise err
    raise KGError(message)


def run_rdflib(graph: Any, text: str, *, max_rows: int | None = None) -> Result:
    """Run ``text`` with rdflib's own engine (reference engine of the conformance test and benchmark).

    Remote graph loading for FROM is switched off; callers run :func:`inspect_query` first.
    """
    import rdflib.plugins.sparql as rsparql
    rsparql.SPARQL_LOAD_GRAPHS = False
    return collect_rdflib(graph.query(text), max_rows)
