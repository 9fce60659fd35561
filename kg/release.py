"""The release: the TBox and ABox merged into one file for Protégé, plus Turtle, SSSOM and HTML docs.

``ontology/bionn-kg.owl`` (RDF/XML) is generated from the edited sources (``ontology/bionn-kg-tbox.ttl``
and ``ontology/abox/*.ttl``) by ``python scripts/build_release.py`` or ``bionn-kg release``; both call
:func:`write_owl`. The merge adds only what Protégé and the OWL API need and the sources leave implicit:
an ``owl:NamedIndividual`` declaration for every IRI typed with a bkg class. The dated
``owl:versionIRI`` comes from the TBox. The RDF/XML is written deterministically (sorted, canonical
blank nodes) so that the checked-in file diffs cleanly, and through a temporary file renamed into place
so that a reader never sees half a file.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KGError
from .graph import PREFIXES, KnowledgeGraph, load_graph
from .paths import RELEASE_FILE, ontology_dir

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["VersionInfo", "version_info", "release_graph", "release_rdfxml", "write_text_atomic",
           "write_owl", "build_release", "release_path", "sssom_path", "RELEASE_PREFIXES"]

RELEASE_PREFIXES: dict[str, str] = {**PREFIXES, "foaf": "http://xmlns.com/foaf/0.1/"}
_DATED = re.compile(r"/(\d{4}-\d{2}-\d{2})/")


def release_path() -> Path:
    """The checked-in Protégé release, ``ontology/bionn-kg.owl``."""
    return ontology_dir() / RELEASE_FILE


def sssom_path() -> Path:
    """The checked-in SSSOM mapping table, ``ontology/mappings/bionn-kg.sssom.tsv``."""
    return ontology_dir() / "mappings" / "bionn-kg.sssom.tsv"


@dataclass(frozen=True)
class VersionInfo:
    ontology: str
    version_iri: str
    date: str


def version_info(graph: KnowledgeGraph) -> VersionInfo:
    """The ontology IRI and its dated versionIRI (``.../YYYY-MM-DD/...``); KGError if absent or undated."""
    rows = [r for r in graph.select_named("release/version_iri") if r["ontology"].startswith(PREFIXES["bkg"])]
    if not rows:
        raise KGError("the sources declare no owl:Ontology in the bkg namespace",
                      hint="the TBox ontology/bionn-kg-tbox.ttl must carry the ontology header")
    row = rows[0]
    version = row.get("version") or ""
    m = _DATED.search(version)
    if not m:
        raise KGError(f"the ontology {row['ontology']} has no dated owl:versionIRI (found {version or 'none'})",
                      hint="add owl:versionIRI <https://w3id.org/bionn-kg/releases/YYYY-MM-DD/bionn-kg.owl> "
                           "to the TBox header")
    return VersionInfo(row["ontology"], version, m.group(1))


def release_graph(extra: Iterable[str | Path] = (), *, graph: KnowledgeGraph | None = None,
                  imports: bool = True) -> "rdflib.Graph":
    """The merged graph (sources + extras) with the NamedIndividual declarations added.

    ``imports=False`` drops ``owl:imports`` statements, for tools that would fetch them over the network.
    """
    import pyoxigraph as ox
    from rdflib import OWL, RDF, Graph, URIRef

    kg = graph if graph is not None else load_graph(extra, check=False)
    data = kg.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    g = Graph()
    for p, ns in RELEASE_PREFIXES.items():
        g.bind(p, ns, override=True)
    g.parse(data=data, format="nt")
    for row in kg.select_named("release/named_individuals"):
        g.add((URIRef(row["entity"]), RDF.type, OWL.NamedIndividual))
    if not imports:
        g.remove((None, OWL.imports, None))
    return g


def release_rdfxml(graph: "rdflib.Graph") -> str:
    """Deterministic RDF/XML of a merged graph."""
    from .quality.rdfxml import serialize_rdfxml

    return serialize_rdfxml(graph, RELEASE_PREFIXES)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write through a temporary file in the same folder, then rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_owl(path: Path | None = None, *, graph: KnowledgeGraph | None = None) -> Path:
    """Write the Protégé release (RDF/XML) of the shipped sources; the checked-in file by default."""
    kg = graph if graph is not None else load_graph(check=False)
    version_info(kg)  # refuse to release without a dated versionIRI
    return write_text_atomic(path or release_path(), release_rdfxml(release_graph(graph=kg)))


def build_release(out: Path, *, docs: bool = True, sssom: bool = True, computed: bool = True,
                  preset: str = "balanced", threshold: float | None = None) -> list[Path]:
    """Write every release artefact into ``out``: bionn-kg.owl, bionn-kg.ttl, the SSSOM table, docs/ and the
    computed analogies (bionn-kg-computed-analogies.nq).

    Returns the paths written. ``computed=False`` leaves the engine's computed mappings out of SSSOM and the computed analogies out.
    """
    out = Path(out)
    kg = load_graph(check=False)
    info = version_info(kg)
    g = release_graph(graph=kg)
    written = [write_text_atomic(out / RELEASE_FILE, release_rdfxml(g))]
    ttl = g.serialize(format="turtle")
    written.append(write_text_atomic(out / RELEASE_FILE.replace(".owl", ".ttl"), ttl))
    if sssom:
        from .quality.sssom import DEFAULT_THRESHOLD, sssom_text

        text = sssom_text(kg, info, computed=computed, preset=preset,
                          threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
        written.append(write_text_atomic(out / "mappings" / "bionn-kg.sssom.tsv", text))
    if computed:  # the engine's top-k analogies (kg.computed), a separate N-Quads file in their own graph
        from .computed import write_nquads
        written.append(write_nquads(kg, out / "bionn-kg-computed-analogies.nq", preset=preset))
    if docs:
        from .quality.docs import write_docs

        written.append(write_docs(out / RELEASE_FILE, out / "docs"))
    return written
