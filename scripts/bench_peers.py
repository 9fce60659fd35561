"""The engine's S dimension and path stage next to the peer tools, on the same synthetic graph.

Peers (installed with ``pip install -e '.[bench]'``; each is reported as "not installed" otherwise):

* **semsimian** (Rust, used by OAK). Its fastest route to all-pairs term-set similarity: the
  all-by-all term-pair table (``all_by_all_pairwise_similarity``) over the terms the mechanisms use,
  then NumPy best-match average and top-10 per mechanism. (Its own term-set API compares one pair of
  sets per call: at 10^4 x 10^4 that is hours, so it is not run here; see docs/speed.md.)
* **hetmatpy** (Hetionet's matrix DWPC) with ``dense_threshold=0.7``, its sparse setting: the two
  metapaths the engine uses (mechanism-term-mechanism and mechanism-term-parent-term-mechanism), damping 0.4.

Against them, timed in the same process on the same features:

* **engine S alone**: prepare S (Lin, max-profiles, unit path vectors) and all pairs of
  S = (1 - beta) BMA + beta P in blocks, with the top 10 per biological mechanism;
* **engine path stage**: what an S dimension prepares and computes for its path half: the
  degree-weighted path vectors u = [U1 | U2] of every mechanism (U1 for M-T-M, U2 for M-T-P-T-M),
  normalised to unit length once, and for every pair u_b . u_a (the sum of the two metapaths' DWPC,
  normalised by the self-path counts), one sparse product per block of 512 bio rows; the result is
  kept sparse (in the engine's top-k each block's non-zeros are added into E).

hetmatpy computes the two metapaths' raw DWPC matrices separately (10^4 x 10^4 each, sparse; its DWPC
also leaves out the paths that visit a term twice, t = t' under one parent, which the engine counts),
from adjacency matrices it reads from its on-disk HetMat; the engine one normalised matrix of their
sum. The measures are not identical (semsimian offers Resnik and Jaccard, not Lin; hetmatpy gives raw
DWPC per metapath, the engine their cosine), so the table compares the cost of the same amount of
all-pairs work: both build every pair's path counts over the same two metapaths and keep them sparse.

    python scripts/bench_peers.py --n 10000            # prints a Markdown table
    python scripts/bench_peers.py --n 10000 --readme   # also writes it into its block (docs/speed.md)
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TOP = 10
BLOCK = 512


def _top_rows(M: np.ndarray, k: int = TOP) -> np.ndarray:
    Mn = np.where(np.isnan(M), -np.inf, M)
    return np.argpartition(-Mn, min(k, M.shape[1]) - 1, axis=1)[:, :k]


def engine_s(space, beta: float = 0.5) -> float:
    """Prepare S and score all pairs with top-10 with the engine's own kernels (as its S dimension
    runs them, alone); seconds."""
    from kg.engine.linalg import incidence, vstack
    from kg.engine.paths import path_operands, path_products
    from kg.engine.semsim import bma_block, lin_matrix, side_profiles
    t = time.perf_counter()
    lin = lin_matrix(space.parents)
    Pb, Pa_T = side_profiles(space.X_bio, space.X_ann, lin)
    T, nb = len(space.terms), space.X_bio.shape[0]
    pr = [(c, p) for c, ps in enumerate(space.parents) for p in ps]
    B = incidence([c for c, _ in pr], [p for _, p in pr], (T, T), False)
    ops = path_operands(vstack([space.X_bio, space.X_ann]), B, nb)
    for r0 in range(0, nb, BLOCK):
        sl = slice(r0, r0 + BLOCK)
        S = bma_block(space.X_bio[sl], Pb[sl], space.X_ann, Pa_T)
        S *= 1 - beta
        P = path_products(ops, sl).tocoo()   # sparse: only pairs joined by a path
        S[P.row, P.col] += beta * np.minimum(P.data, 1.0)
        _top_rows(S)
    return time.perf_counter() - t


def engine_paths(space) -> float:
    """The engine's path stage, as an S dimension runs it: the degree-weighted path vectors of both
    metapaths, normalised once (``path_operands``), and the cosine of every pair, one sparse product
    per block of rows (``path_products``), kept sparse as hetmatpy keeps its DWPC; seconds."""
    from kg.engine.linalg import incidence, vstack
    from kg.engine.paths import path_operands, path_products
    t = time.perf_counter()
    T, nb = len(space.terms), space.X_bio.shape[0]
    pr = [(c, p) for c, ps in enumerate(space.parents) for p in ps]
    B = incidence([c for c, _ in pr], [p for _, p in pr], (T, T), False)
    ops = path_operands(vstack([space.X_bio, space.X_ann]), B, nb)
    for r0 in range(0, nb, BLOCK):
        path_products(ops, slice(r0, r0 + BLOCK))
    return time.perf_counter() - t


def semsimian_route(space) -> float | None:
    """All-by-all term pairs in semsimian, then NumPy BMA (Resnik) and top-10; seconds."""
    if importlib.util.find_spec("semsimian") is None:
        return None
    from semsimian import Semsimian

    from kg.engine.linalg import row_counts
    from kg.engine.semsim import max_profile
    terms = space.terms
    spo = [(terms[c], "rdfs:subClassOf", terms[p]) for c, ps in enumerate(space.parents) for p in ps]
    used = sorted({terms[c] for X in (space.X_bio, space.X_ann) for c in X.tocsr().indices})
    t = time.perf_counter()
    ss = Semsimian(spo=spo, predicates=["rdfs:subClassOf"])
    table = ss.all_by_all_pairwise_similarity(subject_terms=set(used), object_terms=set(used),
                                              minimum_jaccard_threshold=0, minimum_resnik_threshold=0)
    index = {x: i for i, x in enumerate(terms)}
    R = np.zeros((len(terms), len(terms)), dtype=np.float32)
    for a, row in table.items():
        ia = index[a]
        for b, vals in row.items():
            R[ia, index[b]] = vals[1]
    Pb, Pa = max_profile(space.X_bio, R), max_profile(space.X_ann, R)
    PaT, nb, na = np.ascontiguousarray(Pa.T), row_counts(space.X_bio), row_counts(space.X_ann)
    for r0 in range(0, space.X_bio.shape[0], BLOCK):
        sl = slice(r0, r0 + BLOCK)
        out = np.asarray(space.X_bio[sl] @ PaT) * (0.5 / nb[sl])[:, None]
        out += (np.asarray(space.X_ann @ np.ascontiguousarray(Pb[sl].T)) * (0.5 / na)[:, None]).T
        _top_rows(out)
    return time.perf_counter() - t


def hetmatpy_route(space, workdir: Path, repeat: int) -> float | None:
    """hetmatpy DWPC (dense_threshold=0.7) for the engine's two metapaths: median seconds of ``repeat``
    runs (building its graph and matrices on disk is untimed)."""
    if importlib.util.find_spec("hetmatpy") is None:
        return None
    import hetnetpy.hetnet
    from hetmatpy.degree_weight import dwpc
    from hetmatpy.hetmat import hetmat_from_graph

    metagraph = hetnetpy.hetnet.MetaGraph.from_edge_tuples(
        [("Bio", "Term", "has", "both"), ("Ann", "Term", "has", "both"),
         ("Term", "Term", "broader", "forward")],
        {"Bio": "B", "Ann": "A", "Term": "T", "has": "h", "broader": "b"})
    g = hetnetpy.hetnet.Graph(metagraph)
    for t in range(len(space.terms)):
        g.add_node("Term", t)
    for side, X in (("Bio", space.X_bio.tocsr()), ("Ann", space.X_ann.tocsr())):
        for m in range(X.shape[0]):
            g.add_node(side, m)
        for m in range(X.shape[0]):
            for t in X.indices[X.indptr[m]:X.indptr[m + 1]]:
                g.add_edge((side, m), ("Term", int(t)), "has", "both")
    for c, ps in enumerate(space.parents):
        for p in ps:
            g.add_edge(("Term", c), ("Term", p), "broader", "forward")
    hm = hetmat_from_graph(g, workdir / "hetmat")
    paths = [hm.metagraph.metapath_from_abbrev(a) for a in ("BhThA", "BhTb>T<bThA")]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for mp in paths:
            dwpc(hm, mp, damping=0.4, dense_threshold=0.7, dtype=np.float32)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(n: int, repeat: int) -> dict:
    from bench_engine import _load

    from kg.engine.features import extract_features
    g, _ = _load(n)
    space = extract_features(g, dense=False).spaces["S"]
    rows: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        rows["hetmatpy"] = hetmatpy_route(space, Path(tmp), repeat)
    engine_s(space)  # untimed first run: lazy imports
    rows["engine_s"] = statistics.median(engine_s(space) for _ in range(repeat))
    rows["engine_paths"] = statistics.median(engine_paths(space) for _ in range(repeat))
    sem = semsimian_route(space)
    rows["semsimian"] = sem
    return {"n": n, "terms": len(space.terms), **rows}


def table(r: dict) -> str:
    def s(x: float | None) -> str:
        return "not installed" if x is None else f"{x:.2f}"

    def ratio(peer: float | None, ours: float) -> str:
        return "" if peer is None else f"{peer / ours:.1f}x"
    return "\n".join([
        f"Same synthetic graph, {r['n']:,} mechanisms per side, S hierarchy of {r['terms']:,} terms "
        f"(`python scripts/bench_peers.py --n {r['n']}`, {os.cpu_count()} cores; medians).",
        "",
        "| stage | bionn-kg (s) | peer | peer (s) | peer / bionn-kg |",
        "|---|---|---|---|---|",
        f"| S alone, all pairs + top-10 | {r['engine_s']:.2f} | semsimian all-by-all term pairs + NumPy BMA | "
        f"{s(r['semsimian'])} | {ratio(r['semsimian'], r['engine_s'])} |",
        f"| path stage (two metapaths, all pairs) | {r['engine_paths']:.2f} | hetmatpy DWPC, dense_threshold=0.7 | "
        f"{s(r['hetmatpy'])} | {ratio(r['hetmatpy'], r['engine_paths'])} |",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000, help="mechanisms per side")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per stage (median)")
    ap.add_argument("--readme", action="store_true", help="write the table into its block (docs/speed.md)")
    args = ap.parse_args()
    res = run(args.n, args.repeat)
    print(res, file=sys.stderr)
    md = table(res)
    print(md)
    if args.readme:
        from readme_block import replace_block
        replace_block("bench-peers", md)


if __name__ == "__main__":
    main()
