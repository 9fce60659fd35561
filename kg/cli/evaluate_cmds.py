"""``evaluate``: the engine scored against the source documents' claims, next to baselines; and against a
benchmark of independently described pairs (``--benchmark NAME``)."""
from __future__ import annotations

import csv
from pathlib import Path

import click

from ..errors import KGError
from ..output import render_sections, titled_sections
from .options import engine_options, open_graph_from


def benchmark_dir(name: str) -> Path:
    """``benchmarks/NAME`` of the project, or NAME itself if it is a directory."""
    from ..paths import benchmarks_dir
    p = Path(name)
    if p.is_dir():
        return p
    root = Path(benchmarks_dir())
    d = root / name
    if not d.is_dir():
        known = sorted(x.name for x in root.iterdir() if x.is_dir()) if root.is_dir() else []
        raise KGError(f"no benchmark '{name}' (looked for the directory {d})",
                      hint=f"give one of: {', '.join(known)}" if known else
                      "give a directory holding *.ttl files and a pairs.tsv")
    return d


def read_pairs(path: Path, curie_to_iri) -> list[dict[str, str]]:
    """Rows of a benchmark's pairs.tsv (columns ``bio``, ``ann``, ``source``; CURIEs or IRIs)."""
    if not path.is_file():
        raise KGError(f"{path}: no such file", hint="a benchmark needs a pairs.tsv with columns bio, ann, source")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        missing = {"bio", "ann"} - set(reader.fieldnames or ())
        if missing:
            raise KGError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}",
                          hint="the header must be: bio<TAB>ann<TAB>source")
        out = []
        for n, r in enumerate(reader, start=2):
            b, a = (r.get("bio") or "").strip(), (r.get("ann") or "").strip()
            if not b or not a:
                raise KGError(f"{path}:{n}: a pair needs both a bio and an ann value", hint="fill both columns")
            out.append({"bio": curie_to_iri(b, path, n), "ann": curie_to_iri(a, path, n),
                        "source": (r.get("source") or "").strip(), "line": str(n)})
    return out


def _expand(graph):
    from ..graph import PREFIXES

    def expand(v: str, path: Path, line: int) -> str:
        if v.startswith(("http://", "https://")):
            return v
        prefix, sep, local = v.partition(":")
        if sep and prefix in PREFIXES:
            return PREFIXES[prefix] + local
        raise KGError(f"{path}:{line}: '{v}' is neither a full IRI nor a CURIE with a known prefix",
                      hint=f"write e.g. bkg:tw_bio_SynapticPruning (known prefixes: {', '.join(PREFIXES)})")
    return expand


def _members(files: list[Path]) -> set[str]:
    """IRIs the benchmark's files describe (subjects of their triples)."""
    from ..graph import load_graph
    g = load_graph(files, base=False, check=False)
    return {r["s"] for r in g.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")}


@click.command()
@click.option("--details", is_flag=True, help="Also list the rank of every pair under every scorer.")
@click.option("--benchmark", "benchmark", metavar="NAME", default=None,
              help="Score a benchmark instead: benchmarks/NAME/*.ttl loaded on top of the graph, pairs from "
                   "benchmarks/NAME/pairs.tsv (NAME may also be a directory).")
@engine_options
def evaluate(details, benchmark, extra, fmt, endpoint, default_graph, preset, weights):
    """Agreement with the paper's Table 1 and recovery of asserted analogs, next to baselines.

    (a) Spearman rho of computed S and F against Table 1's High/Moderate/Low on its ten rows (a row naming
    two ANN mechanisms averaged over its two pairs), with a bootstrap 95% interval and a permutation
    p-value, for the engine and every baseline; (b) filtered rank of the asserted partner among all
    candidates: MRR, Hits@1/3 for E, each dimension alone and the baselines (degree, random, descriptor
    Jaccard, IDF-weighted descriptor overlap, label TF-IDF), and the engine's margin over the best
    baseline; (c) the same with the pair-exclusive descriptor terms removed; (d) the ranks of the pairs a
    source finds NOT analogous (NoAnalog), which should rank low. The engine never reads these
    assertions; it is scored against them.

    With --benchmark NAME: each pair's biological side is ranked among the benchmark's ANN mechanisms
    (and vice versa); pairs whose sides are not both in the benchmark's files are listed as skipped.

    \b
    Example:
      bionn-kg evaluate
      bionn-kg evaluate --preset neuroscience --details --format json
      bionn-kg evaluate --benchmark two-writer
    """
    from ..engine import Engine
    from ..engine.evaluate import evaluate as run, evaluate_benchmark
    from ..engine.weights import resolve_weights
    from ..ids import EntityIndex
    resolve_weights(preset, weights)  # bad weights fail before any loading
    files: list[Path] = []
    if benchmark and endpoint:
        raise KGError("--benchmark cannot be combined with --endpoint (its files are loaded into the embedded "
                      "store)", hint="drop --endpoint")
    if benchmark:
        d = benchmark_dir(benchmark)
        files = sorted(d.glob("*.ttl"))
        if not files:
            raise KGError(f"benchmark directory {d} holds no .ttl file",
                          hint="put the benchmark's descriptions (e.g. bio.ttl, ann.ttl) next to its pairs.tsv")
    graph = open_graph_from([*extra, *files], endpoint, default_graph)
    eng = Engine(graph, preset=preset, weights=weights, entity_labels=EntityIndex(graph).labels)
    if benchmark:
        pairs = read_pairs(d / "pairs.tsv", _expand(graph))
        bev = evaluate_benchmark(eng, pairs, _members(files))
        sections = titled_sections(fmt, [
            ("benchmark", f"benchmark {benchmark}", bev.summary),
            ("recovery_by_scorer", "recovery by scorer (each side ranked among the benchmark's candidates)",
             bev.by_scorer),
            ("coverage", "pairs each dimension is defined for (and which side lacks its data)", bev.coverage),
            ("skipped_pairs", "skipped pairs", bev.skipped)]
            + ([("ranks", "rank of each pair", bev.ranks)] if details else []))
        click.echo(render_sections(sections, fmt))
        return
    ev = run(eng)
    sections = titled_sections(fmt, [
        ("agreement", "agreement with Table 1", ev.agreement),
        ("correlations", "rank correlation with Table 1 (ten rows)", ev.correlations),
        ("baseline_correlations", "rank correlation of the baselines with Table 1", ev.baseline_correlations),
        ("recovery", "recovery of asserted analogs", ev.recovery),
        ("recovery_by_scorer", "recovery by scorer",
         ev.by_scorer if details else [r for r in ev.by_scorer if r["group"] == "all"]),
        ("negatives", "NoAnalog pairs (negatives: should rank low)", ev.negatives),
        ("ablation", "pair-exclusive descriptor terms (removed in the ablation)", ev.ablation)]
        + ([("ranks", "rank of each asserted pair", ev.ranks)] if details else []))
    click.echo(render_sections(sections, fmt))
