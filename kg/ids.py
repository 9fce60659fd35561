"""Identifiers: resolving user-given IDs (a CURIE, a full IRI, or an exact label) and writing IDs as CURIEs.

Every command writes an entity's ID as a CURIE with one rule (:func:`curie`): an OBO PURL
``http://purl.obolibrary.org/obo/GO_0098883`` is ``GO:0098883`` (the OBO Foundry convention, as in
ROBOT, OAK and SSSOM), any other IRI in a namespace of :data:`PREFIX_MAP` is ``prefix:local``
(``bkg:SynapticPruning``), and an IRI in no known namespace stays a full IRI. :func:`prefix_map` gives
the map to expand them again (``bionn-kg info --format json`` prints it).

>>> curie("http://purl.obolibrary.org/obo/GO_0098883")
'GO:0098883'
>>> curie("https://w3id.org/bionn-kg/SynapticPruning")
'bkg:SynapticPruning'
>>> expand_curie("GO:0098883")
'http://purl.obolibrary.org/obo/GO_0098883'

Example
-------
>>> from kg.graph import load_graph
>>> from kg.ids import EntityIndex
>>> idx = EntityIndex(load_graph())
>>> idx.resolve("synaptic pruning") == idx.resolve("bkg:SynapticPruning")
True
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable

from .errors import UnknownEntityError
from .graph import PREFIXES, KnowledgeGraph

__all__ = ["EntityIndex", "curie", "expand_curie", "prefix_map", "PREFIX_MAP", "OBO_PURL", "is_iri"]

OBO_PURL = "http://purl.obolibrary.org/obo/"
# CURIE prefixes of the namespaces bionn-kg writes; OBO terms get their own upper-case prefix instead of obo:
PREFIX_MAP: dict[str, str] = {p: ns for p, ns in PREFIXES.items() if p != "obo"}
_BY_LENGTH = sorted(PREFIX_MAP.items(), key=lambda kv: -len(kv[1]))
_OBO_LOCAL = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9][A-Za-z0-9_.-]*)$")


def is_iri(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def curie(iri: str) -> str:
    """The CURIE of an IRI (``GO:0098883``, ``bkg:Dropout``), or the IRI itself in an unknown namespace."""
    if iri.startswith(OBO_PURL):
        m = _OBO_LOCAL.match(iri[len(OBO_PURL):])
        if m:
            return f"{m.group(1)}:{m.group(2)}"
    for p, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{p}:{iri[len(ns):]}"
    if iri.startswith(OBO_PURL) and len(iri) > len(OBO_PURL):  # an OBO IRI without PREFIX_ID shape
        return "obo:" + iri[len(OBO_PURL):]
    return iri


def expand_curie(text: str) -> str:
    """The IRI of a CURIE written by :func:`curie` (an IRI or unknown text is returned unchanged)."""
    prefix, sep, local = text.partition(":")
    if not sep or text.startswith(("http://", "https://", "urn:")):
        return text
    if prefix in PREFIX_MAP:
        return PREFIX_MAP[prefix] + local
    if prefix == "obo":
        return OBO_PURL + local
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", prefix):
        return f"{OBO_PURL}{prefix}_{local}"
    return text


def prefix_map(obo_prefixes: Iterable[str] = ()) -> dict[str, str]:
    """The CURIE prefix map: the bionn-kg namespaces, plus ``PREFIX -> http://purl.obolibrary.org/obo/PREFIX_``
    for each OBO prefix given (those used in the graph)."""
    out = dict(PREFIX_MAP)
    for p in sorted(set(obo_prefixes)):
        out.setdefault(p, f"{OBO_PURL}{p}_")
    return out


class EntityIndex:
    """Labels and synonyms of every entity of a graph, for resolution and search."""

    def __init__(self, graph: KnowledgeGraph):
        self.graph = graph
        self.labels: dict[str, str] = {}
        self.synonyms: dict[str, list[str]] = defaultdict(list)
        self._by_text: dict[str, set[str]] = defaultdict(set)
        for row in graph.select_named("internal/labels"):
            iri, text = row["entity"], row["label"]
            if row["kind"] == "label":
                self.labels.setdefault(iri, text)
            else:
                self.synonyms[iri].append(text)
            self._by_text[text.casefold()].add(iri)

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or self.graph.curie(iri)

    def expand(self, ident: str) -> str | None:
        """IRI for a CURIE or IRI string (no check that it exists)."""
        if ident.startswith(("http://", "https://", "urn:")):
            return ident
        prefix, sep, local = ident.partition(":")
        if sep and prefix in PREFIXES:
            return PREFIXES[prefix] + local
        if sep and prefix.isupper() and local.isdigit():  # GO:0007268 style
            return f"http://purl.obolibrary.org/obo/{prefix}_{local}"
        return None

    def known(self, iri: str) -> bool:
        if iri in self.labels or iri in self.synonyms:
            return True
        try:
            return self.graph.ask("ASK { ?entity ?p ?o }", {"entity": iri})
        except ValueError:  # not a valid IRI
            return False

    def resolve(self, ident: str) -> str:
        """The IRI of the entity named by ``ident``; :class:`UnknownEntityError` with suggestions."""
        ident = ident.strip()
        iri = self.expand(ident)
        if iri and (iri in self.labels or self.known(iri)):
            return iri
        hits = self._by_text.get(ident.casefold(), set())
        exact = [i for i in hits if self.labels.get(i, "").casefold() == ident.casefold()]
        if len(exact) == 1 or (len(hits) == 1):
            return (exact or sorted(hits))[0]
        if len(hits) > 1:
            raise UnknownEntityError(ident, [f"{self.graph.curie(i)} ({self.label(i)})" for i in sorted(hits)])
        raise UnknownEntityError(ident, self.suggest(ident))

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """The closest labels to ``text`` (fuzzy match on labels, synonyms and local names)."""
        keys = list(self._by_text)
        local = {iri.rsplit("/", 1)[-1].casefold(): iri for iri in self.labels}
        needle = text.casefold().split(":")[-1]
        out: list[str] = []
        for k in difflib.get_close_matches(needle, keys + list(local), n=n, cutoff=0.5):
            for iri in sorted(self._by_text.get(k, {local.get(k)} - {None})):
                s = f"{self.graph.curie(iri)} ({self.label(iri)})"
                if s not in out:
                    out.append(s)
        return out[:n]

    def search(self, text: str) -> list[tuple[str, str, str]]:
        """Entities whose label or synonym contains ``text`` (case-insensitive): (iri, matched, kind)."""
        needle = text.casefold()
        found: dict[str, tuple[str, str, str]] = {}
        for iri, label in self.labels.items():
            if needle in label.casefold():
                found[iri] = (iri, label, "label")
        for iri, syns in self.synonyms.items():
            for s in syns:
                if needle in s.casefold() and iri not in found:
                    found[iri] = (iri, s, "synonym")
        return sorted(found.values(), key=lambda t: (t[2] != "label", len(t[1]), t[1]))
