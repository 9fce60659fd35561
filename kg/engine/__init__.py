"""The equivalence engine: E(b, a) from SPARQL-derived features and path-based similarity.

Modules, one per family of algorithms: ``features`` (SPARQL extraction), ``semsim`` (IC, Lin,
best-match average), ``paths`` (degree-weighted path counts), ``causal`` (structure mapping over causal
chains), ``efficiency`` (Ef), ``weights`` (presets), ``core`` (the :class:`Engine`), ``explain``
(reasons), ``evaluate`` (agreement with the paper and recovery of asserted analogs).
"""
from __future__ import annotations

from .core import Engine, MatrixResult, TopK
from .weights import DIMENSIONS, PRESETS, parse_weights

__all__ = ["Engine", "MatrixResult", "TopK", "DIMENSIONS", "PRESETS", "parse_weights"]
