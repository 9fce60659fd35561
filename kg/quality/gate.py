"""``bionn-kg check``: every quality gate on the shipped graph plus the user's ``--extra`` files.

Order: load (a file that does not parse stops here with exit 2), the SPARQL report checks, SHACL,
HermiT, and the OWL API profile check. Each gate contributes findings; the caller applies the
exit-code contract (0 clean, 1 findings at or above ``--fail-on``, 2 error).
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .duplicates import CHECK as DUPLICATE_CHECK, run_duplicate_terms
from .report import Finding

__all__ = ["GATES", "CheckResult", "run_gates", "not_run", "SKIPPED_SUFFIX"]

GATES = ("qc", "shacl", "reasoner", "profile")
SKIPPED_SUFFIX = "_skipped"  # the check name of a gate that could not run (reasoner_skipped, profile_skipped)


@dataclass
class CheckResult:
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def not_run(self) -> list[Finding]:
        """The findings that say a gate could not run (Java missing, ...)."""
        return not_run(self.findings)


def not_run(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.check.endswith(SKIPPED_SUFFIX)]


def _level_not_run(findings: list[Finding], allow_skipped: bool) -> list[Finding]:
    """A gate that could not run is an ERROR (the check is incomplete) unless the user accepts it."""
    from dataclasses import replace

    out = []
    for f in findings:
        if f.check.endswith(SKIPPED_SUFFIX):
            msg = f.message.replace("skipped: ", "", 1)
            f = replace(f, level="INFO" if allow_skipped else "ERROR",
                        message=(f"skipped (--allow-skipped): {msg}" if allow_skipped else
                                 f"the {f.gate} gate did not run, so the check is incomplete: {msg}"),
                        fix=f.fix if allow_skipped else f"{f.fix}; or accept an incomplete check with "
                                                         f"--allow-skipped (or leave the gate out with --skip {f.gate})")
        out.append(f)
    return out


def run_gates(extra: Iterable[str | Path] = (), gates: Sequence[str] = GATES,
              qc_only: Iterable[str] | None = None, *, allow_skipped: bool = False) -> CheckResult:
    """Run the selected gates; raises KGError (exit 2) for input that cannot be loaded at all.

    A selected gate that cannot run (no Java for HermiT, no OWL API for the profile check) gives an
    ERROR finding ``<gate>_skipped`` naming what to install, or an INFO one with ``allow_skipped``.
    """
    from rdflib import OWL

    from ..graph import load_graph
    from ..release import release_graph

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    kg = load_graph(extra, check=False)
    graph = release_graph(graph=kg, imports=True)
    findings: list[Finding] = []
    imports = sorted(str(o) for o in graph.objects(None, OWL.imports))
    if imports:
        graph.remove((None, OWL.imports, None))
        findings.append(Finding("INFO", "load", "imports_not_followed", "", "owl:imports", ", ".join(imports),
                                "owl:imports are not followed (nothing is fetched from the network); "
                                "the check sees only the files given",
                                "pass the imported files with --extra to check them together"))
    timings["load"] = round(time.perf_counter() - t0, 2)

    if "qc" in gates:
        from .qc import run_checks
        t = time.perf_counter()
        findings += run_checks(kg, qc_only)
        findings += run_duplicate_terms(kg) if not qc_only or DUPLICATE_CHECK in qc_only else []
        timings["qc"] = round(time.perf_counter() - t, 2)
    if "shacl" in gates:
        from .shacl import run_shacl
        t = time.perf_counter()
        f, _ = run_shacl(graph)
        findings += f
        timings["shacl"] = round(time.perf_counter() - t, 2)
    rdfxml = None
    if "reasoner" in gates or "profile" in gates:
        from ..release import release_rdfxml
        try:
            rdfxml = release_rdfxml(graph)
        except ValueError as exc:  # a predicate IRI RDF/XML cannot express (no name at its end)
            import re
            m = re.search(r"<([^>]+)>", str(exc))
            findings.append(Finding("ERROR", "load", "rdfxml_unwritable", m.group(1) if m else "", "", "",
                                    f"the merged graph cannot be written as RDF/XML, so neither Protégé nor "
                                    f"the reasoner can read it: {exc}",
                                    "give every property an IRI that ends in a name starting with a letter "
                                    "(https://example.org/vocab/relatesTo, not .../relates/ or .../123)"))
    if "reasoner" in gates and rdfxml is not None:
        from .reasoner import run_reasoner
        t = time.perf_counter()
        from ..release import shorten_annotations
        short = shorten_annotations(graph)  # HermiT is superlinear in a literal's length; labels mean nothing to it
        f, _ = run_reasoner(rdfxml if short is graph else release_rdfxml(short), kg)
        findings += f
        timings["reasoner"] = round(time.perf_counter() - t, 2)
    if "profile" in gates and rdfxml is not None:
        from .profile import run_profile_check
        t = time.perf_counter()
        f, _ = run_profile_check(rdfxml)
        findings += f
        timings["profile"] = round(time.perf_counter() - t, 2)
    timings["total"] = round(time.perf_counter() - t0, 2)
    findings = _level_not_run(findings, allow_skipped)
    return CheckResult(sorted(findings, key=Finding.sort_key), timings, list(kg.files))
