"""Term alignment: a term coined in a loaded file that names an existing term is treated as that term.

Two writers who describe mechanisms independently coin terms for the same idea ("normalization" and
"normalisation", "dead units" and "unit death" are not the same string, "decorrelation" twice under
different parents). A term *defined in an extra file* (one that the user loaded with ``--extra``) is
aligned with another term of the same kind (S, F, M, R = relation type, P = participant) when one of
its labels or synonyms has the same :func:`normalise` key as one of the other term's:

1. case folded, accents dropped; hyphens, slashes and underscores read as spaces; other punctuation
   dropped;
2. British spellings read as American (``-ise``/``-isation`` -> ``-ize``/``-ization``, ``-our`` ->
   ``-or``, ``-tre`` -> ``-ter``, ``-ogue`` -> ``-og``, ``-ae-`` and ``-oe-`` -> ``-e-``);
3. each word singular (``-ies`` -> ``-y``, ``-sses`` -> ``-ss``, ``-xes``/``-ches``/``-shes`` -> without
   ``-es``, a final ``-s`` dropped unless the word ends in ``-ss``, ``-us`` or ``-is``);
4. the words ``a``, ``an``, ``the``, ``of`` dropped and the rest sorted (word order does not matter).

The term it aligns with (its *canonical* term) is a term of the shipped graph when there is one (the
first by IRI if several), else the first by IRI among the new terms with that key. The engine then
reads every use of the new term as a use of the canonical one (:func:`aligned_backend`, applied when
features are built), and ``bionn-kg check`` reports each alignment as a warning
(:mod:`kg.quality.duplicates`). Nothing is written into the user's files.

Example
-------
>>> normalise("Normalisation of Activities") == normalise("activity normalization")
True
>>> normalise("dead-units"), normalise("Behaviour")
('dead unit', 'behavior')
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["normalise", "Alignment", "align_terms", "new_terms", "term_alignment", "aligned_backend",
           "token_score"]

STOPWORDS = frozenset({"a", "an", "the", "of"})
_BRITISH = [  # (pattern, replacement) on single words, in order
    (re.compile(r"isation$"), "ization"), (re.compile(r"isations$"), "izations"),
    (re.compile(r"ise$"), "ize"), (re.compile(r"ises$"), "izes"), (re.compile(r"ised$"), "ized"),
    (re.compile(r"ising$"), "izing"), (re.compile(r"yse$"), "yze"), (re.compile(r"ysed$"), "yzed"),
    (re.compile(r"ysing$"), "yzing"),
    (re.compile(r"our$"), "or"), (re.compile(r"ours$"), "ors"), (re.compile(r"oural$"), "oral"),
    (re.compile(r"tre$"), "ter"), (re.compile(r"tres$"), "ters"), (re.compile(r"ogue$"), "og"),
    (re.compile(r"ogues$"), "ogs"), (re.compile(r"ae"), "e"), (re.compile(r"oe"), "e"),
]
#: words that the rules above would damage (American or neutral spellings ending like British ones)
_KEEP = frozenset({"noise", "wise", "rise", "precise", "concise", "exercise", "promise", "premise", "raise",
                   "praise", "poise", "disguise", "expertise", "otherwise", "likewise", "surprise", "compromise",
                   "advertise", "supervise", "revise", "devise", "enterprise", "franchise", "merchandise",
                   "despise", "our", "four", "hour", "pour", "tour", "your", "flour", "sour", "dour", "contour",
                   "centre", "metre", "litre", "poetry", "whoever", "does", "goes", "shoe", "canoe", "toe",
                   "aerial", "israel"})
_PLURAL_KEEP = ("ss", "us", "is", "ics")


def _american(w: str) -> str:
    if w in _KEEP:
        return {"centre": "center", "metre": "meter", "litre": "liter"}.get(w, w)
    for pat, rep in _BRITISH:
        w2 = pat.sub(rep, w)
        if w2 != w:
            return w2
    return w


def _singular(w: str) -> str:
    if len(w) <= 3 or w.endswith(_PLURAL_KEEP):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


def _words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    t = re.sub(r"[-_/]", " ", t)
    t = re.sub(r"[^a-z0-9 ]", "", t)
    return [w for w in t.split() if w not in STOPWORDS]


def normalise(text: str) -> str:
    """The alignment key of a label: steps 1-4 of the module docstring."""
    return " ".join(sorted(_singular(_american(w)) for w in _words(text)))


def token_score(query: str, label: str) -> float:
    """Similarity of a search phrase and a label: 1 for the same key, else Jaccard of normalised words."""
    q = {_singular(_american(w)) for w in _words(query)}
    lab = {_singular(_american(w)) for w in _words(label)}
    if not q or not lab:
        return 0.0
    if normalise(query) == normalise(label):
        return 1.0
    return len(q & lab) / len(q | lab)


@dataclass(frozen=True)
class Alignment:
    """A new term aligned with a canonical term: which labels matched, and the shared key."""

    term: str
    canonical: str
    kind: str
    label: str
    canonical_label: str
    key: str


def align_terms(rows: Iterable[Mapping[str, Any]], new: set[str]) -> list[Alignment]:
    """Alignments of the ``new`` terms among ``rows`` (term, kind, label: ``features/term_labels``).

    Terms not in ``new`` are never aligned with each other (the shipped vocabulary is left as is).
    """
    by_key: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)  # (kind, key) -> term -> label
    for r in rows:
        key = normalise(r["label"] or "")
        if key:
            by_key[(r["kind"], key)].setdefault(r["term"], r["label"])
    best: dict[str, Alignment] = {}
    for (kind, key), terms in sorted(by_key.items()):
        if len(terms) < 2 or not (set(terms) & new):
            continue
        old = sorted(t for t in terms if t not in new)
        canonical = old[0] if old else sorted(terms)[0]
        for t in sorted(terms):
            if t in new and t != canonical and t not in best:
                best[t] = Alignment(t, canonical, kind, terms[t], terms[canonical], key)
    # a canonical term that is itself aligned elsewhere: follow the chain (new -> new -> shipped)
    out = []
    for a in best.values():
        c, seen = a.canonical, {a.term}
        while c in best and c not in seen:
            seen.add(c)
            c = best[c].canonical
        out.append(Alignment(a.term, c, a.kind, a.label, a.canonical_label, a.key))
    return sorted(out, key=lambda a: a.term)


def new_terms(backend: Any) -> set[str]:
    """IRIs given a label or synonym in the backend's extra files (empty without extra files)."""
    extras = getattr(backend, "extra_files", None)
    if not extras:
        return set()
    import pyoxigraph as ox

    from ..graph import _load_file
    store = ox.Store()
    for f in extras:
        _load_file(store, f)
    q = ("SELECT DISTINCT ?t WHERE { { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l } UNION "
         "{ ?t <http://www.w3.org/2004/02/skos/core#altLabel> ?l } FILTER(isIRI(?t)) }")
    return {sol["t"].value for sol in store.query(q)}


def term_alignment(backend: Any) -> list[Alignment]:
    """The alignments of the terms defined in the backend's extra files (none without extras)."""
    new = new_terms(backend)
    if not new:
        return []
    return align_terms(backend.select_named("features/term_labels"), new)


#: the columns of the feature queries that hold vocabulary terms
TERM_COLUMNS = ("term", "broader", "relation", "participant", "condition", "characteristic")


class _AlignedBackend:
    """Answers the feature queries with every aligned term replaced by its canonical term.

    The aligned term's own rows of the hierarchies (``features/terms``, ``features/causal_terms``) are
    dropped: its place in the hierarchy is the canonical term's.
    """

    def __init__(self, backend: Any, alias: Mapping[str, str]):
        self._backend, self.alias = backend, dict(alias)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def select_named(self, name: str, bindings: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        rows = self._backend.select_named(name, bindings)
        A = self.alias
        hierarchy = name in ("features/terms", "features/causal_terms")
        out = []
        for r in rows:
            if hierarchy and r.get("term") in A:
                continue
            out.append({k: (A.get(v, v) if k in TERM_COLUMNS and isinstance(v, str) else v) for k, v in r.items()})
        return out


def aligned_backend(backend: Any) -> Any:
    """The backend itself when nothing aligns, else a view of it with aligned terms merged."""
    alias = {a.term: a.canonical for a in term_alignment(backend)}
    return _AlignedBackend(backend, alias) if alias else backend
