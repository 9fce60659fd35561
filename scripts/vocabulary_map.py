"""Regenerate the vocabulary map of docs/model.md: which property says what, and which terms can fill it.

    python scripts/vocabulary_map.py            # print the Markdown
    python scripts/vocabulary_map.py --doc      # replace the `vocabulary-map` block of docs/model.md

Everything comes from the shipped graph through ``queries/internal/vocabulary_map.rq``: the properties whose
domain is a mechanism, a causal step or a failure mode (with their range and definition), the mechanism
classes, and every term of the shared vocabulary in its ``skos:broader`` hierarchy. Nothing is typed in
here but the order in which properties are listed; ``tests/test_vocabulary_map.py`` checks that the block
in docs/model.md is what :func:`render` produces from the current graph.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

BLOCK = "vocabulary-map"
DOC = ROOT / "docs" / "model.md"

# subjects of the properties, in the order a description is written
SUBJECTS = [("Mechanism", "a mechanism"), ("CausalStep", "a causal step"), ("FailureMode", "a failure mode")]
# properties listed first, in this order; any other property with one of those domains follows alphabetically
PROPERTY_ORDER = ["hasStructuralFeature", "hasFunctionalRole", "realizesPrimitive", "hasCausalStep",
                  "hasFailureMode", "specialises", "BFO_0000050", "alternativeTo", "hasEfficiencyProfile",
                  "outcomeMeasuredIn", "stepIndex", "stepRelation", "actsOn", "resultsIn", "underCondition",
                  "RO_0002411", "hasFailureCharacteristic", "failureTrigger", "failureCorrespondsTo"]
# the term hierarchies: (class, heading, the properties that take its terms, dimension)
HIERARCHIES = [
    ("StructuralFeature", "Structural features", ["hasStructuralFeature"], "S"),
    ("FunctionalRole", "Functional roles", ["hasFunctionalRole"], "F"),
    ("ComputationalPrimitive", "Computational primitives", ["realizesPrimitive"], "F"),
    ("CausalRelationType", "Causal relation types", ["stepRelation"], "C"),
    ("Participant", "Participants", ["actsOn", "resultsIn", "underCondition"], "C"),
    ("FailureCharacteristic", "Failure characteristics", ["hasFailureCharacteristic"], "M"),
    ("FailureTrigger", "Failure triggers", ["failureTrigger"], "M"),
]


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


class _Vocabulary:
    """The rows of the vocabulary-map query, indexed: labels, definitions, parents and children."""

    def __init__(self, graph) -> None:
        self.curie = graph.curie
        self.label: dict[str, str] = {}
        self.definition: dict[str, str] = {}
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.children: dict[str, set[str]] = defaultdict(set)
        self.members: dict[str, set[str]] = defaultdict(set)  # kind -> entities
        self.range: dict[str, str] = {}  # property -> label of its range (or the range's local name)
        self.functional: set[str] = set()
        for r in graph.select_named("internal/vocabulary_map"):
            e, kind = r["entity"], r["kind"]
            self.members[kind].add(e)
            if r.get("label") is not None:
                self.label.setdefault(e, str(r["label"]))
            if r.get("definition") is not None:
                self.definition.setdefault(e, str(r["definition"]))
            if r.get("range"):
                self.range[e] = str(r.get("range_label") or _local(r["range"]))
            if r.get("functional"):
                self.functional.add(e)
            if r.get("parent"):
                self.parents[e].add(r["parent"])
                if kind != "property":
                    self.children[r["parent"]].add(e)

    def name(self, e: str) -> str:
        return self.label.get(e) or _local(e)

    def sort(self, es) -> list[str]:
        return sorted(es, key=lambda e: (self.name(e).lower(), e))

    def ref(self, e: str) -> str:
        return f"`{self.curie(e)}`"


def _properties(v: _Vocabulary) -> list[str]:
    rank = {name: i for i, name in enumerate(PROPERTY_ORDER)}
    out = ["| subject | property | value | how many | what it says |", "|---|---|---|---|---|"]
    for subject, words in SUBJECTS:
        props = [p for p in v.members["property"] if any(_local(d) == subject for d in v.parents[p])]
        props.sort(key=lambda p: (rank.get(_local(p), len(rank)), _local(p)))
        for p in props:
            rng = v.range.get(p)
            value = rng or ("causal step" if _local(p) == "RO_0002411" else "")
            many = "one" if p in v.functional else "one or more"
            out.append(f"| {words} | {v.ref(p)} {_cell(v.name(p))} | {_cell(value)} | {many} | "
                       f"{_cell(v.definition.get(p))} |")
    return out


def _classes(v: _Vocabulary) -> list[str]:
    out: list[str] = []
    tops = [c for c in v.members["class"] if any(_local(p) == "Mechanism" for p in v.parents[c])]

    def walk(c: str, depth: int) -> None:
        d = v.definition.get(c)
        out.append(f"{'  ' * depth}- {v.ref(c)} {v.name(c)}" + (f": {_cell(d)}" if d and depth else ""))
        for k in v.sort(v.children.get(c, ())):
            walk(k, depth + 1)

    for t in v.sort(tops):
        walk(t, 0)
    return out


def _families(v: _Vocabulary, kind: str, roots: list[str]) -> list[str]:
    """One row per top term of ``kind``: the family, and its direct narrower terms by label."""
    terms = v.members[kind]
    out = ["| family (top term) | its direct narrower terms |", "|---|---|"]
    for r in roots:
        kids = v.sort(v.children.get(r, set()) & terms)
        out.append(f"| {v.ref(r)} {_cell(v.name(r))} | {_cell('; '.join(v.name(k) for k in kids)) or '-'} |")
    return out


def _tree(v: _Vocabulary, kind: str) -> tuple[list[str], int, list[str]]:
    """Nested list of ``kind``'s terms (a term with two parents appears under both); (lines, terms, roots)."""
    terms = v.members[kind]
    roots = v.sort(t for t in terms if not (v.parents[t] & terms))
    out: list[str] = []

    def walk(t: str, depth: int, via: str | None, seen: frozenset[str]) -> None:
        others = [p for p in v.parents[t] & terms if p != via]
        also = f" (also under {', '.join(v.name(p) for p in v.sort(others))})" if via and others else ""
        line = f"{'  ' * depth}- {v.ref(t)} {v.name(t)}{also}"
        if kind == "FailureTrigger" and v.definition.get(t):
            line += f": {_cell(v.definition[t])}"
        out.append(line)
        for k in v.sort(v.children.get(t, set()) & terms):
            if k not in seen:  # a cycle is reported by `bionn-kg check` (broader_cycle); never loop here
                walk(k, depth + 1, t, seen | {k})

    for r in roots:
        walk(r, 0, None, frozenset({r}))
    return out, len(terms), roots


def render(graph=None) -> str:
    """The Markdown of the ``vocabulary-map`` block, computed from ``graph`` (default: the shipped graph)."""
    if graph is None:
        from kg.graph import load_graph
        graph = load_graph()
    v = _Vocabulary(graph)
    out = ["#### Properties: what each one says, and what it takes", "",
           *_properties(v), "",
           "#### Mechanism classes", "",
           "Type a mechanism with the most specific class that fits (`a owl:NamedIndividual , bkg:CLASS`); the "
           "two domains are disjoint.", "",
           *_classes(v), "",
           "#### The terms, in their `skos:broader` hierarchies", "",
           "For each kind of term: its families (the terms at the top of its hierarchy, with their direct "
           "narrower terms), then, folded, the whole hierarchy with IDs: a term is indented under its broader "
           "term, and a term with two broader terms is listed under both. Pick the most specific term the "
           "source supports, or its parent when unsure.", ""]
    for kind, heading, props, dim in HIERARCHIES:
        lines, n, roots = _tree(v, kind)
        if not n:
            continue
        used = ", ".join(f"`{p if ':' in p else 'bkg:' + p}`" for p in props)
        out += [f"##### {heading} ({dim}): values of {used}; {n} terms, {len(roots)} at the top", "",
                *_families(v, kind, roots), "",
                "<details>", f"<summary>All {n} {heading.lower()}, with their IDs</summary>",
                "", *lines, "", "</details>", ""]
    return "\n".join(out).strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--doc", action="store_true", help=f"replace the '{BLOCK}' block of docs/model.md")
    args = ap.parse_args(argv)
    md = render()
    if args.doc:
        from readme_block import replace_block
        print(replace_block(BLOCK, md, DOC))
    else:
        print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
