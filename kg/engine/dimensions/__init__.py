"""The dimensions of E(b, a), one module each, and their registry.

==========  =====================  ==============================================================
name        module                 what it compares
==========  =====================  ==============================================================
S           ``structural``         structural features (term sets: IC, Lin, BMA + path proximity)
F           ``functional``         functional roles and computational primitives (term sets)
C           ``causal``             causal chains (weighted relation-path overlap)
M           ``failure``            failure characteristics of the failure modes (term sets)
Ef          ``efficiency``         energy for the same outcome (log ratio)
==========  =====================  ==============================================================

Every other module loops over :func:`registered`; see :mod:`.base` for the contract and
docs/engine.md for how to add a dimension.
"""
from __future__ import annotations

# ruff: noqa: I001  (importing the dimension modules registers them, in this order)
from .base import Dimension, by_attribute, colours, get, names, register, registered, unregister
from . import structural, functional, causal, failure, efficiency  # noqa: F401
from .terms import LACK_THRESHOLD, TermDimension

__all__ = [
           "LACK_THRESHOLD",
           "Dimension",
           "TermDimension",
           "by_attribute",
           "colours",
           "get",
           "names",
           "register",
           "registered",
           "unregister",
]
