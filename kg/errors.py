"""Errors with a user-facing message and the exit code contract.

Exit codes (as pySHACL): 0 success, 1 violations found (``check``), 2 error (bad input, unknown
entity, unreachable endpoint, ...). Library code raises :class:`KGError`; the CLI prints its message
without a traceback and exits with its code.
"""
from __future__ import annotations

__all__ = ["KGError", "UnknownEntityError", "InputFileError", "OntologyViolationError"]


class KGError(Exception):
    """An error a user can act on: the message says what is wrong and what to do."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base}\n  hint: {self.hint}" if self.hint else base


class UnknownEntityError(KGError):
    """An ID that is neither a known CURIE, IRI nor exact label; carries the closest labels."""

    def __init__(self, ident: str, suggestions: list[str]):
        hint = ("did you mean: " + ", ".join(suggestions)) if suggestions else \
            "try `bionn-kg search TEXT` to find entities by label"
        super().__init__(f"unknown entity '{ident}'", hint=hint)
        self.ident = ident
        self.suggestions = suggestions


class InputFileError(KGError):
    """An input file that cannot be read or parsed (names the file and the position)."""


class OntologyViolationError(KGError):
    """Input that contradicts the ontology's axioms (for example a mechanism in two disjoint classes)."""
