"""Synthetic knowledge graphs in the ontology's vocabulary, for benchmarks.

``make_synthetic(n)`` writes n biological and n ANN mechanisms, each described like a shipped one:
structural features, functional roles, primitives (random leaves of balanced term hierarchies), a
causal chain of 2-4 steps over a shared relation vocabulary, failure modes with characteristics and,
for one mechanism in ten, an efficiency profile. About 50 triples per mechanism: n = 10^4 gives
about 10^6 triples. Output is N-Triples text (fast to parse, and every engine reads it).

    python scripts/synth.py 1000 > /tmp/synth.nt
"""
from __future__ import annotations

import random
import sys

BKG = "https://w3id.org/bionn-kg/"
SYN = "https://example.org/synth/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
BROADER = "<http://www.w3.org/2004/02/skos/core#broader>"
UPSTREAM = "<http://purl.obolibrary.org/obo/RO_0002411>"
XSD_INT = "<http://www.w3.org/2001/XMLSchema#integer>"
XSD_DOUBLE = "<http://www.w3.org/2001/XMLSchema#double>"


def _b(local: str) -> str:
    return f"<{BKG}{local}>"


def _s(local: str) -> str:
    return f"<{SYN}{local}>"


def _hierarchy(out: list[str], prefix: str, cls: str, n_terms: int, fanout: int = 8) -> list[str]:
    """A balanced tree of n_terms terms; returns the leaves."""
    terms = [f"{prefix}{i}" for i in range(n_terms)]
    for i, t in enumerate(terms):
        out.append(f"{_s(t)} {RDF_TYPE} {_b(cls)} .")
        out.append(f'{_s(t)} {LABEL} "{prefix} {i}" .')
        if i:
            out.append(f"{_s(t)} {BROADER} {_s(terms[(i - 1) // fanout])} .")
    first_leaf = (n_terms - 2) // fanout + 1
    return terms[first_leaf:]


def make_synthetic(n_per_side: int, seed: int = 0, n_terms: int | None = None) -> str:
    """N-Triples of a synthetic graph with ``n_per_side`` mechanisms per domain."""
    rnd = random.Random(seed)
    T = n_terms or max(50, min(2000, n_per_side // 5))
    out: list[str] = []
    leaves = {
        "S": _hierarchy(out, "sf", "StructuralFeature", T),
        "F": _hierarchy(out, "fr", "FunctionalRole", T),
        "P": _hierarchy(out, "cp", "ComputationalPrimitive", max(20, T // 20)),
        "M": _hierarchy(out, "fc", "FailureCharacteristic", max(30, T // 10)),
    }
    relations = [f"rel{i}" for i in range(30)]
    for r in relations:
        out.append(f"{_s(r)} {RDF_TYPE} {_b('CausalRelationType')} .")
    n_fm = max(20, n_per_side // 20)
    for side, fm_cls in (("bio", "BiologicalFailureMode"), ("ann", "ANNFailureMode")):
        for k in range(n_fm):
            fm = _s(f"{side}_fm{k}")
            out.append(f"{fm} {RDF_TYPE} {_b(fm_cls)} .")
            for c in rnd.sample(leaves["M"], 2):
                out.append(f"{fm} {_b('hasFailureCharacteristic')} {_s(c)} .")
    out.append(f"{_s('joule')} {_b('siMultiplier')} \"1.0\"^^{XSD_DOUBLE} .")
    out.append(f"{_s('joule')} {_b('quantityKind')} {_s('energy')} .")
    for side, cls in (("bio", "BiologicalMechanism"), ("ann", "ANNMechanism")):
        for i in range(n_per_side):
            m = _s(f"{side}{i}")
            out.append(f"{m} {RDF_TYPE} {_b(cls)} .")
            out.append(f'{m} {LABEL} "{side} mechanism {i}" .')
            for prop, key, k in (("hasStructuralFeature", "S", 4), ("hasFunctionalRole", "F", 3),
                                 ("realizesPrimitive", "P", 1)):
                for t in rnd.sample(leaves[key], k):
                    out.append(f"{m} {_b(prop)} {_s(t)} .")
            for k in rnd.sample(range(n_fm), 1):
                out.append(f"{m} {_b('hasFailureMode')} {_s(f'{side}_fm{k}')} .")
            n_steps = rnd.randint(2, 4)
            for s in range(n_steps):
                st = _s(f"{side}{i}_step{s + 1}")
                out.append(f"{m} {_b('hasCausalStep')} {st} .")
                out.append(f"{st} {_b('stepRelation')} {_s(rnd.choice(relations))} .")
                out.append(f"{st} {_b('stepIndex')} \"{s + 1}\"^^{XSD_INT} .")
                out.append(f"{st} {_b('actsOn')} {_s(f'pt{rnd.randrange(200)}')} .")
                if s + 1 < n_steps:
                    out.append(f"{st} {UPSTREAM} {_s(f'{side}{i}_step{s + 2}')} .")
            if i % 10 == 0:
                p = _s(f"{side}{i}_eff")
                out.append(f"{m} {_b('hasEfficiencyProfile')} {p} .")
                out.append(f"{p} {_b('energyCost')} \"{10 ** rnd.uniform(-13, -9):.3e}\"^^{XSD_DOUBLE} .")
                out.append(f"{p} {_b('energyUnit')} {_s('joule')} .")
                out.append(f"{p} {_b('outcomeKind')} {_s('event')} .")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(make_synthetic(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
