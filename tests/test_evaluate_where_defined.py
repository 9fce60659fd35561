"""Issue 18: a dimension alone, scored on the pairs where it is defined, next to random on the same pairs;
and which side lacks a dimension's data for each benchmark pair (hand-worked on a 3 x 3 example)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg.cli import main
from kg.engine.evaluate import _Pair, _rank_pairs, _summaries

NAN = np.nan
BENCH = Path(__file__).parent / "fixtures" / "benchmark"


@pytest.fixture
def three_by_three():
    """bio0 and bio2 have failure modes, bio1 none; ann0 and ann1 have, ann2 none. The pairs (0, 0),
    (1, 1), (2, 2): M is defined only for (0, 0)."""
    M = np.array([[0.9, 0.1, NAN],
                  [NAN, NAN, NAN],
                  [0.2, 0.6, NAN]])
    S = np.array([[0.5, 0.2, 0.1],
                  [0.1, 0.4, 0.3],
                  [0.2, 0.1, 0.6]])
    pairs = [_Pair(k, k, f"b{k}", f"a{k}", "all") for k in range(3)]
    ranks = _rank_pairs({"E": S, "S": S, "M": M}, pairs, pairs, str)
    return _summaries(ranks, ["E", "S", "M"], ["all"])[1], ranks


def test_where_defined_rows_hand_worked(three_by_three):
    long, ranks = three_by_three
    by = {(r["direction"], r["scorer"]): r for r in long}
    # bio->ann under M: row 0 puts a0 first (rank 1); row 1 is all undefined, a tie of 3 (rank 2);
    # row 2 has a2 undefined, last (rank 3). Over all pairs (1 + 1/2 + 1/3)/3; where defined: pair (0, 0) only
    assert by[("bio->ann", "M")]["MRR"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert by[("bio->ann", "M, pairs where M is defined")]["MRR"] == pytest.approx(1.0)
    assert by[("bio->ann", "M, pairs where M is defined")]["pairs"] == 1
    # random on the same pair: 3 candidates, expected reciprocal rank (1 + 1/2 + 1/3)/3
    assert by[("bio->ann", "random, pairs where M is defined")]["MRR"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    # ann->bio: column 1 has b1 undefined (rank 3), column 2 all undefined (rank 2)
    assert by[("ann->bio", "M")]["MRR"] == pytest.approx((1 + 1 / 3 + 1 / 2) / 3)
    assert by[("ann->bio", "M, pairs where M is defined")]["MRR"] == pytest.approx(1.0)
    assert [r["M defined"] for r in ranks if r["direction"] == "bio->ann"] == [True, False, False]


def test_no_where_defined_rows_for_a_dimension_defined_everywhere(three_by_three):
    long, _ = three_by_three
    assert not any(r["scorer"].startswith(("S, pairs", "random, pairs where S")) for r in long)


def test_benchmark_coverage_section(capsys):
    """The fixture benchmark describes no failure mode: M is defined for none of its 3 pairs."""
    code = main(["evaluate", "--benchmark", str(BENCH), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    doc = json.loads(out)
    cov = {r["dimension"]: r for r in doc["coverage"]}
    assert cov["M"]["defined"] == 0 and cov["M"]["neither_side_has_data"] == 3
    assert cov["S"]["defined"] == 3
    # never defined: no 'where defined' rows (they would be empty)
    assert not any("where M is defined" in r["scorer"] for r in doc["recovery_by_scorer"])
