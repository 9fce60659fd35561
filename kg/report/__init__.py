"""The report: one command from the graph to an HTML/Markdown report a person reads.

``data`` computes everything once (engine, evaluation, shipped queries, quality checks, weight
sensitivity), ``figures`` and ``neighbourhood`` draw it (matplotlib Agg, networkx), ``sections`` says
what each section shows, ``html`` and ``markdown`` lay it out, ``build`` writes it atomically.
"""
from __future__ import annotations

from .build import MARKER, ReportResult, build_report, check_target

__all__ = ["build_report", "check_target", "MARKER", "ReportResult"]
