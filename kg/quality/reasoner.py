"""Reasoning with HermiT through owlready2: consistency, unsatisfiable classes, hierarchy surprises.

owlready2 cannot read Turtle and follows ``owl:imports`` over the network, so it is given the merged
graph as RDF/XML with the imports removed. HermiT reports an inconsistent ontology with an empty
exception; the disjointness query ``queries/internal/disjoint_violations.rq`` then names the entity
(an individual in two disjoint classes, by its types or by the domains and ranges of its properties).
"""
from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .report import Finding

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import KnowledgeGraph

__all__ = ["run_reasoner", "java_available"]

GATE = "reasoner"
OWL_THING = "http://www.w3.org/2002/07/owl#Thing"
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


def java_available() -> str | None:
    """Path of the java executable owlready2 would use, or None."""
    import owlready2

    exe = getattr(owlready2, "JAVA_EXE", "java")
    return shutil.which(exe) or (exe if Path(exe).is_file() else None)


def _named_ancestors(cls) -> set[str]:
    return {a.iri for a in cls.ancestors(include_self=False) if hasattr(a, "iri") and a.iri != OWL_THING}


def _java_message(text: str) -> str:
    """The useful line of a Java error (the exception and its message), not the stack trace."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if re.search(r"(Exception|Error)\b", ln) and not ln.startswith("at "):
            return ln[:400]
    return (lines[-1] if lines else "no message")[:400]


def explain_inconsistency(kg: "KnowledgeGraph") -> list[Finding]:
    """Name the entities behind an inconsistency with the disjointness query (and a generic fallback)."""
    out = []
    for r in kg.select_named("internal/disjoint_violations"):
        e, c1, c2 = kg.curie(r["entity"]), kg.curie(r["class1"]), kg.curie(r["class2"])
        out.append(Finding(
            "ERROR", GATE, "inconsistent_ontology", e, "rdf:type", f"{c1} and {c2}",
            f"{e} is a {c1} and a {c2} (by its asserted types or by the domain and range of the properties "
            f"used with it), but the ontology declares these classes disjoint, so the ontology is inconsistent",
            f"give {e} one kind only: remove one rdf:type, or use a property whose domain/range fits it"))
    if not out:
        out.append(Finding(
            "ERROR", GATE, "inconsistent_ontology", "", "", "",
            "HermiT finds the ontology inconsistent, and no individual falls in two disjoint classes; other "
            "causes are a functional property with two different values, a value outside an owl:oneOf "
            "enumeration (such as a rating other than High/Moderate/Low) or a literal outside its datatype range",
            "look at the report's other ERRORs (SHACL and qc checks), or open ontology/bionn-kg.owl in Protégé "
            "and use Reasoner > Explain inconsistency"))
    return out


def run_reasoner(rdfxml: str, kg: "KnowledgeGraph") -> tuple[list[Finding], dict]:
    """HermiT on the merged graph: findings and timing stats.

    ``rdfxml`` is the merged graph as RDF/XML without owl:imports (owlready2 would fetch them); ``kg``
    is the same content in the Oxigraph store, used to explain an inconsistency.
    """
    import owlready2

    stats: dict = {}
    if java_available() is None:
        return [Finding("INFO", GATE, "reasoner_skipped", message="skipped: no Java runtime found, so "
                        "HermiT cannot run", fix="install Java 17 (Debian: apt-get install openjdk-17-jre-headless)")], stats
    with tempfile.TemporaryDirectory(prefix="bionn-kg-reason-") as tmp:
        path = Path(tmp) / "merged.owl"
        path.write_text(rdfxml, encoding="utf-8")
        world = owlready2.World()
        t0 = time.perf_counter()
        try:
            world.get_ontology(path.as_uri()).load()
        except Exception as exc:  # owlready2 parse errors carry no position we could add to
            return [Finding("ERROR", GATE, "owlready2_load", str(path.name), "", "",
                            f"owlready2 cannot read the merged ontology: {type(exc).__name__}: {exc}",
                            "run `bionn-kg check --only profile` to see what the OWL API says")], stats
        stats["load_s"] = round(time.perf_counter() - t0, 2)
        classes = [c for c in world.classes() if hasattr(c, "iri")]
        asserted = {c.iri: _named_ancestors(c) for c in classes}
        asserted_eq = {c.iri: {e.iri for e in c.equivalent_to if hasattr(e, "iri")} for c in classes}
        t0 = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            stats["reason_s"] = round(time.perf_counter() - t0, 2)
            return explain_inconsistency(kg), stats
        except owlready2.OwlReadyJavaError as exc:
            msg = _java_message(str(exc))
            fix = ("use only OWL 2 datatypes (xsd:string, xsd:integer, xsd:decimal, xsd:double, xsd:boolean, "
                   "xsd:dateTime, ...) in data property values" if "atatype" in msg
                   else "run `bionn-kg check --only profile` for the OWL API's view of the file")
            return [Finding("ERROR", GATE, "reasoner_failed", "", "", "", f"HermiT failed: {msg}", fix)], stats
        except OSError as exc:
            return [Finding("INFO", GATE, "reasoner_skipped", message=f"skipped: cannot start Java ({exc})",
                            fix="install Java 17 and check that `java -version` works")], stats
        stats["reason_s"] = round(time.perf_counter() - t0, 2)
        return _hierarchy_findings(world, classes, asserted, asserted_eq, kg), stats


def _hierarchy_findings(world, classes, asserted, asserted_eq, kg) -> list[Finding]:
    out: list[Finding] = []
    unsat = {c.iri for c in world.inconsistent_classes() if hasattr(c, "iri")} - {OWL_NOTHING}
    for iri in sorted(unsat):
        e = kg.curie(iri)
        out.append(Finding(
            "ERROR", GATE, "unsatisfiable_class", e, "owl:equivalentClass", "owl:Nothing",
            f"{e} can have no members: its superclasses or restrictions contradict each other "
            f"(for example it is a subclass of two disjoint classes)",
            f"remove the conflicting rdfs:subClassOf or disjointness axiom of {e}"))
    after = {c.iri: _named_ancestors(c) for c in classes}
    for c in classes:
        if c.iri in unsat:
            continue
        inferred = after[c.iri] - asserted.get(c.iri, set())
        # report only where the surprise starts: not what a superclass's own surprise already explains
        inherited = set().union(*(after.get(a, set()) for a in asserted.get(c.iri, set())))
        for sup in sorted(inferred - inherited):
            e, s = kg.curie(c.iri), kg.curie(sup)
            out.append(Finding(
                "WARN", GATE, "inferred_subclass", e, "rdfs:subClassOf", s,
                f"HermiT infers that {e} is a subclass of {s}, which the ontology does not assert",
                f"if intended, assert `{e} rdfs:subClassOf {s}`; if not, find the axiom (domain, range, "
                f"equivalence) that implies it"))
        eqs = {e.iri for e in c.equivalent_to if hasattr(e, "iri")} - asserted_eq.get(c.iri, set()) - {c.iri}
        for eq in sorted(eqs):
            if c.iri < eq:
                e, s = kg.curie(c.iri), kg.curie(eq)
                out.append(Finding(
                    "WARN", GATE, "inferred_equivalence", e, "owl:equivalentClass", s,
                    f"HermiT infers that {e} and {s} are equivalent classes",
                    "make the two definitions differ, or merge the classes"))
    if not out:
        out.append(Finding("INFO", GATE, "reasoner_ok", "", "", "",
                           f"HermiT: consistent, {len(classes)} classes, none unsatisfiable, "
                           f"inferred class hierarchy equals the asserted one", ""))
    return out
