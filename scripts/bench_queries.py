"""Benchmark of the shipped query suite: embedded pyoxigraph store vs rdflib's own engine.

Runs every top-level ``queries/*.rq`` (or those named with ``--only``) on (1) the shipped graph and (2)
a synthetic graph of about 10^6 triples: ``scripts/synth.py``'s mechanisms (features, causal chains,
failure modes, efficiency profiles) plus, generated here, the entities the suite asks about (Table-1-style equivalence
assertions with ratings, gap analogies with coverage, failure correspondences and mitigations, drug
classes with risks, disanalogies, property comparisons, hypotheses). Each query runs in a forked
worker that is killed after ``--limit`` seconds; a cell shows the median of ``--runs`` runs (seconds)
and the ratio rdflib / embedded. Prints a Markdown table; ``--readme`` also writes it into its block (docs/queries.md)
between ``<!-- BEGIN queries -->`` and ``<!-- END queries -->`` (only the table block is replaced).

Queries whose header says ``# needs: computed-analogies`` run with the engine's top-``--k`` analogies added
in their own named graph (built once per graph, time printed; rdflib gets them in an ``rdflib.Dataset``).

    python scripts/bench_queries.py --n 17500 --runs 3 --limit 60 --readme
    python scripts/bench_queries.py --only efficiency_gaps --only efficiency_normalisation --runs 3
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from synth import LABEL, _b, _s  # noqa: E402  (one vocabulary for both synthetic generators)
from synth import RDF_TYPE as TYPE  # noqa: E402

SOURCE = "<http://purl.org/dc/terms/source>"


def suite_entities(n: int, seed: int = 0) -> str:
    """N-Triples of the entities the query suite asks about, over synth.py's mechanism IRIs."""
    rnd = random.Random(seed + 1)
    out: list[str] = []
    n_fm = max(20, n // 20)
    ratings = ["High", "Moderate", "Low"]
    cover = ["PartialAnalog", "AttemptedAnalog", "NoAnalog", "FullAnalog"]
    for i in range(n // 2):  # equivalence assertions
        a = _s(f"eq{i}")
        out += [f"{a} {TYPE} {_b('EquivalenceAssertion')} .",
                f"{a} {_b('biologicalSide')} {_s(f'bio{rnd.randrange(n)}')} .",
                f"{a} {_b('annSide')} {_s(f'ann{rnd.randrange(n)}')} .",
                f"{a} {_b('paperStructuralRating')} {_b(rnd.choice(ratings))} .",
                f"{a} {_b('paperFunctionalRating')} {_b(rnd.choice(ratings))} .",
                f"{a} {_b('analogCoverage')} {_b(rnd.choice(cover))} .",
                f"{a} {SOURCE} {_s('section_table1')} ."]
    for i in range(n // 5):  # gap analogies and physiological correspondences
        a = _s(f"ga{i}")
        cls = "GapAnalogy" if i % 2 else "PhysiologicalCorrespondence"
        out += [f"{a} {TYPE} {_b(cls)} .",
                f"{a} {_b('biologicalSide')} {_s(f'bio{rnd.randrange(n)}')} .",
                f"{a} {_b('annSide')} {_s(f'ann{rnd.randrange(n)}')} .",
                f"{a} {_b('analogCoverage')} {_b(rnd.choice(cover[:3]))} ."]
    for k in range(n_fm):  # pathology mapping and mitigations
        out.append(f"{_s(f'bio_fm{k}')} {_b('failureCorrespondsTo')} {_s(f'ann_fm{rnd.randrange(n_fm)}')} .")
        out.append(f"{_s(f'ann{rnd.randrange(n)}')} {_b('mitigates')} {_s(f'ann_fm{k}')} .")
    for d in range(max(10, n // 100)):  # drug classes
        drug, act, ci = _s(f"drug{d}"), _s(f"action{d}"), _s(f"ci{d}")
        out += [f"{drug} {TYPE} {_b('DrugClass')} .", f'{drug} {LABEL} "drug class {d}" .',
                f"{act} {TYPE} {_b('EnzymeInhibition')} .",
                f"{drug} {_b('hasMolecularAction')} {act} .",
                f"{drug} {_b('hasRisk')} {_s(f'bio_fm{rnd.randrange(n_fm)}')} .",
                f"{ci} {TYPE} {_b('ClinicalIntervention')} .",
                f"{ci} {_b('mitigates')} {_s(f'bio_fm{rnd.randrange(n_fm)}')} .",
                f"{ci} {_b('interventionAnalogOf')} {_s(f'ann{rnd.randrange(n)}')} ."]
        pa = _s(f"pa{d}")
        out += [f"{pa} {TYPE} {_b('PharmacologicalAnalogy')} .", f"{pa} {_b('drugClassOf')} {drug} .",
                f"{pa} {_b('biologicalSide')} {act} .", f"{pa} {_b('annSide')} {_s(f'ann{rnd.randrange(n)}')} ."]
    for d in range(max(10, n // 100)):  # disanalogies, comparisons, hypotheses
        for cls, pre in (("Disanalogy", "dis"), ("PropertyComparison", "pc"), ("Hypothesis", "hyp")):
            x = _s(f"{pre}{d}")
            out += [f"{x} {TYPE} {_b(cls)} .", f'{x} {LABEL} "{pre} {d}" .',
                    f"{x} {_b('concernsMechanism')} {_s(f'bio{rnd.randrange(n)}')} ."]
        out.append(f"{_s(f'ann{rnd.randrange(n)}')} {_b('attemptsToClose')} {_s(f'dis{d}')} .")
        out.append(f'{_s(f"pc{d}")} {_b("annValue")} "ann value {d}" .')
        out.append(f'{_s(f"pc{d}")} {_b("bioValue")} "bio value {d}" .')
    return "\n".join(out) + "\n"


# -- timing in killable workers ------------------------------------------------------------------
def _child(conn, engine, store, text):
    try:
        t0 = time.perf_counter()
        if engine == "oxigraph":
            res = store.query(text)
            n = sum(1 for _ in res)
        else:
            n = sum(1 for _ in store.query(text))
        conn.send(("ok", time.perf_counter() - t0, n))
    except BaseException as exc:  # noqa: BLE001
        conn.send(("error", repr(exc)[:200], 0))


def timed(engine: str, store, text: str, limit: float) -> tuple[float | None, int]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(child, engine, store, text), daemon=True)
    p.start()
    child.close()
    try:
        if not parent.poll(limit):
            return None, -1
        kind, secs, n = parent.recv()
        if kind != "ok":
            raise RuntimeError(f"{engine}: {secs}")
        return secs, n
    finally:
        if p.is_alive():
            p.kill()
        p.join(5)


def bench(label: str, nt_text: str, runs: int, limit: float, only: list[str] | None = None,
          k: int = 3, with_rdflib: bool = True) -> list[dict]:
    import pyoxigraph as ox
    import rdflib

    from kg.computed import computed_quads, needs_computed
    from kg.graph import KnowledgeGraph
    from kg.queries import list_queries
    from kg.sparql_safety import add_missing_prefixes

    t0 = time.perf_counter()
    store = ox.Store()
    store.load(nt_text.encode(), format=ox.RdfFormat.N_TRIPLES)
    t_ox = time.perf_counter() - t0
    t0 = time.perf_counter()
    g = rdflib.Graph()
    if with_rdflib:
        g.parse(data=nt_text, format="nt")
    t_rdf = time.perf_counter() - t0 if with_rdflib else None
    n_triples = len(store)
    queries = [q for q in list_queries() if not only or q.name in only]
    ds = None
    if any(needs_computed(q.headers) for q in queries):
        # '# needs: computed-analogies': the engine's top-k in their own named graph, as `bionn-kg query` does
        t0 = time.perf_counter()
        quads = computed_quads(KnowledgeGraph(store, []), k=k)
        t_comp = time.perf_counter() - t0
        store.extend(quads)
        print(f"# {label}: computed analogies (k={k}): {len(quads)} quads in {t_comp:.1f} s",
              file=sys.stderr, flush=True)
        if with_rdflib:
            ds = rdflib.Dataset(default_union=False)
            ds.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
            from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
            ds.graph(DATASET_DEFAULT_GRAPH_ID).parse(data=nt_text, format="nt")
    rdf_load = f"{t_rdf:.1f} s" if t_rdf is not None else "not run"
    print(f"# {label}: {n_triples} triples; load {t_ox:.1f} s (pyoxigraph), {rdf_load} (rdflib)",
          file=sys.stderr, flush=True)
    rows = [{"graph": label, "query": "(load N-Triples)", "triples": n_triples, "rows": "",
             "embedded": t_ox, "rdflib": t_rdf, "runs": 1, "rdflib_run": with_rdflib}]
    for q in queries:
        text, _ = add_missing_prefixes(q.text)
        rg = ds if needs_computed(q.headers) else g
        res: dict[str, list[float]] = {"embedded": [], "rdflib": []}
        nrows = None
        stopped = {"embedded": False, "rdflib": False}
        for _ in range(runs):
            for eng, st in (("embedded", store), ("rdflib", rg)):
                if eng == "rdflib" and not with_rdflib:
                    stopped[eng] = True
                if stopped[eng]:
                    continue
                secs, n = timed("oxigraph" if eng == "embedded" else "rdflib", st, text, limit)
                if secs is None:
                    stopped[eng] = True
                    continue
                res[eng].append(secs)
                if eng == "embedded":
                    nrows = n
        row = {"graph": label, "query": q.name, "triples": n_triples, "rows": nrows, "runs": runs,
               "rdflib_run": with_rdflib}
        for eng in res:
            row[eng] = None if stopped[eng] else statistics.median(res[eng])
        rows.append(row)
        print(f"#   {q.name}: {row['embedded']} / {row['rdflib']}", file=sys.stderr, flush=True)
    return rows


def fmt(x: float | None, limit: float) -> str:
    if x is None:
        return f"> {limit:g} (stopped)"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def table(rows: list[dict], limit: float, runs: int) -> str:
    out = [f"Median of {runs} runs, seconds (machine: {platform.machine()}, {mp.cpu_count()} CPUs, "
           f"Python {platform.python_version()}); each query in a worker killed after {limit:g} s.",
           "",
           "| graph | query | rows | embedded (pyoxigraph) | rdflib engine | rdflib / embedded |",
           "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        e, d = r["embedded"], r["rdflib"]
        if e and d:
            ratio = f"{d / e:,.0f}x" if d / e >= 10 else f"{d / e:.1f}x"
        elif e and d is None:
            ratio = f"> {limit / e:,.0f}x"
        else:
            ratio = ""
        label = f"{r['graph']} ({r['triples']:,} triples)"
        rd = fmt(d, limit) if r.get("rdflib_run", True) else "not run"
        out.append(f"| {label} | {r['query']} | {r['rows'] if r['rows'] is not None else ''} | "
                   f"{fmt(e, limit)} | {rd} | {ratio if r.get('rdflib_run', True) else ''} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=17_500, help="synthetic mechanisms per side (17,500 ~ 10^6 triples)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=float, default=60.0, help="seconds before a query is stopped")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--readme", action="store_true", help="write the table into its block in README.md or docs/")
    ap.add_argument("--only", action="append", metavar="QUERY", help="run only these queries (repeatable)")
    ap.add_argument("--k", type=int, default=3,
                    help="analogs per mechanism in the computed graph built for '# needs: computed-analogies'")
    ap.add_argument("--no-rdflib", action="store_true", help="time the embedded store only")
    args = ap.parse_args()

    import pyoxigraph as ox

    from kg.graph import load_graph

    g = load_graph()
    shipped = g.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode()
    opts = dict(only=args.only, k=args.k, with_rdflib=not args.no_rdflib)
    rows = bench("shipped", shipped, args.runs, args.limit, **opts)
    from synth import make_synthetic
    synthetic = shipped + make_synthetic(args.n, args.seed) + suite_entities(args.n, args.seed)
    rows += bench("synthetic", synthetic, args.runs, args.limit, **opts)
    block = table(rows, args.limit, args.runs)
    print(block)
    if args.readme:
        from readme_block import replace_block
        replace_block("bench_queries table", block)


if __name__ == "__main__":
    main()
