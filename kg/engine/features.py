"""Feature extraction: the engine's view of the graph, read with the SPARQL files in ``queries/features``.

Everything the engine computes comes from these queries, run unchanged on the embedded store or on a
remote endpoint. None of them reads the paper's ratings or the asserted analog links
(``bkg:AnalogyAssertion``, ``bkg:assertedAnalog``, ``bkg:failureCorrespondsTo``,
``bkg:interventionAnalogOf``): removing those leaves every score unchanged (tests/test_no_leakage.py).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any, Protocol

import numpy as np

from .alignment import aligned_backend
from .linalg import Matrix, choose_dense, gc_paused, incidence, row_cols

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
    # hundreds of thousands of small containers (a dict and three sets per causal step) and no cycles:
    # the cyclic collector would walk them again and again as they are made (a sixth of the time at 10^4)
    with gc_paused():
        return _extract(backend, dense)


def _extract(backend: Backend, dense: bool | None) -> Features:
    backend = aligned_backend(backend)  # terms coined in --extra files that name existing ones (alignment)
    # one row per label (none: unbound): the smallest label names the mechanism; sorted here, not by the
    # query (ORDER BY and GROUP BY were half its time at 10^4 mechanisms per side)
    smallest: dict[tuple[str, str], str | None] = {}
    for m, d, lab in zip(*_columns(backend, "features/mechanisms", ("mechanism", "domain", "label"))):
        prev = smallest.get((m, d), smallest)  # the dict itself marks "not seen"
        if prev is smallest or (lab is not None and (prev is None or lab < prev)):
            smallest[m, d] = lab
    mech_rows = sorted(smallest)  # (mechanism, domain): IRIs order as ORDER BY orders them
    bio = [m for m, d in mech_rows if d == "bio"]
    ann = [m for m, d in mech_rows if d == "ann"]
    labels = {m: smallest[m, d] or m.rsplit("/", 1)[-1] for m, d in mech_rows}
    nb = len(bio)
    # one index over both sides (bio first): whole columns of IRIs map to rows at C speed
    mech_i = {m: i for i, m in enumerate(ann, nb)}
    mech_i.update((m, i) for i, m in enumerate(bio))

    term_kind, broader = _hierarchy(backend, "features/terms")
    d_mech, d_kind, d_term = _columns(backend, "features/descriptors", ("mechanism", "kind", "term"))
    for term, kind in zip(d_term, d_kind):  # terms used but never typed (a user's extra file): roots
        if term not in term_kind:
            term_kind[term] = kind

    n_terms = {kind: sum(1 for k in term_kind.values() if k == kind) for kind in KINDS}
    if dense is None:
        n = len(bio) + len(ann)
        dense = choose_dense(*((n, t) for t in n_terms.values()), *((t, t) for t in n_terms.values()))
    # each descriptor row as (mechanism row, kind, term column), all as integer arrays
    kind_code = {k: c for c, k in enumerate(KINDS)}
    t_code: dict[str, int] = {}  # term -> its column in its own kind's space
    spaces_terms: dict[str, list[str]] = {}
    for kind in KINDS:
        terms = sorted(t for t, k in term_kind.items() if k == kind)
        spaces_terms[kind] = terms
        t_code.update((t, i) for i, t in enumerate(terms))
    t_kind = {t: kind_code.get(k, -1) for t, k in term_kind.items()}
    rows = np.fromiter(map(mech_i.get, d_mech, repeat(-1)), dtype=np.int64, count=len(d_mech))
    kinds = np.fromiter(map(kind_code.get, d_kind, repeat(-2)), dtype=np.int64, count=len(d_kind))
    cols = np.fromiter(map(t_code.get, d_term, repeat(-1)), dtype=np.int64, count=len(d_term))
    # a term of another kind than the row's (or untyped) is not in this kind's space: ignored, as a
    # broader term of another kind would make a cross-dimension ancestor
    own = np.fromiter(map(t_kind.get, d_term, repeat(-1)), dtype=np.int64, count=len(d_term)) == kinds
    keep = own & (rows >= 0) & (cols >= 0)
    spaces: dict[str, TermSpace] = {}
    for kind in KINDS:
        terms = spaces_terms[kind]
        tindex = {t: i for i, t in enumerate(terms)}
        parents = [sorted(tindex[b] for b in broader.get(t, ()) if b in tindex) for t in terms]
        sel = keep & (kinds == kind_code[kind])
        r, c = rows[sel], cols[sel]
        is_bio = r < nb
        spaces[kind] = TermSpace(kind, terms, parents,
                                 incidence(r[is_bio], c[is_bio], (len(bio), len(terms)), dense),
                                 incidence(r[~is_bio] - nb, c[~is_bio], (len(ann), len(terms)), dense))

    chains = CausalChains()
    by_step: dict[tuple[str, str], dict[str, Any]] = {}
    for mech, step, index, relation, participant, nxt, condition in zip(*_columns(
            backend, "features/causal_steps",
            ("mechanism", "step", "index", "relation", "participant", "next", "condition"))):
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
    # by mechanism, then step index (none: 0), then step IRI; plain tuples sort without a key function
    for mech, _, _, step in sorted([(m, s["index"] or 0, st, s) for (m, st), s in by_step.items()],
                                   key=_first3):
        chains.steps.setdefault(mech, []).append(step)

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
    # in the order ORDER BY ?mechanism ?failure_mode ?characteristic ?trigger gives, sorted here (the
    # store's ORDER BY was two thirds of the query's time at 10^4 mechanisms per side): an unbound
    # characteristic or trigger becomes "", which sorts first as unbound does and is skipped as None is
    f_mech, f_fm, f_char, f_trig = _columns(backend, "features/failure_modes",
                                            ("mechanism", "failure_mode", "characteristic", "trigger"))
    fm_rows = sorted(zip(f_mech, f_fm, ["" if c is None else c for c in f_char],
                         ["" if t is None else t for t in f_trig]))
    for mech, fm, char, trig in fm_rows:
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


def _columns(backend: Backend, name: str, columns: tuple[str, ...]) -> list[list[Any]]:
    """The values of a feature query as one list per name in ``columns`` (None where unbound).

    The embedded store answers column by column directly (:meth:`kg.graph.KnowledgeGraph.select_columns`:
    no Python term or dict per row, the larger cost at 10^4 mechanisms); any other backend through
    ``select_named``.
    """
    # the class's own method: a wrapper that forwards other attributes (the aligned view) must not
    # reach its backend's columns past its own select_named
    if getattr(type(backend), "select_columns", None) is None:
        rows = backend.select_named(name)
        return [[r.get(c) for r in rows] for c in columns]
    names, cols = backend.select_columns(name)
    n = len(cols[0]) if cols else 0
    return [cols[names.index(c)] if c in names else [None] * n for c in columns]


_first3 = itemgetter(0, 1, 2)


def _hierarchy(backend: Backend, query: str) -> tuple[dict[str, str], defaultdict[str, set[str]]]:
    """(term -> kind, term -> its broader terms) from a feature query with columns term, kind, broader."""
    kind_of: dict[str, str] = {}
    broader: defaultdict[str, set[str]] = defaultdict(set)
    for term, kind, b in zip(*_columns(backend, query, ("term", "kind", "broader"))):
        kind_of.setdefault(term, kind)
        if b:
            broader[term].add(b)
    return kind_of, broader
