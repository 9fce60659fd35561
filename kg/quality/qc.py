"""ROBOT-report-style checks: the SPARQL files in ``queries/qc/``.

Each file is a SELECT returning ``?entity ?property ?value`` with headers ``# level: ERROR|WARN|INFO``,
``# description:`` (the rule) and ``# fix:``. The checks use FILTER NOT EXISTS rather than VALUES +
OPTIONAL (rdflib issue #2332 silently returns no rows for some of those shapes), so the same files run
in Oxigraph here, in rdflib, and in Protégé's SPARQL tab.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import KGError
from ..paths import queries_dir
from ..queries import Query, load_query
from .report import LEVELS, Finding

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import KnowledgeGraph

__all__ = ["QCCheck", "list_checks", "run_checks", "run_check"]

GATE = "qc"


@dataclass(frozen=True)
class QCCheck:
    name: str
    level: str
    title: str
    description: str
    fix: str
    query: Query


def list_checks() -> list[QCCheck]:
    """Every check in ``queries/qc/``, by name; KGError if a file lacks a valid level header."""
    checks = []
    for path in sorted((queries_dir() / "qc").glob("*.rq")):
        q = load_query(f"qc/{path.stem}")
        level = q.headers.get("level", "").upper()
        if level not in LEVELS:
            raise KGError(f"{path}: header '# level:' must be one of {', '.join(LEVELS)} (found {level or 'none'})")
        checks.append(QCCheck(path.stem, level, q.title, q.headers.get("description", q.title),
                              q.headers.get("fix", ""), q))
    return checks


def run_check(kg: "KnowledgeGraph", check: QCCheck) -> list[Finding]:
    """One check's rows as findings (IRIs shortened to CURIEs)."""
    def short(v) -> str:
        if v is None:
            return ""
        s = str(v)
        return kg.curie(s) if s.startswith(("http://", "https://")) else s

    return [Finding(check.level, GATE, check.name, short(r.get("entity")), short(r.get("property")),
                    short(r.get("value")), check.description, check.fix)
            for r in kg.select(check.query.text)]


def run_checks(kg: "KnowledgeGraph", only: Iterable[str] | None = None) -> list[Finding]:
    """All checks (or the named ones) on the loaded graph."""
    wanted = set(only) if only else None
    out: list[Finding] = []
    for check in list_checks():
        if wanted is None or check.name in wanted:
            out.extend(run_check(kg, check))
    return out
