"""Benchmark of the equivalence engine on synthetic graphs (10^2, 10^3, 10^4 mechanisms per side).

For each size, in a fresh subprocess (so peak RSS is that size's own): generate the graph, load it into
the embedded store, extract features by SPARQL, prepare (Lin matrices, max-profiles, path vectors,
relation grams) and compute all-pairs E with the top 10 per mechanism in both directions. Then the same
top-10 with a naive implementation (SPARQL queries per pair, Python loops for best-match average and
causal overlap; it skips the path proximity, so the comparison flatters it) on the sizes where it
finishes within its time budget, and the ratio. Engine stages are the median of ``--repeat`` runs after
an untimed first one (up to 10^3 mechanisms per side; one run above). Last, the cold start: the wall
time of ``bionn-kg analogies`` on the shipped graph, each run a fresh process.

    python scripts/bench_engine.py                 # prints a Markdown table
    python scripts/bench_engine.py --sizes 100 1000 --naive-sizes 30 100
    python scripts/bench_engine.py --readme        # also writes the table into its block (docs/speed.md)
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

Q_TERMS = """PREFIX bkg: <https://w3id.org/bionn-kg/>
SELECT ?m ?t WHERE { ?m ?p ?t . VALUES ?p { %s } }"""
Q_STEPS = """PREFIX bkg: <https://w3id.org/bionn-kg/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT ?m ?s ?r ?n WHERE { ?m bkg:hasCausalStep ?s . ?s bkg:stepRelation ?r . OPTIONAL { ?s obo:RO_0002411 ?n } }"""
Q_FAIL = """PREFIX bkg: <https://w3id.org/bionn-kg/>
SELECT ?m ?t WHERE { ?m bkg:hasFailureMode ?f . ?f bkg:hasFailureCharacteristic ?t }"""
PROPS = {"S": "bkg:hasStructuralFeature", "F": "bkg:hasFunctionalRole bkg:realizesPrimitive"}


def _load(n: int):
    import pyoxigraph as ox
    from synth import make_synthetic

    from kg.graph import KnowledgeGraph
    text = make_synthetic(n)
    store = ox.Store()
    t = time.perf_counter()
    store.bulk_load(text.encode(), format=ox.RdfFormat.N_TRIPLES)
    return KnowledgeGraph(store, []), time.perf_counter() - t


def run_engine(n: int, repeat: int) -> dict:
    """Time the engine ``repeat`` times on one graph and keep the median of each stage.

    With ``repeat`` > 1 a first, untimed run pays the one-time costs (lazy imports, query files read).
    """
    import statistics

    from kg.engine import Engine
    from kg.engine.features import extract_features
    g, t_load = _load(n)
    runs = []
    for _ in range(repeat + (repeat > 1)):
        t0 = time.perf_counter()
        feats = extract_features(g)
        t1 = time.perf_counter()
        eng = Engine(g, features=feats)
        t2 = time.perf_counter()
        top = eng.top_k(10)
        t3 = time.perf_counter()
        assert top.bio_idx.shape == (n, 10)
        runs.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
    runs = runs[-repeat:]
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    return {"n": n, "triples": len(g), "load_s": t_load, "features_s": med[0], "prepare_s": med[1],
            "topk_s": med[2], "total_s": med[3], "runs": repeat, "dense": feats.dense,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def cold_start(runs: int, bytecode: bool = True) -> dict:
    """Wall time of ``bionn-kg analogies`` on the shipped graph, each run a fresh process.

    ``bytecode``: with the modules' compiled bytecode cached, as after ``pip install`` (one untimed run
    writes it, and ``PYTHONDONTWRITEBYTECODE`` is lifted); otherwise as the environment says (with
    ``PYTHONDONTWRITEBYTECODE=1`` every start compiles the package's sources).
    """
    import shutil
    import statistics
    script = Path(sys.executable).parent / "bionn-kg"
    cmd = [str(script)] if script.exists() else [shutil.which("bionn-kg") or "bionn-kg"]
    cmd += ["analogies", "bkg:SynapticPruning", "--top", "5"]
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(cmd, check=True, capture_output=True, env=env)  # writes __pycache__
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t)
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls), "runs": runs,
            "bytecode": bytecode}


def run_naive(n: int, budget_s: float) -> dict:
    """Per-pair SPARQL + Python loops: the approach the engine replaces."""
    import pyoxigraph as ox

    from kg.engine.features import extract_features
    from kg.engine.semsim import lin_matrix
    g, _ = _load(n)
    f = extract_features(g)  # only for the term hierarchies (IC is global, computed once, as anyone would)
    lin = {k: lin_matrix(f.spaces[k].parents) for k in ("S", "F", "M")}
    index = {k: f.spaces[k].index for k in ("S", "F", "M")}
    t0 = time.perf_counter()

    def terms(m: str, kind: str) -> list[int]:
        q = Q_FAIL if kind == "M" else Q_TERMS % PROPS[kind]
        sub = {ox.Variable("m"): ox.NamedNode(m)}
        return [index[kind][s["t"].value] for s in g.store.query(q, substitutions=sub)]

    def grams(m: str) -> set:
        sub = {ox.Variable("m"): ox.NamedNode(m)}
        rows = list(g.store.query(Q_STEPS, substitutions=sub))
        rel = {r["s"].value: r["r"].value for r in rows}
        nxt = {r["s"].value: r["n"].value for r in rows if r["n"] is not None}
        out = set()
        for s in rel:
            path = [s]
            for _ in range(3):
                out.add(tuple(rel[x] for x in path))
                if path[-1] not in nxt:
                    break
                path.append(nxt[path[-1]])
        return out

    def bma(A, B, L):
        if not A or not B:
            return math.nan
        return 0.5 * (sum(max(L[a][b] for b in B) for a in A) / len(A) +
                      sum(max(L[a][b] for a in A) for b in B) / len(B))

    done = 0
    best: dict[str, list] = {}
    for b, a in itertools.product(f.bio, f.ann):
        dims = [bma(terms(b, k), terms(a, k), lin[k]) for k in ("S", "F", "M")]
        gb, ga = grams(b), grams(a)
        dims.append(2 * len(gb & ga) / (len(gb) + len(ga)) if gb and ga else math.nan)
        vals = [d for d in dims if not math.isnan(d)]
        e = sum(vals) / len(vals) if vals else -1
        best.setdefault(b, []).append((e, a))
        done += 1
        if time.perf_counter() - t0 > budget_s:
            break
    for b in best:
        best[b] = sorted(best[b], reverse=True)[:10]
    elapsed = time.perf_counter() - t0
    total_pairs = len(f.bio) * len(f.ann)
    return {"n": n, "pairs_done": done, "pairs": total_pairs, "elapsed_s": elapsed,
            "finished": done == total_pairs,
            "estimated_total_s": elapsed * total_pairs / max(done, 1)}


def _child(kind: str, n: int, budget: float, repeat: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, str(n), "--budget", str(budget), "--repeat", str(repeat)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ})
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(engine_rows: list[dict], naive_rows: list[dict]) -> str:
    naive = {r["n"]: r for r in naive_rows}
    lines = ["| mechanisms per side | triples | feature extraction (s) | prepare (s) | all-pairs E + top-10 (s) "
             "| engine total (s) | peak RSS (MB) | naive per-pair (s) | speed-up |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in engine_rows:
        nv = naive.get(r["n"])
        if nv:
            nv_txt = f"{nv['elapsed_s']:.1f}" if nv["finished"] else f"~{nv['estimated_total_s']:.0f} (est.)"
            ratio = f"{nv['estimated_total_s'] / r['total_s']:.0f}x"
        else:
            nv_txt, ratio = "not run", ""
        lines.append(f"| {r['n']:,} | {r['triples']:,} | {r['features_s']:.2f} | {r['prepare_s']:.2f} | "
                     f"{r['topk_s']:.2f} | {r['total_s']:.2f} | {r['peak_rss_mb']:.0f} | {nv_txt} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--naive-sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--budget", type=float, default=120.0, help="seconds the naive run may take per size")
    ap.add_argument("--repeat", type=int, default=5,
                    help="engine runs per size up to 10^3 (median reported; one run above)")
    ap.add_argument("--cold-runs", type=int, default=10, help="fresh `bionn-kg analogies` processes to time")
    ap.add_argument("--readme", action="store_true", help="write the table into its block in README.md or docs/")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, n = args.child[0], int(args.child[1])
        res = run_engine(n, args.repeat) if kind == "engine" else run_naive(n, args.budget)
        print(json.dumps(res))
        return
    eng_rows, naive_rows = [], []
    for n in args.sizes:
        eng_rows.append(_child("engine", n, args.budget, args.repeat if n <= 1000 else 1))
        print(f"engine n={n}: {eng_rows[-1]}", file=sys.stderr)
    for n in args.naive_sizes:
        if n in args.sizes:
            naive_rows.append(_child("naive", n, args.budget))
            print(f"naive n={n}: {naive_rows[-1]}", file=sys.stderr)
    cold = cold_start(args.cold_runs)
    cold_src = cold_start(args.cold_runs, bytecode=False) if os.environ.get("PYTHONDONTWRITEBYTECODE") else None
    print(f"cold start: {cold} {cold_src or ''}", file=sys.stderr)
    md = table(eng_rows, naive_rows)
    cpu = os.cpu_count()
    reps = ", ".join(f"{r['n']:,}: {r['runs']}" for r in eng_rows)
    kinds = ", ".join(f"{r['n']:,}: {'dense' if r['dense'] else 'sparse'}" for r in eng_rows)
    md += (f"\n\nMeasured with `python scripts/bench_engine.py` on {cpu} cores. Engine times are medians of "
           f"repeated runs after an untimed first one (runs per size: {reps}); the naive run is timed once, "
           f"stops after {args.budget:.0f} s and its total is extrapolated from the pairs it finished "
           f"(marked est.). Matrices (`kg.engine.linalg`): {kinds}.\n\n"
           f"Cold start, `bionn-kg analogies bkg:SynapticPruning --top 5` on the shipped graph, "
           f"{cold['runs']} fresh processes: median {cold['median_s']:.2f} s wall "
           f"(min {cold['min_s']:.2f}, max {cold['max_s']:.2f}) with the bytecode cached, as after "
           f"`pip install`")
    if cold_src is not None:
        md += (f"; {cold_src['median_s']:.2f} s (min {cold_src['min_s']:.2f}, max {cold_src['max_s']:.2f}) "
               f"with `PYTHONDONTWRITEBYTECODE=1` as set on the machine measured (every start compiles "
               f"the sources)")
    md += "."
    print(md)
    if args.readme:
        from readme_block import replace_block
        replace_block("bench-engine", md)


if __name__ == "__main__":
    main()
