"""``query``, ``serve`` and ``publish``: SPARQL on the graph, locally or in a real triple store."""
from __future__ import annotations

import click

from .options import endpoint_options, extra_option, graph_options

DEFAULT_MAX_ROWS = 10_000
MAX_QUERY_BYTES = 1_000_000


def parse_params(header: str) -> list[dict[str, object]]:
    """A query's ``# params:`` header as ``{name, type, optional, description}`` records.

    The header lists ``?name (TYPE[, optional][: description])`` items separated by commas, e.g.
    ``?mechanism (IRI, optional: either side), ?tau (double, optional: the E threshold, default 0.5)``.

    >>> parse_params("?drug (IRI), ?tau (double, optional: the E threshold)")  # doctest: +NORMALIZE_WHITESPACE
    [{'name': 'drug', 'type': 'IRI', 'optional': False, 'description': ''},
     {'name': 'tau', 'type': 'double', 'optional': True, 'description': 'the E threshold'}]
    """
    import re

    out: list[dict[str, object]] = []
    for m in re.finditer(r"\?(\w+)\s*(?:\(([^()]*)\))?", header):
        name, inner = m.group(1), (m.group(2) or "").strip()
        kind, _, rest = inner.partition(",")
        kind_word, _, kind_note = kind.strip().partition(" ")
        rest = rest.strip()
        optional = rest.startswith("optional")
        if optional:
            rest = rest[len("optional"):].lstrip(" :")
        desc = "; ".join(x for x in (kind_note.strip(), rest) if x)
        out.append({"name": name, "type": kind_word or "any", "optional": optional, "description": desc})
    return out


def _params_text(params: list[dict[str, object]]) -> str:
    return ", ".join(f"?{p['name']} ({p['type']}{', optional' if p['optional'] else ''}"
                     f"{': ' + str(p['description']) if p['description'] else ''})" for p in params)


def _list_queries(fmt: str) -> str:
    from ..output import render
    from ..queries import list_queries
    rows = []
    for q in list_queries():
        params = parse_params(q.headers.get("params", ""))
        # JSON gets the records (docs/schemas/query-list.schema.json); text formats one readable cell
        rows.append({"name": q.name, "purpose": q.title, "params": params if fmt == "json" else _params_text(params)})
    return render(rows, fmt, max_width=90)


def _read_query(ref: str):
    """A shipped query by name, a .rq file, any readable file, or '-' for stdin."""
    from pathlib import Path

    from ..errors import KGError
    from ..queries import Query, _parse_headers, load_query
    def decode(data: bytes, where: str) -> str:
        if len(data) > MAX_QUERY_BYTES:
            raise KGError(f"{where}: a query over {MAX_QUERY_BYTES // 1_000_000} MB is refused")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise KGError(f"{where}:{line}: the query is not UTF-8 text (byte {exc.start})",
                          hint="save the query as UTF-8") from None

    if ref == "-":
        text = decode(click.get_binary_stream("stdin").read(MAX_QUERY_BYTES + 1), "stdin")
        return Query(name="stdin", path=Path("-"), text=text, headers=_parse_headers(text))
    p = Path(ref)
    if p.is_file():
        if p.stat().st_size > MAX_QUERY_BYTES:
            raise KGError(f"{p}: a query file over {MAX_QUERY_BYTES // 1_000_000} MB is refused")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise KGError(f"{p}: cannot read the query file ({exc.strerror})") from None
        text = decode(data, str(p))
        return Query(name=p.stem, path=p, text=text, headers=_parse_headers(text))
    return load_query(ref)


def _parse_params(pairs, q, info) -> dict:
    from ..errors import KGError
    from ..sparql_safety import declared_params, parse_param
    declared = declared_params(q.headers)
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise KGError(f"--param {pair!r}: write --param NAME=VALUE, e.g. --param mechanism=bkg:SynapticPruning")
        if name not in declared and name not in info.variables:
            known = ", ".join(sorted(declared)) or "none"
            raise KGError(f"--param {name}: the query has no variable ?{name}",
                          hint=f"parameters of '{q.name}': {known}")
        out[name] = parse_param(name, value, declared.get(name, "any"))
    return out


@click.command()
@click.argument("query_ref", metavar="FILE|NAME", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable: a CURIE (bkg:SSRI), an IRI or a literal. Repeatable.")
@click.option("--list", "list_", is_flag=True, help="List the shipped queries with their purpose.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=86400), default=None,
              help="Wall-clock limit in seconds for the whole query, also with --endpoint (retries and "
                   "waits included); the query is stopped when it is reached. Default 30 "
                   "(BIONN_KG_QUERY_TIMEOUT / BIONN_KG_REMOTE_TIMEOUT).")
@click.option("--max-rows", type=click.IntRange(min=1), default=DEFAULT_MAX_ROWS, show_default=True,
              help="Row cap; reported on stderr when hit.")
@click.option("--max-memory", "max_memory", type=click.IntRange(min=16), default=None, metavar="MB",
              help="Memory the embedded query may use beyond the loaded graph; it is stopped beyond. "
                   "Default 2048 (BIONN_KG_QUERY_MAX_MEMORY_MB).")
@click.option("--allow-remote", is_flag=True,
              help="Allow SERVICE and FROM/FROM NAMED with fetchable IRIs (refused by default).")
@graph_options
@endpoint_options
def query(query_ref, params, endpoint, default_graph, list_, timeout, max_rows, max_memory, allow_remote,
          extra, fmt):
    """Run a shipped or your own SPARQL query, safely.

    FILE|NAME is a shipped query name (see --list), a .rq file, or - for stdin. Parameters are bound
    as RDF terms (never pasted into the text); queries run without them too. Updates are refused.

    \b
    Example:
      bionn-kg query --list
      bionn-kg query equivalence_map
      bionn-kg query drug_risks --param drug=bkg:MAOI
      bionn-kg query my.rq --endpoint http://127.0.0.1:7878/query --format csv
    """
    from ..errors import KGError
    from ..output import render
    from ..sparql_safety import add_missing_prefixes, bind_values, inspect_query
    from ..sparql_terms import to_display, to_python

    if list_:
        click.echo(_list_queries(fmt))
        return 0
    if not query_ref:
        raise KGError("give a query name or file (or --list)", hint="bionn-kg query --list")
    if timeout is not None:
        from ..limits import check_seconds
        timeout = check_seconds(timeout)  # FloatRange lets nan through
    q = _read_query(query_ref)
    info = inspect_query(q.text, allow_remote=allow_remote)
    bindings = _parse_params(params, q, info)
    text, shift = add_missing_prefixes(q.text)
    if endpoint:
        from ..remote import RemoteGraph, open_graph, to_rdflib_term
        open_graph(endpoint, extra)  # refuses --extra with --endpoint
        g = RemoteGraph(endpoint, default_graph=default_graph, timeout=timeout, allow_remote=allow_remote)
        bound = bind_values(text, info.form, {k: to_rdflib_term(v).n3() for k, v in bindings.items()})
        result = g.run_prepared(info.form, bound, max_rows=max_rows)
        curie = g.curie
        from ..computed import GRAPH_IRI, needs_computed
        if needs_computed(q.headers):
            result.notes.append(f"this query reads the computed analogies: the endpoint must hold them in "
                                f"<{GRAPH_IRI}> (bionn-kg-computed-analogies.nq of a release)")
    else:
        from ..graph import load_graph
        from ..query_exec import run_embedded
        graph = load_graph(extra)
        from ..computed import ensure_for_query
        ensure_for_query(graph, q.headers)  # '# needs: computed-analogies': the engine's top-k, own named graph
        bound = bind_values(text, info.form, {k: str(v) for k, v in bindings.items()})
        result = run_embedded(graph.store, bound, timeout=timeout, max_rows=max_rows, line_shift=shift,
                              max_memory_mb=max_memory)
        curie = graph.curie
    def conv(c):
        v = to_display(c, curie) if fmt == "table" else to_python(c)
        # tiny energies (1e-11 J) must not print as 0.000: floats keep 4 significant digits in text
        return f"{v:.4g}" if isinstance(v, float) and fmt != "json" else v
    rows = [{c: conv(v) for c, v in zip(result.columns, row)} for row in result.rows]
    click.echo(render(rows, fmt, columns=result.columns))
    for note in result.notes:
        click.echo(f"bionn-kg: note: {note}", err=True)
    if result.truncated:
        click.echo(f"bionn-kg: note: row cap reached: showing the first {max_rows} rows; the query has more "
                   f"(raise --max-rows)", err=True)
    return 0


@click.command()
@click.option("--location", type=click.Path(file_okay=False), default=None,
              help="Store directory (default: a temporary one, deleted on exit). An existing directory "
                   "is reused only if bionn-kg created it.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True,
              help="TCP port on 127.0.0.1; the SPARQL endpoint is http://127.0.0.1:PORT/query.")
@click.option("--query-timeout", type=click.FloatRange(min=1, max=86400), default=30.0, show_default=True,
              help="Server-side limit per query in seconds (also stops queries whose client left).")
@click.option("--max-memory", "max_memory", type=click.IntRange(min=256), default=4096, show_default=True,
              metavar="MB", help="Address-space cap of the Oxigraph server; a query beyond it is stopped.")
@extra_option
def serve(location, port, query_timeout, max_memory, extra):
    """Serve the graph read-only with the Oxigraph SPARQL server on 127.0.0.1.

    Dumps the graph (shipped + --extra) to N-Triples, loads it with `oxigraph load` and runs
    `oxigraph serve-read-only` on a private loopback port, behind a guard on 127.0.0.1:PORT that
    refuses SERVICE (the server would fetch URLs for its clients), writes and requests over 1 MB,
    runs at most 8 queries at once, and stops a query past --query-timeout or --max-memory (even
    when its client has left) by restarting the server process. Stop it with Ctrl-C.

    \b
    Example:
      bionn-kg serve --port 7878 &
      bionn-kg query equivalence_map --endpoint http://127.0.0.1:7878/query
    """
    from ..server import serve_graph
    return serve_graph(location, port, extra, query_timeout=query_timeout, max_memory_mb=max_memory)


@click.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store protocol URL (Oxigraph: http://host:7878/store, "
                   "Virtuoso: http://host:8890/sparql-graph-crud-auth).")
@click.option("--graph", "graph_iri", metavar="IRI", default=None,
              help="Named graph to replace (default: the store's default graph).")
@click.option("--append", is_flag=True, help="Add to the graph (POST) instead of replacing it (PUT).")
@click.option("--auth", type=click.Choice(["auto", "digest", "basic"]), default="auto", show_default=True,
              help="HTTP authentication scheme for BIONN_KG_USER / BIONN_KG_PASSWORD.")
@click.option("--timeout", type=click.FloatRange(min=1, max=86400), default=120.0, show_default=True)
@extra_option
def publish(endpoint, graph_iri, append, auth, timeout, extra):
    """Load the graph into a SPARQL 1.1 store with the Graph Store protocol.

    Credentials come from the environment only: BIONN_KG_USER and BIONN_KG_PASSWORD (never the
    command line, where other users could read them from the process list).

    \b
    Example:
      BIONN_KG_USER=dba BIONN_KG_PASSWORD=... bionn-kg publish \\
          --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --graph urn:bionn-kg
    """
    from ..server import publish_graph
    n = publish_graph(endpoint, graph_iri, extra, append=append, auth=auth, timeout=timeout)
    click.echo(f"published {n} triples to {endpoint} ({'graph <' + graph_iri + '>' if graph_iri else 'default graph'})")
    return 0
