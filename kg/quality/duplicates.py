"""Terms coined in ``--extra`` files that duplicate a term of the vocabulary (``bionn-kg check``).

A term defined in a user's file whose label or synonym normalises (case, plural, British/American
spelling, hyphens, word order: :func:`kg.engine.alignment.normalise`) to the label of a term of the
same kind is reported as a warning, naming the term to reuse. The engine already treats the two as one
term (:mod:`kg.engine.alignment`); the warning asks the user to reuse the existing IRI so the file says
what the engine reads. Nothing is written into the user's file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .report import Finding

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import KnowledgeGraph

__all__ = ["CHECK", "run_duplicate_terms"]

CHECK = "duplicate_term"


def run_duplicate_terms(kg: "KnowledgeGraph") -> list[Finding]:
    """One WARN per new term that duplicates another term (none without ``--extra`` files)."""
    from ..engine.alignment import term_alignment
    from ..engine.features import KIND_LABELS

    out = []
    for a in term_alignment(kg):
        x, y = kg.curie(a.term), kg.curie(a.canonical)
        out.append(Finding(
            "WARN", "qc", CHECK, x, "rdfs:label", a.label,
            f"new term {x} duplicates {y}: reuse it (both {KIND_LABELS.get(a.kind, a.kind)}s named "
            f"'{a.label}' and '{a.canonical_label}'; the engine already reads {x} as {y})",
            f"replace {x} by {y} in your file, or give {x} a label that says how it differs"))
    return out
