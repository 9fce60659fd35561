"""The dimension registry: a sixth dimension flows through score, matrix, analogies and the report by
registering it, and nothing else."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kg.cli import main
from kg.engine import Engine
from kg.engine.dimensions import Dimension, names, register, registered, unregister
from kg.errors import KGError

EX = "https://example.org/tiny/"
WEIGHTS = "S=0.2,F=0.2,C=0.2,M=0.2,K=0.2"


class Constant(Dimension):
    """A toy dimension: 0.5 for every pair, defined everywhere."""

    name = "K"
    label = "constant"
    colour = "#123456"
    needs = "nothing"
    in_sensitivity_grid = False

    def block(self, bi, aj=None):
        nb = len(np.arange(self.n_bio)[bi])
        na = self.n_ann if aj is None else len(np.arange(self.n_ann)[aj])
        return {self.name: np.full((nb, na), 0.5, dtype=np.float32)}

    def has_data(self, side, i):
        return True


@pytest.fixture
def toy():
    register(Constant)
    yield Constant
    unregister("K")


def test_registry_lists_the_five_dimensions_in_order():
    assert names() == ("S", "F", "C", "M", "Ef")
    assert all(d.label and d.colour and d.needs for d in registered())


def test_toy_dimension_enters_E_without_other_changes(toy, tiny_engine):
    eng = Engine(tiny_engine.graph, weights=WEIGHTS)
    s = eng.pair(EX + "gate", EX + "dropgate")
    assert s["K"] == 0.5
    # M undefined for this pair: E = (0.2 S + 0.2 F + 0.2 C + 0.2 * 0.5) / 0.8
    assert s["E"] == pytest.approx((s["S"] + s["F"] + s["C"] + 0.5) / 4, rel=1e-5)
    assert s["coverage"] == pytest.approx(0.8)
    res = eng.matrix()
    assert "K" in res.names and (res.dims["K"] == 0.5).all()
    assert all(r["K"] == 0.5 for r in res.rows())
    assert eng.top_k(1).bio_E.shape == (2, 1)


def test_toy_dimension_keeps_presets_valid_and_weights_checked(toy):
    from kg.engine.weights import PRESETS, parse_weights
    assert PRESETS["balanced"]["K"] == 0.0 and sum(PRESETS["balanced"].values()) == pytest.approx(1)
    assert parse_weights(WEIGHTS)["K"] == 0.2
    unregister("K")
    with pytest.raises(KGError, match="bad weight 'K=0.2'"):
        parse_weights(WEIGHTS)


def test_toy_dimension_reaches_the_command_line(toy, capsys):
    assert main(["analogies", "synaptic pruning", "--weights", WEIGHTS, "--format", "json", "--top", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["K"] == 0.5 for r in rows)
    assert main(["matrix", "-d", "K", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "bio,bio_label,ann,ann_label,K"
    assert main(["score", "synaptic pruning", "weight decay", "--weights", WEIGHTS, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"dimension": "K", "name": "constant"}.items() <= next(
        d for d in doc["dimensions"] if d["dimension"] == "K").items()


def test_toy_dimension_reaches_the_report(toy, tmp_path):
    from kg.report import build_report
    res = build_report(tmp_path / "rep", weights=WEIGHTS)
    header = (res.out / "data" / "matrix.csv").read_text().splitlines()[0].split(",")
    assert "K" in header
    md = (res.out / "report.md").read_text()
    assert "K constant" in md            # the analogs section names every dimension
    assert "#123456" in (res.out / "index.html").read_text()  # its colour in the legend and bars


def test_no_module_outside_the_registry_types_a_dimension_name():
    """git grep: dimension names as string literals only in kg/engine/dimensions (and docs)."""
    root = Path(__file__).resolve().parents[1]
    pattern = "[\"'](S|F|C|M|Ef)[\"']"
    try:
        proc = subprocess.run(["git", "grep", "-nE", pattern, "--", "kg"], cwd=root, capture_output=True,
                              text=True, check=False)
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if proc.returncode not in (0, 1):  # 1: no match; anything else: not a git checkout
        pytest.skip("not a git checkout")
    out = proc.stdout
    allowed = ("kg/engine/dimensions/",
               "kg/engine/evaluate.py",   # Table 1's structural/functional columns (the evaluation branch's)
               "kg/engine/features.py")   # the descriptor kinds the feature queries bind
    # a line may say why a match is not a dimension name (SI prefixes such as "M" for mega)
    hits = [line for line in out.splitlines() if not line.startswith(allowed) and ">>>" not in line
            and "not dimension names" not in line]
    assert hits == []
