"""The findings of the quality gates and the exit-code contract.

Levels follow ROBOT report: ERROR (must fix), WARN (should fix), INFO (for information). ``bionn-kg
check`` exits 1 when any finding is at or above ``--fail-on`` (default ERROR), 0 otherwise; 2 is kept
for errors that stop the check itself (a file that does not parse).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

__all__ = ["LEVELS", "Finding", "level_rank", "worst_level", "at_or_above", "summary", "COLUMNS"]

LEVELS = ("ERROR", "WARN", "INFO")
COLUMNS = ("level", "gate", "check", "entity", "property", "value", "message", "fix")


def level_rank(level: str) -> int:
    """ERROR 3, WARN 2, INFO 1 (higher is worse)."""
    try:
        return 3 - LEVELS.index(level.upper())
    except ValueError:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}") from None


@dataclass(frozen=True)
class Finding:
    """One finding: what is wrong (check, message), where (entity, property, value) and what to do (fix).

    ``gate`` names the gate that produced it: reasoner, profile, qc, shacl or load.
    """

    level: str
    gate: str
    check: str
    entity: str = ""
    property: str = ""
    value: str = ""
    message: str = ""
    fix: str = ""

    def as_row(self) -> dict[str, str]:
        return asdict(self)

    def sort_key(self) -> tuple:
        return (-level_rank(self.level), self.gate, self.check, self.entity, self.property, self.value)


def worst_level(findings: Iterable[Finding]) -> str | None:
    """The most severe level among the findings (None when there are none)."""
    ranks = [level_rank(f.level) for f in findings]
    return LEVELS[3 - max(ranks)] if ranks else None


def at_or_above(findings: Iterable[Finding], level: str) -> list[Finding]:
    """Findings at ``level`` or more severe."""
    r = level_rank(level)
    return [f for f in findings if level_rank(f.level) >= r]


def summary(findings: Sequence[Finding]) -> str:
    """One line: counts per level."""
    c = Counter(f.level for f in findings)
    return ", ".join(f"{c.get(lv, 0)} {lv}" for lv in LEVELS)
