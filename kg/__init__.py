"""bionn-kg: the BioNN-ANN equivalence ontology, knowledge graph and engine.

The public API is re-exported here and imported lazily, so ``import kg`` is cheap.

>>> import kg
>>> g = kg.load_graph()
>>> len(g) > 1000
True
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_graph": "kg.graph",
    "KnowledgeGraph": "kg.graph",
    "EntityIndex": "kg.ids",
    "KGError": "kg.errors",
    "UnknownEntityError": "kg.errors",
    "InputFileError": "kg.errors",
    "OntologyViolationError": "kg.errors",
    "load_query": "kg.queries",
    "list_queries": "kg.queries",
    "Engine": "kg.engine",
    "Dimension": "kg.engine",
    "PRESETS": "kg.engine",
    "parse_weights": "kg.engine",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    return getattr(importlib.import_module(mod), name)
