"""OAK (oaklib, `runoak`) reads labels, definitions and ancestors from the release and from `bionn-kg serve`
(issue 15, item 2: OBO tools read definitions from obo:IAO_0000115, which the release derives from
skos:definition).

oaklib is heavy (linkml, sssom, ...): it is the ``oak`` extra, and these tests skip where it is not
installed. `runoak` is run as a user would, with ``--prefix bkg=...`` (OAK's default prefix map is the
OBO one, which does not know bkg).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("oaklib", reason="oaklib is not installed (pip install 'bionn-kg[oak]')")

from kg.graph import BKG  # noqa: E402

from servers import free_port, stop, wait_http  # noqa: E402

PREFIX = ["--prefix", f"bkg={BKG}"]
DEFINITION_START = "The elimination of weak or little-used synapses"


def runoak(*args: str) -> str:
    exe = Path(sys.executable).with_name("runoak")
    exe = str(exe) if exe.is_file() else shutil.which("runoak")
    if exe is None:
        pytest.skip("oaklib is importable but its `runoak` command is not on PATH")
    proc = subprocess.run([exe, *PREFIX, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _rows(tsv: str) -> list[dict[str, str]]:
    lines = [ln for ln in tsv.splitlines() if ln.strip()]
    head = lines[0].split("\t")
    return [dict(zip(head, ln.split("\t"))) for ln in lines[1:]]


@pytest.fixture(scope="module")
def release_ttl(tmp_path_factory) -> Path:
    from kg.cli import main

    out = tmp_path_factory.mktemp("release")
    assert main(["release", "--out", str(out), "--no-docs", "--no-sssom"]) == 0
    return out / "bionn-kg.ttl"


@pytest.mark.slow
def test_runoak_reads_label_definition_and_ancestors_from_the_release(release_ttl):
    [row] = _rows(runoak("-i", str(release_ttl), "definitions", "bkg:SynapticPruning"))
    assert row["label"] == "synaptic pruning"
    assert row["definition"].startswith(DEFINITION_START)
    anc = {r["id"] for r in _rows(runoak("-i", str(release_ttl), "ancestors", "-p", "i,rdf:type",
                                         "bkg:SynapticPruning"))}
    assert {"bkg:PlasticityMechanism", "bkg:BiologicalMechanism", "bkg:Mechanism"} <= anc


@pytest.mark.slow
@pytest.mark.server
def test_runoak_reads_definitions_from_bionn_kg_serve(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port),
                                 "--location", str(tmp_path / "store")], stdout=fh, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/query"
        wait_http(url + "?query=ASK%7B%7D", proc, timeout=120, log=log)
        [row] = _rows(runoak("-i", f"sparql:{url}", "definitions", "bkg:SynapticPruning"))
        assert row["definition"].startswith(DEFINITION_START), row
        [lab] = _rows(runoak("-i", f"sparql:{url}", "labels", "bkg:Dropout"))
        assert lab["label"] == "dropout"
        anc = {r["id"] for r in _rows(runoak("-i", f"sparql:{url}", "ancestors", "-p", "i",
                                             "bkg:PlasticityMechanism"))}
        assert "bkg:BiologicalMechanism" in anc
    finally:
        stop(proc)
