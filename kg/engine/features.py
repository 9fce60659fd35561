"""Feature extraction: the engine's view of the graph, read with the SPARQL files in ``queries/features``.

Everything the engine computes comes from these queries, run unchanged on the embedded store or on a
remote endpoint. None of them reads the paper's ratings or the asserted analog links
(``bkg:AnalogyAssertion``, ``bkg:assertedAnalog``, ``bkg:failureCorrespondsTo``,
``bkg:interventionAnalogOf``): removing those leaves every score unchanged (tests/test_no_leakage.py).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .alignment import aligned_backend
from .linalg import Matrix, choose_dense, incidence, row_cols

__all__ = ["Backend", "TermSpace", "Features", "extract_features", "KINDS"]

#: descriptor kinds: structural (S), functional roles + primitives (F), failure characteristics (M)
KINDS = ("S", "F", "M")
#: every term kind the feature queries bind, in words: the descriptor kinds and the causal hierarchies
KIND_LABELS = {"S": "structural feature", "F": "functional role or primitive", "M": "failure characteristic",
               "R": "causal relation type", "P": "participant"}


class Backend(Protocol):
    """Anything that answers a shipped query by name: the embedded store or a remote endpoint."""

    def select_named(self, name: str, bindings: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...


@dataclass
class TermSpace:
    """One descriptor hierarchy (for S, F or M) and which mechanisms carry which of its terms.

    Attributes
    ----------
    terms : list of str
        Term IRIs; position = column index.
    parents : list of list of int
        Broader terms of each term (indices), empty for a root.
    X_bio, X_ann : numpy.ndarray or scipy.sparse.csr_matrix
        Binary incidence, mechanisms x terms (dense for small graphs: see :mod:`kg.engine.linalg`).
    """

    kind: str
    terms: list[str]
    parents: list[list[int]]
    X_bio: Matrix
    X_ann: Matrix

    @property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}


@dataclass
class CausalChains:
    """Each mechanism's steps: relation IRI, participant IRI and the indices of its next steps."""

    steps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Features:
    bio: list[str]
    ann: list[str]
    labels: dict[str, str]
    spaces: dict[str, TermSpace]
    chains: CausalChains
    energy: dict[str, dict[str, tuple[float, str]]]  # mechanism -> outcome -> (joules or watts, quantity)
    energy_issues: dict[str, str]
    failure_modes: dict[str, list[str]]
    dense: bool = True  # the representation of every matrix built from these features (kg.engine.linalg)
    #: hierarchies of causal relation types ("R") and participants ("P"): (term IRIs, parent indices)
    causal_terms: dict[str, tuple[list[str], list[list[int]]]] = field(default_factory=dict)
    #: failure mode -> its failure characteristics, and -> its trigger directions (bkg:failureTrigger)
    failure_characteristics: dict[str, list[str]] = field(default_factory=dict)
    failure_triggers: dict[str, list[str]] = field(default_factory=dict)

    def side(self, iri: str) -> str | None:
        if iri in self._bio_index:
            return "bio"
        if iri in self._ann_index:
            return "ann"
        return None

    def __post_init__(self):
        self._bio_index = {m: i for i, m in enumerate(self.bio)}
        self._ann_index = {m: i for i, m in enumerate(self.ann)}

    def is_described(self, iri: str) -> bool:
        """True if the mechanism has any descriptor term or causal step (else every score is undefined)."""
        side, i = self.position(iri)
        return any(row_cols(s.X_bio if side == "bio" else s.X_ann, i) for s in self.spaces.values()) \
            or bool(self.chains.steps.get(iri))

    def position(self, iri: str) -> tuple[str, int]:
        side = self.side(iri)
        if side is None:
            raise KeyError(iri)
        return side, (self._bio_index if side == "bio" else self._ann_index)[iri]


def extract_features(backend: Backend, dense: bool | None = None) -> Features:
    """Run the feature queries and index their answers for the vectorised dimensions.

    ``dense``: store the matrices as dense arrays (True) or sparse CSR (False); by default dense when the
    graph is small enough (:func:`kg.engine.linalg.choose_dense`).
    """
    backend = aligned_backend(backend)  # terms coined in --extra files that name existing ones (alignment)
    mech_rows = _table(backend, "features/mechanisms", ("mechanism", "domain", "label"))
    bio = [m for m, d, _ in mech_rows if d == "bio"]
    ann = [m for m, d, _ in mech_rows if d == "ann"]
    labels = {m: lab or m.rsplit("/", 1)[-1] for m, _, lab in mech_rows}
    bio_i = {m: i for i, m in enumerate(bio)}
    ann_i = {m: i for i, m in enumerate(ann)}

    term_kind, broader = _hierarchy(backend, "features/terms")
    desc = _table(backend, "features/descriptors", ("mechanism", "kind", "term"))
    for _, kind, term in desc:  # terms used but never typed (a user's extra file): roots of their dimension
        term_kind.setdefault(term, kind)

    n_terms = {kind: sum(1 for k in term_kind.values() if k == kind) for kind in KINDS}
    if dense is None:
        n = len(bio) + len(ann)
        dense = choose_dense(*((n, t) for t in n_terms.values()), *((t, t) for t in n_terms.values()))
    spaces: dict[str, TermSpace] = {}
    by_kind: dict[str, list[tuple[str, str]]] = defaultdict(list)  # one pass over the descriptors
    for m, kind, term in desc:
        by_kind[kind].append((m, term))
    for kind in KINDS:
        terms = sorted(t for t, k in term_kind.items() if k == kind)
        # a broader term of another kind (or untyped) would make a cross-dimension ancestor: ignore it
        tindex = {t: i for i, t in enumerate(terms)}
        parents = [sorted(tindex[b] for b in broader.get(t, ()) if b in tindex) for t in terms]
        rb, ra = [], []
        for m, term in by_kind.get(kind, ()):
            t = tindex.get(term)
            if t is None:
                continue
            i = bio_i.get(m)
            if i is not None:
                rb.append((i, t))
            else:
                i = ann_i.get(m)
                if i is not None:
                    ra.append((i, t))
        spaces[kind] = TermSpace(kind, terms, parents, _incidence(rb, len(bio), len(terms), dense),
                                 _incidence(ra, len(ann), len(terms), dense))

    chains = CausalChains()
    by_step: dict[tuple[str, str], dict[str, Any]] = {}
    for mech, step, index, relation, participant, nxt, condition in _table(
            backend, "features/causal_steps",
            ("mechanism", "step", "index", "relation", "participant", "next", "condition")):
        s = by_step.get((mech, step))
        if s is None:
            s = by_step[mech, step] = {"step": step, "relation": relation, "index": index,
                                       "participants": set(), "next": set(), "conditions": set()}
        if participant:
            s["participants"].add(participant)
        if condition:
            s["conditions"].add(condition)
        if nxt:
            s["next"].add(nxt)
    for (mech, _), s in sorted(by_step.items(), key=lambda kv: (kv[0][0], kv[1]["index"] or 0, kv[0][1])):
        chains.steps.setdefault(mech, []).append(s)

    energy: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
    issues: dict[str, str] = {}
    for r in backend.select_named("features/efficiency"):
        m = r["mechanism"]
        if r["multiplier"] is None or r["quantity"] is None:
            issues[m] = f"efficiency profile {r['profile']} has no unit with an SI multiplier and quantity kind"
            continue
        outcome = r["outcome"] or "unspecified"
        value = float(r["cost"]) * float(r["multiplier"])
        if value <= 0:
            issues[m] = f"efficiency profile {r['profile']} has a non-positive cost"
            continue
        prev = energy[m].get(outcome)
        # several profiles for the same outcome: geometric mean (costs span orders of magnitude)
        energy[m][outcome] = (value if prev is None else float(np.sqrt(prev[0] * value)), r["quantity"])

    failure_modes: dict[str, list[str]] = defaultdict(list)
    fm_chars: dict[str, list[str]] = defaultdict(list)
    fm_trig: dict[str, list[str]] = defaultdict(list)
    for mech, fm, char, trig in _table(backend, "features/failure_modes",
                                       ("mechanism", "failure_mode", "characteristic", "trigger")):
        if fm not in failure_modes[mech]:
            failure_modes[mech].append(fm)
        if char and char not in fm_chars[fm]:
            fm_chars[fm].append(char)
        if trig and trig not in fm_trig[fm]:
            fm_trig[fm].append(trig)

    # relation types and participants in their skos:broader hierarchies (graded C, kg.engine.causal);
    # a relation or participant used by a step but never typed is a root of its hierarchy
    c_kind, c_broader = _hierarchy(backend, "features/causal_terms")
    for steps in chains.steps.values():
        for s in steps:
            c_kind.setdefault(s["relation"], "R")
            for p in s["participants"] | s["conditions"]:
                c_kind.setdefault(p, "P")
    causal_terms: dict[str, tuple[list[str], list[list[int]]]] = {}
    for kind in ("R", "P"):
        terms = sorted(t for t, k in c_kind.items() if k == kind)
        tindex = {t: i for i, t in enumerate(terms)}
        causal_terms[kind] = (terms, [sorted(tindex[b] for b in c_broader.get(t, ()) if b in tindex)
                                      for t in terms])

    return Features(bio, ann, labels, spaces, chains, dict(energy), issues, dict(failure_modes), dense,
                    causal_terms, dict(fm_chars), dict(fm_trig))


def _table(backend: Backend, name: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The rows of a feature query as tuples of ``columns`` (None where unbound).

    The embedded store answers with tuples directly (:meth:`kg.graph.KnowledgeGraph.select_tuples`: no
    dict per row, the larger cost at 10^4 mechanisms); any other backend through ``select_named``.
    """
    # the class's own method: a wrapper that forwards other attributes (the aligned view) must not
    # reach its backend's tuples past its own select_named
    if getattr(type(backend), "select_tuples", None) is None:
        return [tuple(r.get(c) for c in columns) for r in backend.select_named(name)]
    names, rows = backend.select_tuples(name)
    at = [names.index(c) if c in names else None for c in columns]
    if at == list(range(len(names))):
        return rows
    return [tuple(None if i is None else r[i] for i in at) for r in rows]


def _hierarchy(backend: Backend, query: str) -> tuple[dict[str, str], defaultdict[str, set[str]]]:
    """(term -> kind, term -> its broader terms) from a feature query with columns term, kind, broader."""
    kind_of: dict[str, str] = {}
    broader: defaultdict[str, set[str]] = defaultdict(set)
    for term, kind, b in _table(backend, query, ("term", "kind", "broader")):
        kind_of.setdefault(term, kind)
        if b:
            broader[term].add(b)
    return kind_of, broader


def _incidence(pairs: list[tuple[int, int]], n: int, t: int, dense: bool) -> Matrix:
    rows, cols = ([p[0] for p in pairs], [p[1] for p in pairs])
    return incidence(rows, cols, (n, t), dense)
