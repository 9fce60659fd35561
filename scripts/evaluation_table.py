"""Run `bionn-kg evaluate` for every preset and put the summary tables into the README.

    python scripts/evaluation_table.py            # print Markdown
    python scripts/evaluation_table.py --readme   # also replace the README's evaluation block
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def _f(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


def markdown() -> str:
    from kg.engine import Engine
    from kg.engine.evaluate import evaluate
    from kg.graph import load_graph
    g = load_graph()
    base = Engine(g)
    out = []
    for preset in ("balanced", "engineering", "neuroscience"):
        eng = Engine(g, preset=preset, features=base.features)
        ev = evaluate(eng)
        if preset == "balanced":
            out.append("Agreement of computed S and F with the paper's Table 1 ratings (Spearman rho; the engine "
                       "never reads the ratings):\n")
            out.append("| dimension | rho | p | pairs |\n|---|---|---|---|")
            out += [f"| {c['dimension']} | {_f(c['spearman rho'])} | {_f(c['p value'])} | {c['pairs']} |"
                    for c in ev.correlations]
            out.append("\n| biological | ANN | paper S | S | paper F | F | E |\n|---|---|---|---|---|---|---|")
            out += [f"| {a['bio']} | {a['ann']} | {a['paper S']} | {_f(a['S'])} | {a['paper F']} | {_f(a['F'])} "
                    f"| {_f(a['E'])} |" for a in ev.agreement]
            out.append("\nRecovery of asserted analog pairs (filtered rank of the asserted partner among all "
                       "candidates of the other domain), per preset, with a degree-only and a random baseline:\n")
            out.append("| preset | direction | group | pairs | MRR | Hits@1 | Hits@3 | degree MRR | random MRR |\n"
                       "|---|---|---|---|---|---|---|---|---|")
        for r in ev.recovery:
            if r["group"] in ("all", "Table 1", "drug classes (section 3)", "Zou et al. layers and learning rules"):
                out.append(f"| {preset} | {r['direction']} | {r['group']} | {r['pairs']} | {_f(r['MRR'])} | "
                           f"{_f(r['Hits@1'])} | {_f(r['Hits@3'])} | {_f(r['degree MRR'])} | {_f(r['random MRR'])} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--readme", action="store_true")
    args = ap.parse_args()
    md = markdown()
    print(md)
    if args.readme:
        from readme_block import replace_block
        replace_block("evaluation", md)


if __name__ == "__main__":
    main()
