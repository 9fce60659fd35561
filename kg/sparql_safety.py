"""Checking a user's SPARQL before any engine sees it, and binding parameters without pasting text.

Why: the embedded engines (pyoxigraph, rdflib) fetch URLs for ``SERVICE`` and rdflib also for
``FROM``/``FROM NAMED``, neither has a timeout, and an update would change the store. So every query
given to ``bionn-kg query`` (or to :class:`kg.remote.RemoteGraph`) is parsed first with rdflib's
parser, which only parses and never evaluates: updates are refused, ``SERVICE`` and dereferenceable
``FROM`` IRIs are refused unless the caller allows remote access, and a syntax error becomes a
:class:`~kg.errors.KGError` with line and column.

Parameters are bound as RDF terms: an IRI is validated (pyoxigraph's strict RFC 3987 check), a literal
is escaped by its term serialiser, and the term is written into a ``VALUES`` block that is inserted
right after the opening brace of the query's WHERE group. The same text then runs on every engine
(embedded, rdflib, Oxigraph server, Virtuoso), so a bound query means the same thing everywhere.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import KGError

__all__ = ["QueryInfo", "QuerySyntaxError", "inspect_query", "parse_param", "bind_values",
           "declared_params", "add_missing_prefixes", "LOCAL_IRI_SCHEMES", "mentions_service",
           "refuse_service"]

# FROM/FROM NAMED IRIs with these schemes never name something an engine could fetch.
LOCAL_IRI_SCHEMES = ("urn:", "tag:")
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


class QuerySyntaxError(KGError):
    """A query that does not parse; carries the 1-based line and column."""

    def __init__(self, message: str, line: int, column: int, *, hint: str | None = None):
        super().__init__(f"SPARQL syntax error at line {line}, column {column}: {message}", hint=hint)
        self.line = line
        self.column = column


@dataclass
class QueryInfo:
    """What the parser found: the query form, the variables mentioned and remote references."""

    form: str  # "select", "ask", "construct" or "describe"
    services: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    variables: set[str] = field(default_factory=set)


def _walk(node: Any, out: QueryInfo, seen: set[int]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, Variable):
        out.variables.add(str(node))
        return
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            out.services.append(str(node.get("term")))
        if node.name == "DatasetClause":
            # CompValue.get returns the key itself when it is missing: test membership instead
            for key in ("default", "named"):
                if key in node:
                    out.datasets.append(str(node[key]))
        for v in node.values():
            _walk(v, out, seen)
        return
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for v in node:
            _walk(v, out, seen)


_SERVICE_WORD = re.compile(r"(?<![?$\w:.-])SERVICE(?![\w:.-])", re.I)


def mentions_service(text: str) -> bool:
    """Whether ``SERVICE`` appears as a keyword (outside strings, IRIs and comments).

    A cheap lexical test, used where parsing every query would be too slow (the Python API, the
    ``serve`` guard): it may refuse an odd query that only looks like federation, never the reverse.
    """
    if not _SERVICE_WORD.search(text):
        return False
    return any(kind == "other" and _SERVICE_WORD.search(t) for kind, t, _ in _tokens(text))


def refuse_service(text: str) -> None:
    """KGError if ``text`` uses SERVICE (see :func:`mentions_service`)."""
    if mentions_service(text):
        raise KGError("SERVICE is refused: it makes the engine fetch a URL",
                      hint="pass allow_remote=True (Python) or --allow-remote (query) if you trust it")


def _strip_comments(text: str) -> str:
    """The query text with comments removed (IRIs and strings kept), for keyword checks."""
    return "".join(t for kind, t, _ in _tokens(text) if kind != "comment")


def _looks_like_update(text: str) -> bool:
    body = _strip_comments(text)
    body = re.sub(r"(?is)^\s*((PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*", "", body)
    return body.lstrip().upper().startswith(_UPDATE_WORDS)


def inspect_query(text: str, *, allow_remote: bool = False) -> QueryInfo:
    """Parse ``text`` (never evaluate it) and refuse what must not run.

    Raises
    ------
    QuerySyntaxError
        The text is not a SPARQL 1.1 query (exit 2, with line and column).
    KGError
        An update, or ``SERVICE`` / ``FROM`` with a fetchable IRI without ``allow_remote``.
    """
    import pyparsing
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        try:
            parsed = parseQuery(text)
        except pyparsing.ParseException:
            # rdflib's parser rejects a valid query where an IRI or a string holding '#' precedes SERVICE
            # (found by the fuzz pass, tests/regressions/test_14_12_fuzz.py): check a copy with that '#'
            # replaced (same length, so positions in messages stay right)
            masked = "".join(t.replace("#", "_") if kind in ("iri", "string") else t
                             for kind, t, _ in _tokens(text))
            if masked == text:
                raise
            parsed = parseQuery(masked)
    except pyparsing.ParseException as exc:
        is_update = _looks_like_update(text)
        if not is_update:
            try:
                parseUpdate(text)
                is_update = True
            except Exception:  # noqa: BLE001 - any failure means "not an update"
                pass
        if is_update:
            raise KGError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused by `query`",
                          hint="`query` is read-only; edit the Turtle sources or use `publish`") from None
        raise QuerySyntaxError(str(exc.msg), exc.lineno, exc.col) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises assorted errors on odd input
        raise QuerySyntaxError(str(exc), 1, 1) from None
    form = parsed[1].name.removesuffix("Query").lower()
    info = QueryInfo(form=form)
    try:
        _walk(parsed, info, set())
    except RecursionError:
        raise KGError("the query is nested too deeply to check", hint="simplify the query") from None
    if not allow_remote:
        if info.services:
            raise KGError(f"SERVICE <{info.services[0]}> is refused: it makes the engine fetch a URL",
                          hint="pass --allow-remote if you trust this query and the service")
        remote = [d for d in info.datasets if not d.startswith(LOCAL_IRI_SCHEMES)]
        if remote:
            raise KGError(f"FROM <{remote[0]}> (or FROM NAMED) is refused: the engine may fetch that URL",
                          hint="drop the FROM clause (the shipped graph is the default graph), "
                               "use a urn: graph name, or pass --allow-remote")
    return info


def declared_params(headers: Mapping[str, str]) -> dict[str, str]:
    """``{name: kind}`` from a ``# params: ?mechanism (IRI, optional), ?x (literal)`` header."""
    out: dict[str, str] = {}
    for m in re.finditer(r"\?(\w+)\s*(?:\(([^)]*)\))?", headers.get("params", "")):
        kind = (m.group(2) or "").split(",")[0].strip().lower()
        out[m.group(1)] = "iri" if kind.startswith("iri") else (kind or "any")
    return out


_XSD = "http://www.w3.org/2001/XMLSchema#"


def parse_param(name: str, value: str, kind: str = "any"):
    """The RDF term (a pyoxigraph term) for ``--param name=value``.

    ``kind`` comes from the query's ``params`` header: ``iri`` requires a CURIE with a known prefix
    or an absolute IRI (optionally in ``<...>``); ``integer``/``decimal``/``double`` a number; anything
    else is a plain string literal unless the value looks like an IRI or CURIE of a known prefix.
    """
    import pyoxigraph as ox

    from .graph import PREFIXES

    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise KGError(f"--param {name!r}: a parameter name is a SPARQL variable name (letters, digits, _)")
    raw = value.strip()
    iri = None
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    else:
        prefix, sep, local = raw.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            iri = PREFIXES[prefix] + local
        elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw) and kind in ("iri", "any") and " " not in raw:
            iri = raw if (kind == "iri" or raw.startswith(("http://", "https://", "urn:"))) else None
    if kind == "iri" and iri is None:
        raise KGError(f"--param {name}={value!r}: this parameter takes an IRI",
                      hint="give a CURIE such as bkg:SynapticPruning or a full IRI such as "
                           "https://w3id.org/bionn-kg/SynapticPruning")
    if iri is not None:
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise KGError(f"--param {name}: {iri!r} is not a valid IRI ({exc})") from None
    numeric = {"integer": "integer", "int": "integer", "decimal": "decimal", "double": "double",
               "number": "double", "float": "double"}
    if kind in numeric:
        pattern = r"[+-]?\d+" if numeric[kind] == "integer" else r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
        if not re.fullmatch(pattern, raw):
            raise KGError(f"--param {name}={value!r}: this parameter takes a number ({kind})")
        return ox.Literal(raw, datatype=ox.NamedNode(_XSD + numeric[kind]))
    return ox.Literal(value)


# -- a tiny SPARQL tokenizer: enough to find braces outside comments, strings and IRIs ------------
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                      r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)


def _tokens(text: str):
    """Yield (kind, text, offset) with kind in comment, string, iri, brace, other."""
    i, n = 0, len(text)
    buf_start = 0
    while i < n:
        c = text[i]
        kind = None
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            kind = "comment"
        elif c in "\"'":
            m = _STRINGS.match(text, i)
            j = m.end() if m else n
            kind = "string"
        elif c == "<":
            m = _IRIREF.match(text, i)
            if m:
                j = m.end()
                kind = "iri"
        elif c in "{}":
            j = i + 1
            kind = "brace"
        if kind is None:
            i += 1
            continue
        if buf_start < i:
            yield "other", text[buf_start:i], buf_start
        yield kind, text[i:j], i
        i = buf_start = j
    if buf_start < n:
        yield "other", text[buf_start:], buf_start


def _where_group(text: str, form: str) -> tuple[int, int]:
    """Offsets of the opening and closing brace of the query's WHERE group."""
    braces = [(t, off) for kind, t, off in _tokens(text) if kind == "brace"]
    depth = 0
    groups: list[tuple[int, int]] = []
    start = 0
    for t, off in braces:
        if t == "{":
            if depth == 0:
                start = off
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                groups.append((start, off))
    if not groups:
        raise KGError("cannot bind parameters: the query has no WHERE group")
    if form == "construct" and len(groups) > 1:
        # CONSTRUCT { template } WHERE { ... }: the second top-level group (the short form has one).
        between = _strip_comments(text[groups[0][1] + 1: groups[1][0]])
        if re.search(r"(?i)\bWHERE\b", between) or between.strip() == "":
            return groups[1]
    return groups[0]


def bind_values(text: str, form: str, terms: Mapping[str, str]) -> str:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) }`` placed first in the WHERE group.

    ``terms`` maps variable names to terms already serialised by an RDF library (N-Triples / ``.n3()``),
    never to user text. A WHERE group that is itself a sub-SELECT is wrapped in braces.
    """
    if not terms:
        return text
    names = list(terms)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_]\w*", n):
            raise KGError(f"invalid parameter name {n!r}")
    values = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + \
             " ".join(terms[n] for n in names) + ") } "
    open_, close = _where_group(text, form)
    inner = text[open_ + 1: close]
    if re.match(r"(?is)\s*SELECT\b", _strip_comments(inner)):
        return text[: open_ + 1] + " " + values + "{" + inner + "}" + text[close:]
    return text[: open_ + 1] + " " + values + inner + text[close:]


def add_missing_prefixes(text: str) -> tuple[str, int]:
    """Prepend (on one line) the PREFIX declarations of kg.graph.PREFIXES that ``text`` does not
    declare, so that a query written for the embedded store also runs on rdflib and remote servers.
    Returns the new text and the number of lines added (0 or 1), to map error positions back."""
    from .graph import PREFIXES
    body = _strip_comments(text)
    declared = {m.group(1) for m in re.finditer(r"(?i)PREFIX\s+([\w.-]*):", body)}
    missing = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", body)]
    if not missing:
        return text, 0
    line = " ".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in missing)
    return line + "\n" + text, 1
