"""OWL 2 DL profile validation with the OWL API (what Protégé is built on), through a small Java program.

``scripts/owlapi/ProfileCheck.java`` (shipped in the wheel as ``kg/_data/owlapi/``) is compiled at first use (javac from Java 17) into a cache folder
keyed by the hash of its source and classpath, against Debian's ``libowlapi-java`` jars in
``/usr/share/java``. When Java, javac or the jars are missing, the gate says so as one INFO finding
("skipped: ..."), never a Java traceback. Override the jar folder with ``BIONN_KG_JAVA_DIR`` and the
cache with ``BIONN_KG_CACHE``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ..paths import owlapi_source
from .report import Finding

__all__ = ["JARS", "classpath", "ensure_compiled", "run_profile_check", "profile_check_file", "ProfileUnavailable"]

GATE = "profile"
# The minimal classpath that loads RDF/XML and Turtle and runs Profiles.OWL2_DL (stack-facts.md).
JARS = ("owlapi-distribution", "slf4j-api", "slf4j-nop", "atinject-jsr330-api", "guava", "caffeine",
        "commons-io", "commons-rdf-api", "hppcrt", "xz", "rdf4j-model-api", "rdf4j-model-vocabulary",
        "rdf4j-model", "rdf4j-rio-api", "rdf4j-util")
TIMEOUT_S = 300

_FIX = {
    "UseOfUndeclaredObjectProperty": "declare it: `{e} a owl:ObjectProperty`",
    "UseOfUndeclaredDataProperty": "declare it: `{e} a owl:DatatypeProperty`",
    "UseOfUndeclaredAnnotationProperty": "declare it: `{e} a owl:AnnotationProperty` (or the right property kind)",
    "UseOfUndeclaredClass": "declare it: `{e} a owl:Class`",
    "UseOfUndeclaredDatatype": "declare the datatype or use an OWL 2 datatype (xsd:string, xsd:decimal, ...)",
    "IllegalPunning": "use {e} as one kind of entity only (class, object, data or annotation property)",
    "UseOfUnknownDatatype": "use an OWL 2 datatype (xsd:string, xsd:integer, xsd:decimal, xsd:double, ...)",
    "UseOfNonSimplePropertyInFunctionalPropertyAxiom": "a transitive or chained property cannot be functional",
    "UseOfReservedVocabularyForIndividualIRI": "do not use rdf/rdfs/owl/xsd IRIs as individuals",
}


class ProfileUnavailable(Exception):
    """Java, javac or the OWL API jars are missing: the message says which."""


def java_dir() -> Path:
    return Path(os.environ.get("BIONN_KG_JAVA_DIR", "/usr/share/java"))


def classpath() -> list[Path]:
    """The OWL API jars; ProfileUnavailable naming the missing ones."""
    jars = [java_dir() / f"{name}.jar" for name in JARS]
    missing = [j.name for j in jars if not j.is_file()]
    if missing:
        raise ProfileUnavailable(
            f"the OWL API jars are not installed ({', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''} "
            f"missing in {java_dir()}); on Debian/Ubuntu: apt-get install libowlapi-java libslf4j-java")
    return jars


def cache_dir() -> Path:
    """``$BIONN_KG_CACHE``, else ``$XDG_CACHE_HOME/bionn-kg``, else ``~/.cache/bionn-kg``."""
    if os.environ.get("BIONN_KG_CACHE"):
        return Path(os.environ["BIONN_KG_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bionn-kg"


def source_file() -> Path:
    """``scripts/owlapi/ProfileCheck.java`` (``kg/_data/owlapi/`` in an installed package)."""
    return owlapi_source()


def ensure_compiled() -> tuple[Path, list[Path]]:
    """Compile ProfileCheck.java once per source+classpath hash; (class folder, jars)."""
    java = shutil.which("java")
    if java is None:
        raise ProfileUnavailable("no `java` on PATH; on Debian/Ubuntu: apt-get install openjdk-17-jdk-headless")
    jars = classpath()
    src = source_file()
    if not src.is_file():
        raise ProfileUnavailable(f"{src} is missing (the OWL API profile checker source)")
    digest = hashlib.sha256(src.read_bytes() + "|".join(map(str, jars)).encode()).hexdigest()[:16]
    target = cache_dir() / "owlapi" / digest
    if (target / "ProfileCheck.class").is_file():
        return target, jars
    javac = shutil.which("javac")
    if javac is None:
        raise ProfileUnavailable("no `javac` on PATH to compile the profile checker; "
                                 "on Debian/Ubuntu: apt-get install openjdk-17-jdk-headless")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        proc = subprocess.run([javac, "-nowarn", "-d", str(tmp), "-cp", os.pathsep.join(map(str, jars)), str(src)],
                              capture_output=True, text=True, timeout=TIMEOUT_S)
        if proc.returncode != 0:
            first = next((ln for ln in (proc.stderr or proc.stdout).splitlines() if "error" in ln), "unknown error")
            raise ProfileUnavailable(f"javac could not compile {src.name}: {first.strip()}")
        try:
            os.replace(tmp, target)
        except OSError:  # another process won the race: use its copy
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target, jars


def _curie(iri: str) -> str:
    from ..graph import KnowledgeGraph

    return KnowledgeGraph.curie(iri) if iri.startswith(("http://", "https://")) else iri


def profile_check_file(path: Path) -> tuple[list[Finding], dict]:
    """Run the OWL API on one file (its extension picks the parser); findings and stats."""
    stats: dict = {}
    try:
        classes, jars = ensure_compiled()
    except ProfileUnavailable as exc:
        return [Finding("INFO", GATE, "profile_skipped", message=f"skipped: {exc}",
                        fix="install Java 17 and libowlapi-java to run the OWL 2 DL profile check")], stats
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [Finding("INFO", GATE, "profile_skipped", message=f"skipped: cannot compile the checker ({exc})",
                        fix="check that javac works and the cache folder is writable")], stats
    cp = os.pathsep.join([str(classes), *map(str, jars)])
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(["java", "-Xss8m", "-cp", cp, "ProfileCheck", str(path)],
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [Finding("ERROR", GATE, "profile_failed", str(path), "", "",
                        f"the OWL API profile check did not finish: {exc}", "rerun; report a bug if it persists")], stats
    stats["profile_s"] = round(time.perf_counter() - t0, 2)
    return parse_output(proc.stdout, proc.returncode, proc.stderr, path), stats


def parse_output(stdout: str, returncode: int, stderr: str, path: Path) -> list[Finding]:
    """The checker's tab-separated lines as findings."""
    out: list[Finding] = []
    summary = ""
    for line in stdout.splitlines():
        parts = line.split("\t")
        kind = parts[0]
        if kind == "VIOLATION" and len(parts) >= 4:
            vtype, entity, msg = parts[1], _curie(parts[2]), parts[3]
            fix = _FIX.get(vtype, "change the axiom so that it is allowed in OWL 2 DL").format(e=entity or "it")
            out.append(Finding("ERROR", GATE, f"owl2dl:{vtype}", entity, "", "", msg, fix))
        elif kind == "UNPARSED" and len(parts) >= 4:
            out.append(Finding("WARN", GATE, "owlapi_unparsed_triple", _curie(parts[2]), "", parts[3],
                               "the OWL API could not turn this triple into an axiom; Protégé will not show it",
                               "declare the property or class it uses, or express it in OWL 2 vocabulary"))
        elif kind == "PARSE" and len(parts) >= 4:
            out.append(Finding("ERROR", GATE, "owlapi_parse_error", parts[2], "", "",
                               f"the OWL API cannot parse the file: {parts[3]}",
                               "fix the syntax at the position given; Protégé cannot open the file as it is"))
        elif kind == "SUMMARY":
            summary = " ".join(parts[1:])
    if returncode not in (0, 1, 3) and not out:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        out.append(Finding("ERROR", GATE, "profile_failed", str(path), "", "",
                           f"the OWL API checker stopped with exit code {returncode}: {last[:300]}",
                           "check the Java installation (java -version should say 17)"))
    if not out:
        out.append(Finding("INFO", GATE, "owl2dl_ok", "", "", "",
                           f"OWL API 5 (Debian libowlapi-java): in the OWL 2 DL profile ({summary})", ""))
    return out


def run_profile_check(rdfxml: str) -> tuple[list[Finding], dict]:
    """Check the merged graph, written as RDF/XML (the release format, read by Protégé)."""
    with tempfile.TemporaryDirectory(prefix="bionn-kg-profile-") as tmp:
        path = Path(tmp) / "merged.owl"
        path.write_text(rdfxml, encoding="utf-8")
        return profile_check_file(path)
