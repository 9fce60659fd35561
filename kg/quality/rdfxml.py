"""A deterministic RDF/XML writer, so that the checked-in release diffs cleanly.

rdflib's RDF/XML serialisers iterate subjects in hash order and label blank nodes at random, so two
runs on the same graph give different files. This writer:

* canonicalises blank-node labels first (RGDA1, ``rdflib.compare.to_canonical_graph``), so labels depend
  only on the graph's content;
* writes ontology header, annotation properties, object properties, datatype properties, classes, then
  individuals, each group sorted by IRI, and each node's statements sorted by predicate and object;
* nests a blank node that is the object of exactly one statement inside that statement (as Protégé and
  the OWL API write class expressions), RDF lists of resources as ``rdf:parseType="Collection"``;
  remaining blank nodes are written at top level with their canonical ``rdf:nodeID``.

The output parses to a graph isomorphic to the input (tests/test_release.py checks it).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["serialize_rdfxml"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_GROUPS = [OWL + "Ontology", OWL + "AnnotationProperty", OWL + "ObjectProperty", OWL + "DatatypeProperty",
           OWL + "Class", RDF + "Description"]


class _QNames:
    """IRI -> prefix:local with the given prefixes, inventing ``ns1``... for the rest (sorted, stable)."""

    def __init__(self, prefixes: Mapping[str, str]):
        self.prefixes = dict(prefixes)
        self.prefixes.setdefault("rdf", RDF)
        self.by_ns = {ns: p for p, ns in self.prefixes.items()}
        self.used: set[str] = {RDF}

    def split(self, iri: str) -> tuple[str, str] | None:
        best = None
        for ns in self.by_ns:
            if iri.startswith(ns) and _NCNAME.match(iri[len(ns):]):
                if best is None or len(ns) > len(best):
                    best = ns
        if best is not None:
            return best, iri[len(best):]
        m = re.match(r"^(.*[#/])([A-Za-z_][A-Za-z0-9_.\-]*)$", iri)
        return (m.group(1), m.group(2)) if m else None

    def register(self, iri: str) -> bool:
        sp = self.split(iri)
        if sp is None:
            return False
        self.used.add(sp[0])
        return True

    def finish(self) -> None:
        n = 1
        for ns in sorted(self.used):
            if ns not in self.by_ns:
                while f"ns{n}" in self.prefixes:
                    n += 1
                self.prefixes[f"ns{n}"] = ns
                self.by_ns[ns] = f"ns{n}"

    def qname(self, iri: str) -> str:
        ns, local = self.split(iri)  # type: ignore[misc]
        return f"{self.by_ns[ns]}:{local}"

    def declarations(self) -> list[tuple[str, str]]:
        return sorted((self.by_ns[ns], ns) for ns in self.used)


def serialize_rdfxml(graph: "rdflib.Graph", prefixes: Mapping[str, str]) -> str:
    """The graph as RDF/XML text, identical for isomorphic graphs.

    Raises ValueError if a predicate IRI cannot be written as an XML QName (RDF/XML cannot express it).
    """
    from rdflib import BNode, Literal, URIRef
    from rdflib.compare import to_canonical_graph

    g = to_canonical_graph(graph) if any(isinstance(t, BNode) for tr in graph for t in tr) else graph
    rdf_type, rdf_first, rdf_rest, rdf_nil = (URIRef(RDF + x) for x in ("type", "first", "rest", "nil"))

    out_edges: dict = defaultdict(list)
    refs: Counter = Counter()
    for s, p, o in g:
        out_edges[s].append((p, o))
        if isinstance(o, BNode):
            refs[o] += 1

    def okey(o) -> tuple:
        if isinstance(o, URIRef):
            return (0, str(o), "", "")
        if isinstance(o, BNode):
            return (2, str(o), "", "")
        return (1, str(o), str(o.datatype or ""), str(o.language or ""))

    for s in out_edges:
        out_edges[s].sort(key=lambda po: (str(po[0]), okey(po[1])))

    q = _QNames(prefixes)
    for s, edges in out_edges.items():
        for p, o in edges:
            if not q.register(str(p)):
                raise ValueError(f"predicate <{p}> cannot be written as an RDF/XML QName")
            if p == rdf_type and isinstance(o, URIRef):
                q.register(str(o))
    q.finish()

    def is_collection(node) -> bool:
        """A proper list of resources (no literals), every cell used once, ending in rdf:nil."""
        seen = set()
        while node != rdf_nil:
            if not isinstance(node, BNode) or node in seen or refs[node] != 1:
                return False
            seen.add(node)
            edges = out_edges.get(node, [])
            preds = sorted(str(p) for p, _ in edges)
            if preds != [str(rdf_first), str(rdf_rest)]:
                return False
            first = next(o for p, o in edges if p == rdf_first)
            if isinstance(first, Literal):
                return False
            node = next(o for p, o in edges if p == rdf_rest)
        return True

    def collection_items(node) -> list:
        items = []
        while node != rdf_nil:
            edges = dict(out_edges[node])
            items.append(edges[rdf_first])
            node = edges[rdf_rest]
        return items

    def element_type(node) -> str | None:
        types = sorted(str(o) for p, o in out_edges.get(node, []) if p == rdf_type and isinstance(o, URIRef))
        types = [t for t in types if q.split(t) is not None]
        if not types:
            return None
        owl_types = [t for t in types if t.startswith(OWL)]
        return (owl_types or types)[0]

    written: set = set()
    lines: list[str] = []

    def write_node(node, indent: int, *, top: bool) -> None:
        pad = "    " * indent
        written.add(node)
        etype = element_type(node)
        tag = q.qname(etype) if etype else "rdf:Description"
        if isinstance(node, URIRef):
            attr = f" rdf:about={quoteattr(str(node))}"
        elif refs[node] > 1 or (top and refs[node] == 1):
            attr = f" rdf:nodeID={quoteattr('b' + str(node))}"
        else:
            attr = ""
        body = [(p, o) for p, o in out_edges.get(node, [])
                if not (p == rdf_type and etype is not None and str(o) == etype)]
        if not body:
            lines.append(f"{pad}<{tag}{attr}/>")
            return
        lines.append(f"{pad}<{tag}{attr}>")
        for p, o in body:
            write_property(p, o, indent + 1)
        lines.append(f"{pad}</{tag}>")

    def write_object_inline(o, indent: int) -> None:
        pad = "    " * indent
        if isinstance(o, URIRef):
            lines.append(f"{pad}<rdf:Description rdf:about={quoteattr(str(o))}/>")
        elif refs[o] != 1 or o in written or o in stack:
            lines.append(f"{pad}<rdf:Description rdf:nodeID={quoteattr('b' + str(o))}/>")
        else:
            write_node(o, indent, top=False)

    def write_property(p, o, indent: int) -> None:
        pad = "    " * indent
        tag = q.qname(str(p))
        if isinstance(o, URIRef):
            lines.append(f"{pad}<{tag} rdf:resource={quoteattr(str(o))}/>")
        elif isinstance(o, Literal):
            attrs = ""
            if o.language:
                attrs = f" xml:lang={quoteattr(o.language)}"
            elif o.datatype:
                attrs = f" rdf:datatype={quoteattr(str(o.datatype))}"
            text = escape(str(o)).replace("\r", "&#13;")
            lines.append(f"{pad}<{tag}{attrs}>{text}</{tag}>")
        elif refs[o] == 1 and o not in written and o not in stack:
            stack.add(o)
            if is_collection(o):
                lines.append(f'{pad}<{tag} rdf:parseType="Collection">')
                for item in collection_items(o):
                    written.update(_cells(o))
                    write_object_inline(item, indent + 1)
                lines.append(f"{pad}</{tag}>")
            else:
                lines.append(f"{pad}<{tag}>")
                write_node(o, indent + 1, top=False)
                lines.append(f"{pad}</{tag}>")
            stack.discard(o)
        else:
            lines.append(f"{pad}<{tag} rdf:nodeID={quoteattr('b' + str(o))}/>")

    def _cells(node) -> list:
        cells = []
        while node != rdf_nil:
            cells.append(node)
            node = dict(out_edges[node])[rdf_rest]
        return cells

    stack: set = set()
    lines.append('<?xml version="1.0" encoding="utf-8"?>')
    decl = "".join(f'\n    xmlns:{p}="{escape(ns)}"' for p, ns in q.declarations())
    lines.append(f"<rdf:RDF{decl}>")

    def group_of(node) -> int:
        et = element_type(node)
        return _GROUPS.index(et) if et in _GROUPS else len(_GROUPS) - 1

    iris = sorted((s for s in out_edges if isinstance(s, URIRef)), key=lambda s: (group_of(s), str(s)))
    for s in iris:
        lines.append("")
        write_node(s, 1, top=True)
    # Blank nodes that are not the object of exactly one statement (top-level axioms such as
    # owl:AllDisjointClasses), then anything left (cycles), in canonical-label order.
    for b in sorted((s for s in out_edges if isinstance(s, BNode) and refs[s] != 1), key=str):
        if b not in written:
            lines.append("")
            write_node(b, 1, top=True)
    for b in sorted((s for s in out_edges if isinstance(s, BNode)), key=str):
        if b not in written:
            lines.append("")
            write_node(b, 1, top=True)
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"
