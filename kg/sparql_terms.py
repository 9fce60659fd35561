"""One engine-neutral form for result terms, so that every backend yields the same row values.

Why: rows come from pyoxigraph terms, rdflib terms or SPARQL JSON results (Oxigraph server, Virtuoso).
Each is turned into a :data:`Cell` ``(kind, value, datatype, lang)``; :func:`to_python` then gives the
same plain Python values as :meth:`kg.graph.KnowledgeGraph.select` (IRIs as str, numbers typed), and
:func:`normalise` gives the comparison key used by the cross-engine conformance test.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

__all__ = ["Cell", "from_oxigraph", "from_rdflib", "from_json", "to_python", "normalise", "to_display"]

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER_TYPES = tuple(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"))
_FLOAT_TYPES = (XSD + "double", XSD + "decimal", XSD + "float")


class Cell(NamedTuple):
    kind: str  # "iri", "bnode" or "literal"
    value: str
    datatype: str | None = None
    lang: str | None = None


def from_oxigraph(term: Any) -> Cell | None:
    import pyoxigraph as ox
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Cell("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        lang = term.language
        dt = None if lang else (term.datatype.value if term.datatype is not None else None)
        return Cell("literal", term.value, dt, lang)
    return Cell("literal", str(term))


def from_rdflib(term: Any) -> Cell | None:
    from rdflib.term import BNode, Literal, URIRef
    if term is None:
        return None
    if isinstance(term, URIRef):
        return Cell("iri", str(term))
    if isinstance(term, BNode):
        return Cell("bnode", str(term))
    if isinstance(term, Literal):
        lang = term.language
        dt = None if lang else (str(term.datatype) if term.datatype is not None else XSD + "string")
        return Cell("literal", str(term), dt, lang)
    return Cell("literal", str(term))


def from_json(b: dict[str, Any] | None) -> Cell | None:
    """A term of the SPARQL 1.1 JSON results format (``typed-literal`` from older servers too)."""
    if b is None:
        return None
    t = b.get("type")
    value = b.get("value")
    if not isinstance(value, str):
        raise ValueError(f"malformed term in JSON results: {b!r}")
    if t == "uri":
        return Cell("iri", value)
    if t == "bnode":
        return Cell("bnode", value)
    if t in ("literal", "typed-literal"):
        lang = b.get("xml:lang") or None
        dt = None if lang else (b.get("datatype") or XSD + "string")
        return Cell("literal", value, dt, lang)
    raise ValueError(f"unknown term type {t!r} in JSON results")


def to_python(c: Cell | None) -> Any:
    """The plain Python value, exactly as :func:`kg.graph._term_to_python` gives it."""
    if c is None:
        return None
    if c.kind == "iri":
        return c.value
    if c.kind == "bnode":
        return "_:" + c.value
    dt = c.datatype or ""
    try:
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(c.value)
        if dt.endswith(("#double", "#decimal", "#float")):
            return float(c.value)
    except ValueError:
        return c.value
    if dt.endswith("#boolean"):
        return c.value in ("true", "1")
    return c.value


def normalise(c: Cell | None) -> tuple | None:
    """Comparison key across engines; documented in tests/test_conformance.py.

    - numbers of any numeric XSD type compare by value, rounded to 12 significant digits
      (engines print ``1.0E0`` / ``1e0`` / ``1.0``, and Virtuoso may return a decimal as a double);
    - a plain literal equals the same ``xsd:string`` literal (RDF 1.1 says they are the same term);
    - language tags compare case-insensitively (BCP 47 tags are case-insensitive);
    - blank nodes compare as "a blank node" (their labels are engine-local).
    """
    if c is None:
        return None
    if c.kind == "bnode":
        return ("bnode",)
    if c.kind == "iri":
        return ("iri", c.value)
    dt = c.datatype or XSD + "string"
    if c.lang:
        return ("lang", c.value, c.lang.lower())
    if dt in _INTEGER_TYPES or dt in _FLOAT_TYPES:
        try:
            x = float(c.value)
        except ValueError:
            return ("literal", c.value, dt)
        if math.isnan(x) or math.isinf(x):
            return ("number", repr(x))
        return ("number", float(f"{x:.12g}"))
    if dt == XSD + "boolean":
        return ("boolean", c.value in ("true", "1"))
    return ("literal", c.value, dt)


def to_display(c: Cell | None, curie) -> Any:
    """Value for text output: IRIs compacted with ``curie``, literals as Python values."""
    if c is not None and c.kind == "iri":
        return curie(c.value)
    return to_python(c)
