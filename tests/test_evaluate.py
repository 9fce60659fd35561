"""The evaluation: statistics and baselines on tiny hand-worked examples, the shipped graph's evaluation
(NoAnalog pairs as negatives, Table 1 on its ten rows, every group, baselines and margins), the ablation,
and the benchmark runner on a hand-written fixture."""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from kg.cli import main
from kg.engine import Engine
from kg.engine import baselines as bl
from kg.engine.evaluate import (BASELINES, ablate_terms, benchmark_pairs, bootstrap_interval, evaluate,
                                pair_exclusive_terms, permutation_pvalue, rank_of, spearman)
from kg.graph import load_graph
from kg.output import json_key

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
BENCH = FIXTURES / "benchmark"
B = "https://w3id.org/bionn-kg/"
TINY = "https://example.org/tiny/"


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- statistics ------------------------------------------------------------------------------------------
def test_spearman_with_ties_worked_by_hand():
    # ranks x = (1.5, 1.5, 3), y = (1, 2, 3): cov 1.5, norms sqrt(1.5) and sqrt(2) -> 1.5 / sqrt(3)
    rho, n = spearman([1, 1, 2], [1, 2, 3])
    assert n == 3 and rho == pytest.approx(1.5 / math.sqrt(3))


def test_spearman_ignores_undefined_pairs():
    rho, n = spearman([1, 2, float("nan"), 3, 4], [1, 2, 9, 3, 4])
    assert (rho, n) == (pytest.approx(1.0), 4)
    assert math.isnan(spearman([1, 2], [1, 2])[0])


def test_perfect_order_has_a_degenerate_interval_and_a_small_permutation_p():
    x, y = [1, 2, 3, 4, 5, 6], [10, 20, 30, 40, 50, 60]
    assert bootstrap_interval(x, y) == (pytest.approx(1.0), pytest.approx(1.0))
    # two of the 720 orders reach |rho| = 1, so p is about 2/720, never 0
    p = permutation_pvalue(x, y)
    assert 0 < p < 0.01


def test_no_association_is_not_significant():
    x, y = [1, 2, 3, 4, 5, 6], [3, 6, 1, 5, 2, 4]
    assert abs(spearman(x, y)[0]) < 0.3
    assert permutation_pvalue(x, y) > 0.3
    lo, hi = bootstrap_interval(x, y)
    assert lo < 0 < hi


def test_permutation_p_is_reproducible():
    x, y = [0.1, 0.5, 0.3, 0.9, 0.7], [0, 0.5, 0.5, 1, 1]
    assert permutation_pvalue(x, y) == permutation_pvalue(x, y)


def test_rank_of_ties_nan_and_filtering():
    s = np.array([0.9, 0.5, 0.5, np.nan, 0.7])
    assert rank_of(s, 1) == 3.5       # 0.9 and 0.7 above, one tie
    assert rank_of(s, 1, [0, 4]) == 1.5
    assert rank_of(s, 3) == 5          # NaN ranks last


# -- baselines ---------------------------------------------------------------------------------------------
def test_idf_overlap_worked_by_hand():
    Xb = np.array([[1, 1, 0]])
    Xa = np.array([[1, 0, 0], [0, 1, 1]])
    idf = np.log([3 / 2, 3 / 2, 3 / 1])  # 3 mechanisms; document frequencies 2, 2, 1
    wb = np.array([idf[0], idf[1], 0])
    wa = [np.array([idf[0], 0, 0]), np.array([0, idf[1], idf[2]])]
    want = [wb @ w / (np.linalg.norm(wb) * np.linalg.norm(w)) for w in wa]
    assert bl.idf_overlap(Xb, Xa)[0].tolist() == pytest.approx(want)
    assert want[0] == pytest.approx(math.sqrt(0.5))


def test_jaccard_and_idf_are_undefined_for_an_empty_set():
    Xb = np.array([[0, 0], [1, 0]])
    Xa = np.array([[0, 0], [1, 1]])
    J = bl.jaccard(Xb, Xa)
    assert math.isnan(J[0, 0]) and J[0, 1] == 0 and J[1, 1] == 0.5
    assert np.isnan(bl.idf_overlap(Xb, Xa)[0]).all()


def test_tfidf_matches_words_not_characters():
    M = bl.tfidf_cosine(["synaptic weights", ""], ["connection weight", "dropout"])
    assert M[0, 0] > 0 and M[0, 1] == 0
    assert np.isnan(M[1]).all()


def test_random_expectation():
    mrr, h1, h3 = bl.random_expectation(2)
    assert (mrr, h1, h3) == (pytest.approx(0.75), 0.5, 1.0)


# -- ablation on the tiny named graph ----------------------------------------------------------------------
def test_pair_exclusive_terms_and_their_ablation(tiny_engine):
    f = tiny_engine.features
    # spark and boost share ex:gain (S), ex:amplify (F) and, through their failure modes, ex:runaway (M)
    terms = pair_exclusive_terms(f, {(TINY + "spark", TINY + "boost")})
    assert sorted((t["kind"], t["term"]) for t in terms) == [
        ("F", TINY + "amplify"), ("M", TINY + "runaway"), ("S", TINY + "gain")]
    assert pair_exclusive_terms(f, {(TINY + "gate", TINY + "boost")}) == []
    ablated = Engine(tiny_engine.graph, features=ablate_terms(f, [(t["kind"], t["term"]) for t in terms]))
    before, after = tiny_engine.pair(TINY + "spark", TINY + "boost"), ablated.pair(TINY + "spark", TINY + "boost")
    assert before["S"] == pytest.approx(1.0) and math.isnan(after["S"]) and math.isnan(after["M"])
    assert after["C"] == pytest.approx(before["C"])  # causal chains untouched
    # the other pair keeps its scores
    assert ablated.pair(TINY + "gate", TINY + "dropgate")["E"] == pytest.approx(
        tiny_engine.pair(TINY + "gate", TINY + "dropgate")["E"])


# -- the shipped graph -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_eval(engine):
    return evaluate(engine)


def test_no_analog_pairs_are_negatives_not_positives(shipped_eval, shipped_graph):
    no = {(r["bio"], r["ann"]) for r in shipped_graph.select_named("evaluation/asserted_pairs")
          if r["coverage"] == B + "NoAnalog"}
    assert (B + "ActionPotential", B + "Backpropagation") in no
    positives = {(r["bio"], r["ann"]) for r in shipped_eval.ranks}
    assert (B + "ActionPotential", B + "Backpropagation") not in positives
    assert (B + "GapJunctionCoupling", B + "Backpropagation") not in positives
    neg = {(r["bio_label"], r["ann_label"], r["direction"]) for r in shipped_eval.negatives}
    assert ("action potential", "backpropagation", "bio->ann") in neg
    assert all(r["bio"].startswith(B) and r["ann"].startswith(B) for r in shipped_eval.negatives)
    assert all(0 <= r["percentile"] <= 1 for r in shipped_eval.negatives)


def test_table1_rho_is_on_its_ten_rows(shipped_eval):
    rows = {c["dimension"]: c for c in shipped_eval.correlations}
    assert rows["S"]["rows"] == 10 and rows["S"]["pairs"] == 12
    for c in rows.values():
        assert c["95% CI low"] <= c["spearman rho"] <= c["95% CI high"]
        assert 0 < c["p value"] <= 1
    assert len({a["row"] for a in shipped_eval.agreement}) == 10
    scorers = {(c["paper rating"], c["scorer"]) for c in shipped_eval.baseline_correlations}
    assert {("S", n) for n in BASELINES} <= scorers


def test_every_group_with_baselines_and_margin(shipped_eval):
    groups = {r["group"] for r in shipped_eval.recovery}
    assert {"Table 1", "drug classes (section 3)", "Zou et al. layers and learning rules",
            "other asserted analogs", "efficiency-hypothesis gaps", "all"} <= groups
    for r in shipped_eval.recovery:
        base = [r[f"{n} MRR"] for n in BASELINES] + [r["random MRR"]]
        assert r["margin over best"] == pytest.approx(r["MRR"] - max(base))
        assert 0 < r["MRR, pair-exclusive terms removed"] <= 1
    alls = [r for r in shipped_eval.recovery if r["group"] == "all"]
    assert all(r["pairs"] == sum(x["pairs"] for x in shipped_eval.recovery
                                 if x["direction"] == r["direction"] and x["group"] != "all") for r in alls)


def test_baselines_do_not_read_the_assertions(engine):
    from kg.engine.evaluate import baseline_matrices
    stripped = load_graph()
    stripped.store.update((FIXTURES / "remove_assertions.ru").read_text())
    a = baseline_matrices(engine.features, engine.graph)
    b = baseline_matrices(Engine(stripped).features, stripped)
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=True), name


def test_evaluate_cli_prints_baselines_ablation_and_negatives(capsys):
    code, out, _ = run(capsys, "evaluate", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    rec = doc["recovery"]  # short section keys and snake_case fields in JSON (docs/json-output.md)
    assert all("idf_overlap_mrr" in r and "margin_over_best" in r for r in rec)
    assert doc["negatives"]
    # regression (issue 15): bio/ann are CURIEs in JSON, the labels beside them
    assert all(r["bio"].startswith("bkg:") and r["bio_label"] and r["ann_label"] for r in doc["negatives"])
    assert {r["scorer"] for r in doc["recovery_by_scorer"]} >= {"E", "S", "F", "C", "M", "random", *BASELINES}


# -- benchmarks --------------------------------------------------------------------------------------------
def test_benchmark_fixture_ranks_among_its_own_candidates(capsys):
    code, out, _ = run(capsys, "evaluate", "--benchmark", str(BENCH), "--format", "json", "--details")
    assert code == 0
    doc = json.loads(out)
    summary = doc["benchmark"]
    assert summary["pairs_scored"] == 3 and summary["pairs_skipped"] == 2
    assert summary["biological_candidates"] == 3 and summary["ann_candidates"] == 3
    rows = doc["recovery_by_scorer"]
    by = {(r["direction"], r["scorer"]): r for r in rows}
    assert by[("bio->ann", "random")]["MRR"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3, abs=1e-4)  # 4 significant digits
    assert by[("bio->ann", "E")]["MRR"] == pytest.approx(1.0)  # each fixture pair shares its distinctive terms
    assert {s for _, s in by} >= {"E", "S", "F", "C", "M", "degree", "descriptor Jaccard", "IDF overlap",
                                  "label TF-IDF"}
    assert all(r["candidates"] == 3 for r in doc["ranks"])
    skipped = {r["bio"]: r["reason"] for r in doc["skipped_pairs"]}
    assert "not described in the benchmark's files" in skipped["bkg:fx_bio_Missing"]
    assert "not described in the benchmark's files" in skipped["bkg:SynapticPruning"]


def test_benchmark_with_one_side_missing_skips_every_pair(capsys, tmp_path):
    shutil.copy(BENCH / "bio.ttl", tmp_path / "bio.ttl")
    shutil.copy(BENCH / "pairs.tsv", tmp_path / "pairs.tsv")
    code, out, _ = run(capsys, "evaluate", "--benchmark", str(tmp_path), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert len(doc["skipped_pairs"]) == 5
    assert doc["recovery_by_scorer"] == []


@pytest.mark.parametrize("setup, message", [
    ("missing", "no benchmark"),
    ("no_ttl", "holds no .ttl file"),
    ("bad_header", "missing column(s) ann"),
    ("bad_curie", "known prefix"),
])
def test_benchmark_bad_input_exits_2(capsys, tmp_path, setup, message):
    target = str(tmp_path / "nope")
    if setup != "missing":
        target = str(tmp_path)
        if setup != "no_ttl":
            shutil.copy(BENCH / "bio.ttl", tmp_path / "bio.ttl")
        (tmp_path / "pairs.tsv").write_text({"no_ttl": "bio\tann\n", "bad_header": "bio\tpartner\nbkg:a\tbkg:b\n",
                                             "bad_curie": "bio\tann\nzz:a\tbkg:b\n"}[setup])
    code, _, err = run(capsys, "evaluate", "--benchmark", target)
    assert code == 2 and message in err


def test_two_writer_pairs_are_the_shipped_asserted_pairs(shipped_graph):
    """benchmarks/two-writer/pairs.tsv is regenerated by `python scripts/evaluation_table.py --pairs`."""
    lines = (ROOT / "benchmarks" / "two-writer" / "pairs.tsv").read_text().splitlines()
    assert lines[0] == "bio\tann\tsource"
    rows = [dict(zip(("bio", "ann", "source"), line.split("\t"))) for line in lines[1:]]
    assert rows == benchmark_pairs(shipped_graph)
    assert not any(r["bio"] == "bkg:tw_bio_ActionPotential" for r in rows), "NoAnalog pairs are excluded"
    assert all(r["bio"].startswith("bkg:tw_bio_") and r["ann"].startswith("bkg:tw_ann_") and r["source"]
               for r in rows)
