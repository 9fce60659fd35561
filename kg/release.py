"""The release: the TBox and ABox merged into one file for Protégé, plus Turtle, SSSOM and HTML docs.

``ontology/bionn-kg.owl`` (RDF/XML) is generated from the edited sources (``ontology/bionn-kg-tbox.ttl``
and ``ontology/abox/*.ttl``) by ``python scripts/build_release.py`` or ``bionn-kg release``; both call
:func:`write_owl`. The merge adds only what Protégé and the OWL API need and the sources leave implicit:
an ``owl:NamedIndividual`` declaration for every IRI typed with a bkg class, and the OBO annotations of
:func:`derived_triples` (``obo:IAO_0000115`` beside every ``skos:definition``). The dated
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

__all__ = ["VersionInfo", "version_info", "derived_triples", "release_graph", "release_rdfxml", "write_text_atomic",
           "write_owl", "build_release", "release_path", "sssom_path", "RELEASE_PREFIXES", "RELEASE_MARKER",
           "shorten_annotations"]

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


def derived_triples(graph: KnowledgeGraph) -> list:
    """The triples the release adds to the sources (``queries/release/obo_annotations.rq``), as Oxigraph triples.

    Definitions are written once, as ``skos:definition``; OBO tools (ROBOT, OAK) read ``obo:IAO_0000115``,
    so the release and ``bionn-kg serve`` carry both. Deriving keeps one source of truth in the Turtle.
    """
    from .queries import load_query

    return list(graph.raw_query(load_query("release/obo_annotations").text))


def release_graph(extra: Iterable[str | Path] = (), *, graph: KnowledgeGraph | None = None,
                  imports: bool = True) -> "rdflib.Graph":
    """The merged graph (sources + extras) with the NamedIndividual declarations and OBO annotations added.

    ``imports=False`` drops ``owl:imports`` statements, for tools that would fetch them over the network.
    """
    import pyoxigraph as ox
    from rdflib import OWL, RDF, Graph, URIRef

    kg = graph if graph is not None else load_graph(extra, check=False)
    g = Graph()
    for p, ns in RELEASE_PREFIXES.items():
        g.bind(p, ns, override=True)
    # Terms are converted one by one, not dumped to N-Triples and re-parsed: rdflib's N-Triples reader
    # is quadratic in the length of a line (a 3 MB label took 26 s, 30 MB more than 10 min).
    conv = _RdflibTerms()
    g.addN((conv(q.subject), conv(q.predicate), conv(q.object), g)
           for q in kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for row in kg.select_named("release/named_individuals"):
        g.add((URIRef(row["entity"]), RDF.type, OWL.NamedIndividual))
    # derived OBO annotations (IAO:0000115), converted term by term like the rest (no N-Triples re-parse)
    g.addN((conv(d.subject), conv(d.predicate), conv(d.object), g) for d in derived_triples(kg))
    if not imports:
        g.remove((None, OWL.imports, None))
    return g


class _RdflibTerms:
    """pyoxigraph term -> the rdflib term rdflib's N-Triples parser would have made (cached IRIs)."""

    def __init__(self) -> None:
        from rdflib import BNode, Literal, URIRef
        self.URIRef, self.BNode, self.Literal = URIRef, BNode, Literal
        self.iris: dict[str, object] = {}

    def __call__(self, term):
        import pyoxigraph as ox
        if isinstance(term, ox.NamedNode):
            v = term.value
            t = self.iris.get(v)
            if t is None:
                t = self.iris[v] = self.URIRef(v)
            return t
        if isinstance(term, ox.BlankNode):
            return self.BNode(term.value)
        if term.language:
            return self.Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return self.Literal(term.value)
        return self.Literal(term.value, datatype=self.URIRef(dt))


ANNOTATION_SHORTEN_AT = 4096


def shorten_annotations(graph: "rdflib.Graph", max_chars: int = ANNOTATION_SHORTEN_AT) -> "rdflib.Graph":
    """The graph with annotation literals longer than ``max_chars`` cut to that length (a copy, or the
    graph itself when none is that long), for the reasoner only.

    Why: annotations carry no logical meaning in OWL 2, but HermiT's parser is superlinear in the length
    of a literal (a 6 MB label took 47 s); ``check`` must stay linear in the input. Data property
    values (which the reasoner checks against their datatype) are never touched.
    """
    from rdflib import OWL, RDF, RDFS, Graph, Literal

    builtin = {str(RDFS.label), str(RDFS.comment), str(RDFS.seeAlso), str(RDFS.isDefinedBy),
               str(OWL.versionInfo), str(OWL.deprecated)}
    long = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and len(o) > max_chars]
    if not long:
        return graph
    annotation = builtin | {str(p) for p in graph.subjects(RDF.type, OWL.AnnotationProperty)}
    long = [t for t in long if str(t[1]) in annotation]
    if not long:
        return graph
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    for t in graph:
        out.add(t)
    for s, p, o in long:
        out.remove((s, p, o))
        out.add((s, p, Literal(str(o)[:max_chars] + "...", lang=o.language,
                               datatype=None if o.language else o.datatype)))
    return out


def release_rdfxml(graph: "rdflib.Graph") -> str:
    """Deterministic RDF/XML of a merged graph."""
    from .quality.rdfxml import serialize_rdfxml

    return serialize_rdfxml(graph, RELEASE_PREFIXES)


def _remove_stale_temporaries(path: Path) -> None:
    """Remove ``.NAME.PID-XXXX.tmp`` files that a killed writer of ``path`` left (its pid is gone)."""
    import glob

    from .staging import pid_alive

    for p in path.parent.glob(f".{glob.escape(path.name)}.*-*.tmp"):
        pid = p.name[len(path.name) + 2:].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            p.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write through a temporary file in the same folder, then rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
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


RELEASE_MARKER = ".bionn-kg-release"
_RELEASE_ENTRIES = {RELEASE_FILE, RELEASE_FILE.replace(".owl", ".ttl"), "mappings", "docs", RELEASE_MARKER}


def _check_release_target(out: Path) -> None:
    """Refuse to replace a folder that is not a previous release (or empty)."""
    from .staging import check_target_dir

    check_target_dir(out)
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise KGError(f"--out {out} exists and is not a folder", hint="give a new folder or a previous release")
    names = {p.name for p in out.iterdir()}
    if names and RELEASE_MARKER not in names and not names <= _RELEASE_ENTRIES:
        raise KGError(f"--out {out} holds files that are not a bionn-kg release; refusing to replace it",
                      hint="give a new folder, or the folder of a previous release")


def build_release(out: Path, *, docs: bool = True, sssom: bool = True, computed: bool = True,
                  preset: str = "balanced", threshold: float | None = None,
                  extra: Iterable[str | Path] = (), weights: str | dict[str, float] | None = None) -> list[Path]:
    """Write every release artefact into ``out``: bionn-kg.owl, bionn-kg.ttl, the SSSOM table, docs/ and the
    computed analogies (bionn-kg-computed-analogies.nq).

    All or nothing: the release is built in a staging folder next to ``out`` and swapped in at the end
    (:mod:`kg.staging`); a failure leaves the previous ``out`` as it was. ``out`` must be new, empty or
    a previous release. Returns the paths written. ``computed=False`` leaves the engine's computed
    mappings out of SSSOM and the computed analogies out; ``threshold`` (a finite number in [0, 1]) is
    the minimum E of a computed mapping. ``extra``: files released with the shipped graph (a release of
    an extension); ``weights``: custom weights of the computed results (override ``preset``).
    """
    import math
    import shutil

    from .staging import make_staging, swap_in

    if threshold is not None and not (isinstance(threshold, (int, float)) and math.isfinite(threshold)
                                      and 0.0 <= threshold <= 1.0):
        raise KGError(f"--threshold {threshold!r} is not a number between 0 and 1",
                      hint="E lies in [0, 1]; e.g. --threshold 0.5")
    out = Path(out)
    _check_release_target(out)
    stage = make_staging(out)  # before the computation: an unwritable --out fails at once
    try:
        kg = load_graph(extra, check=False)
        info = version_info(kg)
        g = release_graph(graph=kg)
        names = [RELEASE_FILE]
        write_text_atomic(stage / RELEASE_FILE, release_rdfxml(g))
        ttl = g.serialize(format="turtle")
        names.append(RELEASE_FILE.replace(".owl", ".ttl"))
        write_text_atomic(stage / names[-1], ttl)
        if sssom:
            from .quality.sssom import DEFAULT_THRESHOLD, sssom_text

            text = sssom_text(kg, info, computed=computed, preset=preset, weights=weights,
                              threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
            names.append("mappings/bionn-kg.sssom.tsv")
            write_text_atomic(stage / names[-1], text)
        if computed:  # the engine's top-k analogies (kg.computed), a separate N-Quads file in their own graph
            from .computed import write_nquads
            names.append("bionn-kg-computed-analogies.nq")
            write_nquads(kg, stage / names[-1], preset=preset, weights=weights)
        if docs:
            from .quality.docs import write_docs

            doc = write_docs(stage / RELEASE_FILE, stage / "docs", graph=kg)
            names.append(str(Path(doc).relative_to(stage)))
        (stage / RELEASE_MARKER).write_text(f"written by bionn-kg release ({info.version_iri})\n",
                                            encoding="utf-8")
        swap_in(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return [out / n for n in names]
