"""Running a checked query on the embedded store in a worker process with a wall-clock and memory limit.

Why: neither pyoxigraph nor rdflib can interrupt a query, so a runaway query (a cross product, a
``?s ?p ?o`` join on a big graph) would hang the caller, and one that sorts tens of millions of rows
would exhaust the machine's memory. The query runs in a forked child process that shares the already
loaded store (copy-on-write):

- the parent waits at most ``timeout`` seconds, then kills the child (wall clock);
- the child's address space may grow by at most ``max_memory_mb`` beyond what it inherited
  (``RLIMIT_AS``); an allocation beyond that fails and the child dies, which the parent reports;
- the child stops reading results at ``max_rows`` so that the cap is reported precisely;
- the child dies with its parent (``PR_SET_PDEATHSIG`` on Linux, plus a watchdog thread that
  notices when the parent is gone), so killing ``bionn-kg query`` leaves no orphan behind.

Defaults and how to raise them: :mod:`kg.limits` and ``docs/limits-and-safety.md``.
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
    if isinstance(res, (bool, ox.QueryBoolean)):  # pyoxigraph >= 0.4 answers ASK with a QueryBoolean
        return Result("ask", ["ask"], [[Cell("literal", "true" if bool(res) else "false",
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


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker die when the parent does: prctl(PR_SET_PDEATHSIG) on Linux, and a watchdog."""
    import os
    import signal
    import sys
    import threading
    import time

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl: the watchdog remains
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(3)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(3)
    threading.Thread(target=watch, daemon=True).start()


def _limit_memory(max_memory_mb: int | None) -> None:
    """Cap the address space at what the fork inherited plus ``max_memory_mb``."""
    if not max_memory_mb:
        return
    try:
        import os
        import resource
        with open("/proc/self/statm") as fh:
            inherited = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = inherited + int(max_memory_mb) * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, ImportError):  # pragma: no cover - no /proc or no RLIMIT_AS (not Linux)
        pass


def _child(conn, store, text: str, max_rows: int | None, line_shift: int, parent_pid: int,
           max_memory_mb: int | None) -> None:
    import os
    _die_with_parent(parent_pid)
    # a Rust allocation failure prints "memory allocation of N bytes failed" and aborts: keep the
    # terminal clean, the parent reports it in one line
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    import faulthandler
    faulthandler.disable()  # (pytest or PYTHONFAULTHANDLER) would dump a stack on that abort
    _limit_memory(max_memory_mb)
    try:
        result = collect_oxigraph(store.query(text), max_rows)
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("memory",))
    except BaseException as exc:  # noqa: BLE001 - report everything to the parent
        err = _oxigraph_error(exc, line_shift)
        conn.send(("error", type(err).__name__, str(err.args[0]), getattr(err, "line", 0),
                   getattr(err, "column", 0)))
    finally:
        conn.close()


def _memory_error(max_memory_mb: int) -> KGError:
    return KGError(f"the query was stopped: it needed more than its {max_memory_mb} MB memory limit",
                   hint="add restrictions or a LIMIT (ORDER BY over many rows sorts them all in memory), "
                        "or raise --max-memory / BIONN_KG_QUERY_MAX_MEMORY_MB")


def run_embedded(store: Any, text: str, *, timeout: float | None = None, max_rows: int | None = None,
                 line_shift: int = 0, max_memory_mb: int | None = None) -> Result:
    """Run ``text`` on the pyoxigraph ``store`` in a forked worker; kill it after ``timeout`` s.

    ``text`` must already have passed :func:`kg.sparql_safety.inspect_query` and declare its prefixes.
    ``timeout`` defaults to ``BIONN_KG_QUERY_TIMEOUT`` (30 s) and ``max_memory_mb`` to
    ``BIONN_KG_QUERY_MAX_MEMORY_MB`` (2048); both are checked (a NaN, infinite or over-a-day time
    limit is a :class:`~kg.errors.KGError`).
    """
    import os

    from .limits import check_seconds, query_max_memory_mb, query_timeout

    timeout = query_timeout() if timeout is None else check_seconds(timeout)
    if max_memory_mb is None:
        max_memory_mb = query_max_memory_mb()
    elif max_memory_mb < 16:
        raise KGError(f"a memory limit of {max_memory_mb} MB is too small", hint="give at least 16 MB")
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, store, text, max_rows, line_shift, os.getpid(),
                                            max_memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            proc.kill()
            proc.join(5)
            raise KGError(f"the query was stopped after the {timeout:g} s wall-clock limit",
                          hint="add restrictions or a LIMIT, or raise --timeout / BIONN_KG_QUERY_TIMEOUT")
        try:
            msg = parent.recv()
        except (EOFError, OSError):
            proc.join(5)
            if proc.exitcode is not None and proc.exitcode < 0:  # killed by a signal: abort on ENOMEM
                raise _memory_error(max_memory_mb) from None
            raise KGError(f"the query worker died (exit code {proc.exitcode}) without an answer",
                          hint="the query may need more memory than available") from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if msg[0] == "ok":
        return msg[1]
    if msg[0] == "memory":
        raise _memory_error(max_memory_mb)
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
