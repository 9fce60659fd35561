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
    mech_rows = backend.select_named("features/mechanisms")
    bio = [r["mechanism"] for r in mech_rows if r["domain"] == "bio"]
    ann = [r["mechanism"] for r in mech_rows if r["domain"] == "ann"]
    labels = {r["mechanism"]: r["label"] or r["mechanism"].rsplit("/", 1)[-1] for r in mech_rows}
    bio_i = {m: i for i, m in enumerate(bio)}
    ann_i = {m: i for i, m in enumerate(ann)}

    term_kind: dict[str, str] = {}
    broader: dict[str, set[str]] = defaultdict(set)
    for r in backend.select_named("features/terms"):
        term_kind.setdefault(r["term"], r["kind"])
        if r["broader"]:
            broader[r["term"]].add(r["broader"])
    desc = backend.select_named("features/descriptors")
    for r in desc:  # terms used but never typed (a user's extra file): roots of their dimension
        term_kind.setdefault(r["term"], r["kind"])

    n_terms = {kind: sum(1 for k in term_kind.values() if k == kind) for kind in KINDS}
    if dense is None:
        n = len(bio) + len(ann)
        dense = choose_dense(*((n, t) for t in n_terms.values()), *((t, t) for t in n_terms.values()))
    spaces: dict[str, TermSpace] = {}
    for kind in KINDS:
        terms = sorted(t for t, k in term_kind.items() if k == kind)
        # a broader term of another kind (or untyped) would make a cross-dimension ancestor: ignore it
        tindex = {t: i for i, t in enumerate(terms)}
        parents = [sorted(tindex[b] for b in broader.get(t, ()) if b in tindex) for t in terms]
        rb, ra = [], []
        for r in desc:
            if r["kind"] != kind or r["term"] not in tindex:
                continue
            m, t = r["mechanism"], tindex[r["term"]]
            if m in bio_i:
                rb.append((bio_i[m], t))
            elif m in ann_i:
                ra.append((ann_i[m], t))
        spaces[kind] = TermSpace(kind, terms, parents, _incidence(rb, len(bio), len(terms), dense),
                                 _incidence(ra, len(ann), len(terms), dense))

    chains = CausalChains()
    by_step: dict[tuple[str, str], dict[str, Any]] = {}
    for r in backend.select_named("features/causal_steps"):
        key = (r["mechanism"], r["step"])
        s = by_step.setdefault(key, {"step": r["step"], "relation": r["relation"], "index": r["index"],
                                     "participants": set(), "next": set(), "conditions": set()})
        if r["participant"]:
            s["participants"].add(r["participant"])
        if r.get("condition"):
            s["conditions"].add(r["condition"])
        if r["next"]:
            s["next"].add(r["next"])
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
    for r in backend.select_named("features/failure_modes"):
        fm = r["failure_mode"]
        if fm not in failure_modes[r["mechanism"]]:
            failure_modes[r["mechanism"]].append(fm)
        if r["characteristic"] and r["characteristic"] not in fm_chars[fm]:
            fm_chars[fm].append(r["characteristic"])
        if r.get("trigger") and r["trigger"] not in fm_trig[fm]:
            fm_trig[fm].append(r["trigger"])

    # relation types and participants in their skos:broader hierarchies (graded C, kg.engine.causal);
    # a relation or participant used by a step but never typed is a root of its hierarchy
    c_kind: dict[str, str] = {}
    c_broader: dict[str, set[str]] = defaultdict(set)
    for r in backend.select_named("features/causal_terms"):
        c_kind.setdefault(r["term"], r["kind"])
        if r["broader"]:
            c_broader[r["term"]].add(r["broader"])
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


def _incidence(pairs: list[tuple[int, int]], n: int, t: int, dense: bool) -> Matrix:
    rows, cols = ([p[0] for p in pairs], [p[1] for p in pairs])
    return incidence(rows, cols, (n, t), dense)
