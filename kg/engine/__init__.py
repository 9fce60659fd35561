"""The equivalence engine: E(b, a) from SPARQL-derived features and path-based similarity.

Modules, one per family of algorithms: ``features`` (SPARQL extraction), ``semsim`` (IC, Lin,
best-match average), ``paths`` (degree-weighted path counts), ``causal`` (structure mapping over causal
chains), ``efficiency`` (the energy ratio), ``dimensions`` (the registry: one module per dimension,
wrapping those kernels), ``combine`` (E from the dimensions' blocks), ``weights`` (presets), ``core``
(the :class:`Engine` and its domain rules), ``explain`` (reasons), ``partial`` (partial analogies and
donors), ``evaluate`` (agreement with the paper and recovery of asserted analogs).
"""
from __future__ import annotations

from .core import Engine, MatrixResult, TopK
from .dimensions import Dimension, register, registered, unregister
from .weights import PRESETS, parse_weights


def __getattr__(name: str):
    if name == "DIMENSIONS":  # the registered dimension names, in order
        from .dimensions import names
        return names()
    raise AttributeError(name)


__all__ = ["Engine", "MatrixResult", "TopK", "DIMENSIONS", "PRESETS", "parse_weights", "Dimension",
           "register", "unregister", "registered"]
