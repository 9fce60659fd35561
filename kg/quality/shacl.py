"""SHACL validation of the knowledge graph with pySHACL (``ontology/shapes.ttl``).

The OWL axioms are open-world (a missing ANN side is merely unknown to the reasoner); the shapes state
what a record must contain to be usable. Each result is reported with the focus node (entity), the
rule (the shape's local name and its sh:message) and the fix (the shape's rdfs:comment).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputFileError
from ..graph import KnowledgeGraph
from ..paths import ontology_dir
from .report import Finding

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["shapes_path", "run_shacl"]

GATE = "shacl"
_SEVERITY = {"Violation": "ERROR", "Warning": "WARN", "Info": "INFO"}


def shapes_path() -> Path:
    return ontology_dir() / "shapes.ttl"


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def run_shacl(data: "rdflib.Graph", shapes: Path | None = None) -> tuple[list[Finding], dict]:
    """Validate ``data`` (the merged graph, TBox included so that sh:class sees subclasses)."""
    import pyshacl
    from rdflib import RDFS, Graph, Namespace, URIRef

    SH = Namespace("http://www.w3.org/ns/shacl#")
    path = shapes or shapes_path()
    sg = Graph()
    try:
        sg.parse(path, format="turtle")
    except Exception as exc:
        raise InputFileError(f"{path}: cannot parse the SHACL shapes: {exc}",
                             hint="fix the Turtle syntax of the shapes file") from None
    t0 = time.perf_counter()
    conforms, results, _text = pyshacl.validate(data, shacl_graph=sg, inference="none", abort_on_first=False,
                                                allow_warnings=True, advanced=False, meta_shacl=False)
    stats = {"shacl_s": round(time.perf_counter() - t0, 2)}
    out: list[Finding] = []
    for res in results.subjects(SH.resultSeverity, None):
        sev = results.value(res, SH.resultSeverity)
        shape = results.value(res, SH.sourceShape)
        focus = results.value(res, SH.focusNode)
        rpath = results.value(res, SH.resultPath)
        value = results.value(res, SH.value)
        msg = results.value(res, SH.resultMessage)
        fix = sg.value(shape, RDFS.comment) if shape is not None else None
        rule = _local(str(shape)) if isinstance(shape, URIRef) else str(results.value(res, SH.sourceConstraintComponent))
        out.append(Finding(
            _SEVERITY.get(_local(str(sev)), "ERROR"), GATE, f"shacl:{rule}", _short(focus),
            _short(rpath) if isinstance(rpath, URIRef) else ("(path)" if rpath is not None else ""),
            _short(value), str(msg or "violates the shape"), str(fix or "")))
    return sorted(out, key=Finding.sort_key), stats


def _short(term) -> str:
    if term is None:
        return ""
    s = str(term)
    return KnowledgeGraph.curie(s) if s.startswith(("http://", "https://")) else s
