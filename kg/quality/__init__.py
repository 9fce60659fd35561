"""Quality gates of the ontology: reasoning, OWL 2 DL profile, report checks, SHACL, and release artefacts.

Each gate returns :class:`~kg.quality.report.Finding` objects (level, check, entity, property, value,
message, fix) so that ``bionn-kg check`` can merge them into one report and apply one exit-code
contract. Heavy libraries (owlready2, pyshacl, rdflib) are imported inside the functions that need them.
"""
from __future__ import annotations

from .report import LEVELS, Finding, worst_level

__all__ = ["Finding", "LEVELS", "worst_level"]
