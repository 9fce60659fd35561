"""Resolving user-given IDs: a CURIE (``bkg:SynapticPruning``), a full IRI, or an exact label.

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
from collections import defaultdict

from .errors import UnknownEntityError
from .graph import PREFIXES, KnowledgeGraph

__all__ = ["EntityIndex"]


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
