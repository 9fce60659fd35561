"""Loading the ontology and knowledge graph into the embedded Oxigraph store.

The shipped graph (the TBox ``ontology/bionn-kg-tbox.ttl`` and the ABox ``ontology/abox/*.ttl``) and any
``--extra`` files of the user's own mechanisms are parsed into one in-memory :class:`pyoxigraph.Store`.
Nothing is fetched from the network: ``owl:imports`` are not followed.

Example
-------
>>> from kg.graph import load_graph
>>> g = load_graph()
>>> g.ask("ASK { ?m a/rdfs:subClassOf* bkg:BiologicalMechanism }")
True
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import InputFileError, OntologyViolationError
from .paths import source_files
from .queries import load_query

__all__ = ["KnowledgeGraph", "load_graph", "BKG", "PREFIXES", "FORMATS_BY_SUFFIX", "MAX_INPUT_BYTES",
           "check_xml_entities"]

BKG = "https://w3id.org/bionn-kg/"
PREFIXES: dict[str, str] = {
    "bkg": BKG,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "obo": "http://purl.obolibrary.org/obo/",
    "prov": "http://www.w3.org/ns/prov#",
    "aio": "https://w3id.org/aio/",
}

FORMATS_BY_SUFFIX = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".owl": ox.RdfFormat.RDF_XML,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
# Default cap per input file (BIONN_KG_MAX_INPUT_BYTES raises it; see kg.limits).
MAX_INPUT_BYTES = 200 * 1024 * 1024


def _term_to_python(term: Any) -> Any:
    """Plain Python value of an Oxigraph term: IRI string, literal value (typed), or None."""
    if type(term) is ox.NamedNode:  # most terms: tested first, and by exact type, which is faster
        return term.value
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype is not None else ""
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(term.value)
        if dt.endswith(("#double", "#decimal", "#float")):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


class _NotFast(Exception):
    """A TSV cell the fast reader does not convert (the caller falls back to pyoxigraph's terms)."""


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")


class _Cells(dict):
    """Raw SPARQL TSV cell -> the value :func:`_term_to_python` gives for its term, computed on first use."""

    def __missing__(self, cell: str) -> Any:
        c0 = cell[:1]
        if c0 == "<" and cell[-1:] == ">":
            value = cell[1:-1]  # IRIs are written as they are (no escapes in a valid IRI)
        elif not cell:
            value = None  # unbound
        elif c0 == '"' and cell[-1:] == '"' and "\\" not in cell and len(cell) > 1:
            value = cell[1:-1]  # a plain string without escapes
        elif c0 == "_" and cell.startswith("_:"):
            value = cell
        elif _INTEGER.fullmatch(cell):
            value = int(cell)
        elif _DECIMAL.fullmatch(cell):
            value = float(cell)
        elif cell in ("true", "false"):
            value = cell == "true"
        else:  # escapes, language tags, other datatypes: read by the Turtle parser, converted as a term
            try:
                quad = next(iter(ox.parse(f"<x:s> <x:p> {cell} .".encode(), format=ox.RdfFormat.TURTLE)))
            except (SyntaxError, StopIteration):
                raise _NotFast(cell) from None
            value = _term_to_python(quad.object)
        self[cell] = value
        return value


def _tsv_columns(data: bytes) -> tuple[list[str], list[list[Any]]]:
    """(variable names, value columns) of SPARQL TSV results (tabs and newlines inside literals are escaped)."""
    text = data.decode("utf-8")
    nl = text.find("\n")
    if nl < 0:
        raise _NotFast("no header")
    names = [v[1:] for v in text[:nl].split("\t")]
    k = len(names)
    if names == [""]:
        raise _NotFast("no variables")
    body = text[nl + 1:]
    if not body:
        return names, [[] for _ in names]
    if not body.endswith("\n"):
        raise _NotFast("no final newline")
    flat = body.replace("\n", "\t").split("\t")
    flat.pop()  # after the last row's newline
    if len(flat) % k:
        raise _NotFast("ragged rows")
    get = _Cells().__getitem__
    return names, [list(map(get, flat[i::k])) for i in range(k)]


class KnowledgeGraph:
    """The loaded graph: an Oxigraph store plus the files it came from.

    Parameters
    ----------
    store : pyoxigraph.Store
        The store holding every triple in its default graph.
    files : list of Path
        The files loaded, in order (shipped sources first, then extras).
    """

    def __init__(self, store: ox.Store, files: Sequence[Path], extra_files: Sequence[Path] = (), *,
                 allow_remote: bool = False):
        self.store = store
        self.files = list(files)
        self.extra_files = list(extra_files)
        # pyoxigraph evaluates SERVICE by fetching the URL: refused unless the caller trusts the query
        self.allow_remote = allow_remote

    # -- querying ---------------------------------------------------------------------------------
    def raw_query(self, text: str, bindings: Mapping[str, Any] | None = None):
        """The pyoxigraph result of ``text``, in this process, without a time limit (trusted queries).

        ``SERVICE`` is refused unless ``allow_remote``; use :meth:`run` for untrusted text.
        """
        if not self.allow_remote:
            from .sparql_safety import refuse_service
            refuse_service(text)
        subs = None
        if bindings:
            subs = {ox.Variable(k): _to_term(v) for k, v in bindings.items()}
        return self.store.query(text, prefixes=PREFIXES, substitutions=subs)

    def select(self, text: str, bindings: Mapping[str, Any] | None = None, *,
               timeout: float | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query; rows as dicts of plain Python values (IRIs as strings).

        With ``timeout`` (seconds) the query runs as :meth:`run` does: checked, in a worker process
        with a wall-clock and memory limit. Without it, it runs in this process (shipped queries).
        """
        if timeout is not None:
            from .sparql_terms import to_python
            res = self.run(text, bindings, timeout=timeout)
            return [{c: to_python(v) for c, v in zip(res.columns, row)} for row in res.rows]
        res = self.raw_query(text, bindings)
        names = [v.value for v in res.variables]
        conv = _term_to_python
        return [{n: conv(t) for n, t in zip(names, sol)} for sol in res]

    def run(self, text: str, bindings: Mapping[str, Any] | None = None, *, timeout: float | None = None,
            max_rows: int | None = None, max_memory_mb: int | None = None):
        """Run an untrusted read query with the ``query`` command's guards; a :class:`kg.query_exec.Result`.

        The text is parsed first (updates refused; SERVICE and fetchable FROM refused unless
        ``allow_remote``), parameters are bound as RDF terms, and the query runs in a worker process
        stopped after ``timeout`` seconds (default ``BIONN_KG_QUERY_TIMEOUT``, 30 s) or when it needs
        more than ``max_memory_mb`` (default ``BIONN_KG_QUERY_MAX_MEMORY_MB``, 2048). Same interface
        as :meth:`kg.remote.RemoteGraph.run`.
        """
        from .limits import check_seconds, query_timeout
        from .query_exec import run_embedded
        from .sparql_safety import add_missing_prefixes, bind_values, inspect_query

        text, shift = add_missing_prefixes(text)
        info = inspect_query(text, allow_remote=self.allow_remote)
        terms = {k: str(_to_term(v)) for k, v in (bindings or {}).items()}
        bound = bind_values(text, info.form, terms)
        t = query_timeout() if timeout is None else check_seconds(timeout, "timeout")
        return run_embedded(self.store, bound, timeout=t, max_rows=max_rows, line_shift=shift,
                            max_memory_mb=max_memory_mb)

    def select_named(self, name: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a shipped query from ``queries/`` by name (``internal/labels`` -> queries/internal/labels.rq)."""
        return self.select(load_query(name).text, bindings)

    def select_columns(self, name: str, bindings: Mapping[str, Any] | None = None
                       ) -> tuple[list[str], list[list[Any]]]:
        """A shipped query's (variable names, one list of values per variable): the values of
        :meth:`select_named`, column by column.

        The store writes the results as SPARQL TSV (in Rust) and each distinct cell is converted once:
        most cells of the feature queries repeat (a mechanism's IRI in each of its rows), so this avoids
        a Python term object and a string per cell. Columns also let the engine map whole columns
        to indices at C speed. Any cell the fast reader does not know falls back to the term-by-term path.
        """
        text = load_query(name).text
        try:
            return _tsv_columns(self.raw_query(text, bindings).serialize(format=ox.QueryResultsFormat.TSV))
        except _NotFast:
            res = self.raw_query(text, bindings)
            names = [v.value for v in res.variables]
            rows = [tuple(_term_to_python(t) for t in sol) for sol in res]
            return names, [list(c) for c in zip(*rows)] if rows else [[] for _ in names]

    def ask(self, text: str, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self.raw_query(text, bindings))

    def __len__(self) -> int:
        return len(self.store)

    # -- IRIs ---------------------------------------------------------------------------------
    @staticmethod
    def curie(iri: str) -> str:
        """Compact an IRI with the known prefixes (``bkg:SynapticPruning``, ``GO:0098883``): :func:`kg.ids.curie`."""
        from .ids import curie
        return curie(iri)


def _to_term(value: Any):
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false",
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))
    return ox.Literal(str(value))


_DTD_WINDOW = 1024 * 1024  # the longest internal DTD subset accepted
_NAME = r"[A-Za-z_:][\w.:-]*"


def check_xml_entities(path: Path, size: int | None = None) -> None:
    """Refuse RDF/XML whose DTD could blow up when expanded, before any parser sees the file.

    Allowed: no DOCTYPE, or internal subsets of plain general entities (``<!ENTITY owl "http://...">``,
    as Protege writes) whose values hold no further references. Refused: nested entities (the "billion
    laughs" bomb), parameter entities, external entities or DTDs, any other declaration, an
    ``<!ENTITY`` outside a DOCTYPE, and documents whose references would expand to more than
    ``max(BIONN_KG_MAX_ENTITY_EXPANSION, 4 x file size)`` characters in total.

    The whole file is scanned, not only its prolog: the RDF/XML parser accepts a DOCTYPE anywhere
    (after a long comment, even after the root element's start tag), and so must this check.

    Raises
    ------
    InputFileError
        Naming the file, the line and the entity.
    """
    import mmap
    import re

    from .limits import max_entity_expansion

    size = size if size is not None else path.stat().st_size
    if size == 0:
        return
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        head = mm[:4]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
            raise InputFileError(f"{path}: RDF/XML in UTF-16 is not supported", hint="save the file as UTF-8")

        def refuse(why: str, at: int) -> InputFileError:
            line = mm[:at].count(b"\n") + 1
            return InputFileError(f"{path}:{line}: {why}",
                                  hint="remove the DOCTYPE or use only plain entities such as "
                                       '<!ENTITY owl "http://www.w3.org/2002/07/owl#">; entity expansion is '
                                       "limited to keep the loader safe (docs/limits-and-safety.md)")

        entities: dict[str, int] = {}
        covered: list[tuple[int, int]] = []  # byte spans of the internal subsets read
        decl = re.compile(rb"\s*(<!--.*?-->|<!ENTITY\s+(%?)\s*(" + _NAME.encode() + rb")\s+(?:\"([^\"]*)\"|"
                          rb"'([^']*)'|(SYSTEM|PUBLIC)\b[^>]*)\s*>|\]\s*>)", re.S | re.I)
        # case-insensitive: the parser accepts <!DocType (conservative for <!entity, which it rejects)
        for m in re.finditer(rb"(?i)<!DOCTYPE\s+" + _NAME.encode(), mm):
            j = m.end()
            if re.compile(rb"(?i)\s*(SYSTEM|PUBLIC)\b").match(mm, j):
                raise refuse("an external DTD (SYSTEM/PUBLIC) is refused", j)
            m2 = re.compile(rb"\s*\[").match(mm, j)
            if not m2:
                if re.compile(rb"\s*>").match(mm, j):
                    continue
                raise refuse("malformed DOCTYPE", j)
            j = m2.end()
            limit = min(len(mm), j + _DTD_WINDOW)
            window = mm[:limit]
            while True:
                d = decl.match(window, j)
                if not d:
                    if limit < len(mm) and limit - j < 4096:
                        raise refuse("the DTD is longer than the loader accepts", j)
                    raise refuse('only plain <!ENTITY name "value"> declarations are accepted in the DTD', j)
                tok = d.group(1)
                if tok.startswith(b"]"):
                    covered.append((m.start(), d.end()))
                    break
                if tok.startswith(b"<!--"):
                    j = d.end()
                    continue
                name = d.group(3).decode("utf-8", "replace")
                if d.group(2):
                    raise refuse(f"parameter entity %{name}; is refused", d.start(1))
                if d.group(6):
                    raise refuse(f"external entity &{name}; is refused", d.start(1))
                value = d.group(4) if d.group(4) is not None else d.group(5)
                if b"&" in value or b"%" in value:
                    raise refuse(f"entity &{name}; refers to other entities (nested entities can expand "
                                 "exponentially: the 'billion laughs' attack)", d.start(1))
                entities.setdefault(name, len(value.decode("utf-8", "replace")))  # the first declaration wins
                j = d.end()
        for m in re.finditer(rb"(?i)<!ENTITY", mm):
            if not any(lo <= m.start() < hi for lo, hi in covered):
                raise refuse("an <!ENTITY declaration outside a DOCTYPE internal subset is refused", m.start())
        if not entities:
            return
        budget = max(max_entity_expansion(), 4 * size)
        total = 0
        for ref in re.finditer(rb"&(" + _NAME.encode() + rb");", mm):
            total += entities.get(ref.group(1).decode("utf-8", "replace"), 0)
            if total > budget:
                raise refuse(f"entity references expand to more than {budget} characters "
                             "(BIONN_KG_MAX_ENTITY_EXPANSION)", ref.start())


def _xml_error_position(path: Path) -> tuple[int, int, str] | None:
    """Line, column and message of the first XML well-formedness error (entities already checked)."""
    import xml.parsers.expat

    p = xml.parsers.expat.ParserCreate()
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with open(path, "rb") as fh:
            p.ParseFile(fh)
    except xml.parsers.expat.ExpatError as exc:
        return exc.lineno, exc.offset + 1, xml.parsers.expat.ErrorString(exc.code)
    return None


def _load_file(store: ox.Store, path: Path) -> None:
    from .limits import max_input_bytes

    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputFileError(
            f"{path}: unsupported file type '{path.suffix}'",
            hint="give Turtle (.ttl), N-Triples (.nt) or RDF/XML (.owl, .rdf, .xml)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    limit = max_input_bytes()
    if size > limit:
        raise InputFileError(f"{path}: file is {size} bytes, over the {limit}-byte input limit",
                             hint="split the file, or raise BIONN_KG_MAX_INPUT_BYTES")
    try:
        if fmt == ox.RdfFormat.RDF_XML:
            check_xml_entities(path, size)
        store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        msg = str(exc.msg if getattr(exc, "msg", None) else exc)
        if exc.lineno:
            where = f"{path}:{exc.lineno}: syntax error at line {exc.lineno}, column {exc.offset}"
        elif fmt == ox.RdfFormat.RDF_XML and (pos := _xml_error_position(path)) is not None:
            where = f"{path}:{pos[0]}: XML error at line {pos[0]}, column {pos[1]}"
            msg = pos[2]
        else:
            where = f"{path}: {'RDF/XML' if fmt == ox.RdfFormat.RDF_XML else 'syntax'} error"
        raise InputFileError(f"{where}: {msg}",
                             hint=f"fix the {fmt} syntax; nothing was loaded from this file") from None
    except UnicodeError as exc:
        raise InputFileError(f"{path}: the file is not valid UTF-8 ({exc})", hint="save it as UTF-8") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the file ({exc})") from None
    except MemoryError as exc:
        if "buffer maximal size" in str(exc):  # pyoxigraph's parser caps one token at 16 MiB
            raise InputFileError(f"{path}: a single literal or IRI is longer than the parser's limit ({exc})",
                                 hint="shorten that value (a label or definition of megabytes is an error)"
                                 ) from None
        raise InputFileError(f"{path}: out of memory while loading the file",
                             hint="the file is too large for this machine") from None


def check_axioms(graph: KnowledgeGraph) -> list[dict[str, Any]]:
    """Individuals whose asserted or domain/range-implied types fall in two disjoint classes.

    A fast SPARQL stand-in for the reasoner's consistency check, run on every load with ``--extra``
    files; ``bionn-kg check`` runs HermiT for the full proof.
    """
    return graph.select_named("internal/disjoint_violations")


def load_graph(extra: Iterable[str | Path] = (), *, base: bool = True,
               check: bool = True) -> KnowledgeGraph:
    """Load the shipped graph and the user's ``extra`` files into a fresh in-memory store.

    Parameters
    ----------
    extra : iterable of path
        Turtle, N-Triples or RDF/XML files written in the ontology's vocabulary.
    base : bool
        Load the shipped ontology and graph (False: only ``extra``, for tests and fixtures).
    check : bool
        Refuse extras that place an individual in two disjoint classes.

    Raises
    ------
    InputFileError
        A file is missing, of an unknown type or malformed (the message gives file and line).
    OntologyViolationError
        An extra file contradicts the ontology's disjointness axioms (the message names the entity).
    """
    store = ox.Store()
    files = list(source_files()) if base else []
    extras = [Path(p) for p in extra]
    for f in extras:
        if not f.is_file():
            raise InputFileError(f"{f}: no such file", hint="check the path given to --extra")
    for f in files + extras:
        _load_file(store, f)
    graph = KnowledgeGraph(store, files + extras, extras)
    if check and extras:
        bad = check_axioms(graph)
        if bad:
            lines = [f"  {graph.curie(r['entity'])} is typed both {graph.curie(r['class1'])} "
                     f"and {graph.curie(r['class2'])}, which are disjoint" for r in bad[:10]]
            raise OntologyViolationError(
                "the --extra files contradict the ontology's axioms:\n" + "\n".join(lines),
                hint="give each entity a single kind (for example biological OR ANN mechanism); "
                     "types also follow from the domain and range of the properties it is used with")
    return graph
