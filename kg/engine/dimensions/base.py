"""The contract every dimension of E(b, a) fulfils, and the registry that lists them.

A dimension is one way two mechanisms can resemble each other (structure, function, causal chain, ...).
Everything the rest of the project knows about it goes through this class: its name (the key in
weights, matrices and JSON), label, colour, the features it reads, how it is prepared, its all-pairs
block, its explanation, what one side lacks (partial analogies) and why it is undefined for a pair.
E, the weights and presets, the CLI, the report, the sensitivity analysis and the SSSOM export loop
over :func:`registered`; none of them reads a dimension's internal arrays.

Adding a dimension: subclass :class:`Dimension`, implement :meth:`Dimension.prepare`,
:meth:`Dimension.block` and :meth:`Dimension.has_data`, and :func:`register` it (see docs/engine.md).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...errors import KGError

if TYPE_CHECKING:  # pragma: no cover
    from ..features import Features

__all__ = ["Defined", "Dimension", "Index", "Missing", "get", "names", "register", "registered", "unregister"]

#: a set of biological rows or ANN columns: a slice, an index array, or None for all
Index = Any
#: one lacking descriptor: {"id": IRI, "label": str, "ic": float, ...}
Missing = dict[str, Any]
#: where a block's scores are defined: (rows, columns) boolean vectors, or a boolean array
Defined = Any


class Dimension:
    """One dimension of E. Subclasses set the class attributes and implement the methods.

    Attributes
    ----------
    name : str
        Key in weights (``--weights NAME=0.2``), matrices and JSON.
    label : str
        Lower-case words for prose ("structural").
    colour : str
        Colour of the dimension in every figure.
    needs : str
        What a mechanism must have for the dimension to be defined ("structural features").
    features : tuple of str
        The :class:`~kg.engine.features.Features` attributes it reads.
    presets : dict
        Its weight in each named preset (missing: 0); presets are built from these.
    in_sensitivity_grid : bool
        Whether the report's weight-sensitivity grid varies it.
    paper_rating : str or None
        The rating of J. Harris's Table 1 it is compared against ("structural", "functional"), if any.
    measures_energy : bool
        True for the dimension the report's efficiency section reads.
    prepare_in_python : bool
        True when :meth:`prepare` is mostly Python (it holds the GIL): the engine starts it first, so
        that the NumPy work of the others (which releases the GIL) runs beside it.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    colour: ClassVar[str] = "#888888"
    needs: ClassVar[str] = "data"
    features: ClassVar[tuple[str, ...]] = ()
    presets: ClassVar[dict[str, float]] = {}
    in_sensitivity_grid: ClassVar[bool] = True
    paper_rating: ClassVar[str | None] = None
    measures_energy: ClassVar[bool] = False
    prepare_in_python: ClassVar[bool] = False

    def __init__(self, *, label: Callable[[str], str] | None = None, beta: float = 0.5, curie=None) -> None:
        self.name_of = label or (lambda iri: iri.rsplit("/", 1)[-1])   # IRI -> label, for explanations
        self.curie = curie or (lambda iri: iri)                          # IRI -> CURIE, for JSON
        self.beta = beta
        self.f: Features | None = None

    # -- to implement ------------------------------------------------------------------------------
    def prepare(self, features: Features) -> None:
        """Everything per mechanism (nothing per pair), once per engine."""
        self.f = features

    def block(self, bi: Index, aj: Index = None) -> dict[str, np.ndarray]:
        """All pairs of bio rows ``bi`` x ANN columns ``aj`` (None: all): ``{name: scores}`` in [0, 1],
        NaN where undefined, plus any named parts (e.g. ``BMA_<name>``) the explanations show."""
        raise NotImplementedError

    def has_data(self, side: str, i: int) -> bool:
        """Whether mechanism i of ``side`` ('bio' or 'ann') has the data this dimension needs."""
        raise NotImplementedError

    # -- optional ----------------------------------------------------------------------------------
    def add_weighted(self, out: np.ndarray, w: float, bi: Index,
                     out_T: Callable[[], np.ndarray] | None = None) -> Defined:
        """The fused combination of :meth:`Engine.top_k <kg.engine.core.Engine.top_k>`: add ``w`` times
        the scores of bio rows ``bi`` x every ANN column into ``out`` (float32, C-ordered), nothing
        where they are undefined, and return where they are defined.

        ``out_T``, if given, returns an ANN-major (n_ann x rows, C-ordered) float32 array that the
        caller adds to ``out`` transposed after every dimension: a part computed ANN-major can be
        added there, so that a block pays one transposition (a slow, strided pass) for all dimensions.

        The return value is a pair (rows, columns) of boolean vectors when the scores are undefined
        exactly on some rows and columns (a mechanism without the data), so that coverage costs
        nothing on the rest of the block; otherwise a boolean array of the block's shape. This
        default goes through :meth:`block`; a dimension may override it to add its parts in place.
        """
        x = self.block(bi)[self.name]
        ok = x == x
        np.add(out, np.float32(w) * x, out=out, where=ok)
        return ok

    def explain(self, b: str, a: str) -> dict[str, list[dict[str, Any]]]:
        """What matched, as named sections of rows (sections of several dimensions are concatenated)."""
        return {}

    def missing(self, b: str, a: str) -> dict[str, list[Missing]]:
        """Partial analogy: ``{"ann_lacks": [...], "bio_lacks": [...]}``, what b has and a lacks and the
        reverse, most informative first."""
        return {"ann_lacks": [], "bio_lacks": []}

    def donors(self, item: Missing, side: str) -> list[tuple[int, float]]:
        """Mechanisms of ``side`` that have ``item`` (a row of :meth:`missing`): (index, match) pairs."""
        return []

    def short(self, b: str, a: str) -> list[tuple[float, str]]:
        """Short reasons with a priority (higher first), for one-line summaries."""
        return []

    def evidence(self, side: str) -> np.ndarray:
        """How many items the dimension rests on for each mechanism of ``side`` (terms, steps, failure
        modes...): the evidence weighting of :mod:`kg.engine.calibration`. Default: one each."""
        return np.ones(self.n_bio if side == "bio" else self.n_ann)

    def undefined_reason(self, b: str, a: str) -> str | None:
        """Why the dimension is undefined for (b, a), or None if it is defined."""
        lacking = [self.name_of(m) for m in (b, a) if not self.has_data(*self.position(m))]
        if not lacking:
            return None
        return f"{' and '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no {self.needs}"

    # -- helpers -----------------------------------------------------------------------------------
    def position(self, iri: str) -> tuple[str, int]:
        assert self.f is not None, "prepare() first"
        return self.f.position(iri)

    @property
    def n_bio(self) -> int:
        return len(self.f.bio) if self.f else 0

    @property
    def n_ann(self) -> int:
        return len(self.f.ann) if self.f else 0


_REGISTRY: dict[str, type[Dimension]] = {}


def register(cls: type[Dimension]) -> type[Dimension]:
    """Add a dimension class (usable as a decorator). Engines built afterwards compute it."""
    if not cls.name or not cls.name.isidentifier():
        raise KGError(f"a dimension needs a short identifier as its name, not {cls.name!r}")
    if cls.name in ("E", "coverage") or "_" in cls.name:
        raise KGError(f"'{cls.name}' cannot name a dimension (reserved, or contains '_')")
    _REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered() -> list[type[Dimension]]:
    """The dimension classes, in registration order (the order of every table and figure)."""
    return list(_REGISTRY.values())


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get(name: str) -> type[Dimension]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KGError(f"unknown dimension '{name}'", hint=f"one of {', '.join(_REGISTRY)}") from None


def by_attribute(attr: str, value: Any = True) -> list[type[Dimension]]:
    """Registered dimensions whose class attribute ``attr`` equals ``value`` (or is set, for None)."""
    if value is None:
        return [d for d in _REGISTRY.values() if getattr(d, attr, None)]
    return [d for d in _REGISTRY.values() if getattr(d, attr, None) == value]


def colours() -> Mapping[str, str]:
    return {d.name: d.colour for d in _REGISTRY.values()}
