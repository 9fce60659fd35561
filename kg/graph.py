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

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import InputFileError, OntologyViolationError
from .paths import source_files
from .queries import load_query

__all__ = ["KnowledgeGraph", "load_graph", "BKG", "PREFIXES", "FORMATS_BY_SUFFIX", "MAX_INPUT_BYTES"]

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
# The machine's Expat predates the entity-expansion hardening: cap what we parse.
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


class KnowledgeGraph:
    """The loaded graph: an Oxigraph store plus the files it came from.

    Parameters
    ----------
    store : pyoxigraph.Store
        The store holding every triple in its default graph.
    files : list of Path
        The files loaded, in order (shipped sources first, then extras).
    """

    def __init__(self, store: ox.Store, files: Sequence[Path], extra_files: Sequence[Path] = ()):
        self.store = store
        self.files = list(files)
        self.extra_files = list(extra_files)

    # -- querying ---------------------------------------------------------------------------------
    def raw_query(self, text: str, bindings: Mapping[str, Any] | None = None):
        subs = None
        if bindings:
            subs = {ox.Variable(k): _to_term(v) for k, v in bindings.items()}
        return self.store.query(text, prefixes=PREFIXES, substitutions=subs)

    def select(self, text: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query; rows as dicts of plain Python values (IRIs as strings)."""
        res = self.raw_query(text, bindings)
        names = [v.value for v in res.variables]
        conv = _term_to_python
        return [{n: conv(t) for n, t in zip(names, sol)} for sol in res]

    def select_named(self, name: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a shipped query from ``queries/`` by name (``internal/labels`` -> queries/internal/labels.rq)."""
        return self.select(load_query(name).text, bindings)

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


def _load_file(store: ox.Store, path: Path) -> None:
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputFileError(
            f"{path}: unsupported file type '{path.suffix}'",
            hint="give Turtle (.ttl), N-Triples (.nt) or RDF/XML (.owl, .rdf, .xml)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    if size > MAX_INPUT_BYTES:
        raise InputFileError(f"{path}: file is {size} bytes, over the {MAX_INPUT_BYTES}-byte input limit")
    try:
        store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        where = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "unknown position"
        msg = str(exc.msg if hasattr(exc, "msg") else exc)
        raise InputFileError(f"{path}:{exc.lineno or 0}: syntax error at {where}: {msg}",
                             hint=f"fix the {fmt} syntax; nothing was loaded from this file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the file ({exc})") from None


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
