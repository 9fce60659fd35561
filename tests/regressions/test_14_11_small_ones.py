"""Issue 14, item 11, the small ones: a failed release left a partial folder; a crash in the report's
rename window left --out missing; temporary folders were not cleaned up; report.md embedded raw HTML
from labels; terminal escape sequences in labels reached the terminal; duplicate weight keys were
accepted; skos:broader cycles were not flagged by `check`; `--weights Ef=1` gave all n/a in
`analogies` but exit 2 in `score`; bad RDF/XML reported "unknown position"."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import KGError
from regress_util import run_cli


# -- all-or-nothing writes ------------------------------------------------------------------------
def test_failed_release_leaves_the_previous_release_untouched(tmp_path, monkeypatch):
    import kg.quality.sssom as sssom
    from kg.release import RELEASE_MARKER, build_release

    out = tmp_path / "release"
    out.mkdir()
    (out / RELEASE_MARKER).write_text("previous\n")
    (out / "bionn-kg.owl").write_text("previous owl")
    (out / "bionn-kg.ttl").write_text("previous ttl")

    def fail(*a, **k):
        raise KGError("simulated failure after the .owl was written")
    monkeypatch.setattr(sssom, "sssom_text", fail)
    with pytest.raises(KGError, match="simulated"):
        build_release(out, docs=False, computed=False)
    assert (out / "bionn-kg.owl").read_text() == "previous owl"
    assert (out / "bionn-kg.ttl").read_text() == "previous ttl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"], "no staging folder left behind"


def test_release_refuses_a_folder_that_is_not_a_release(tmp_path):
    from kg.release import build_release
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(KGError, match="not a bionn-kg release"):
        build_release(tmp_path, docs=False, computed=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_crash_in_the_swap_window_is_repaired_on_the_next_run(tmp_path):
    from kg.staging import recover
    out = tmp_path / "report"
    dead = _dead_pid()
    parked = tmp_path / f".report.old-{dead}-abc"
    parked.mkdir()
    (parked / "index.html").write_text("previous report")
    stale = tmp_path / f".report.tmp-{dead}-xyz"
    stale.mkdir()
    (stale / "half.html").write_text("half")
    notes = recover(out)
    assert (out / "index.html").read_text() == "previous report"
    assert not parked.exists() and not stale.exists()
    assert len(notes) == 2
    live = tmp_path / f".report.tmp-{os.getpid()}-live"  # a running process's staging folder is kept
    live.mkdir()
    recover(out)
    assert live.exists()


def test_serve_temporaries_of_a_killed_run_are_removed(tmp_path):
    from kg.server import clean_stale_temporaries
    dead = tmp_path / f"bionn-kg-store-{_dead_pid()}-abcd"
    (dead / "store").mkdir(parents=True)
    alive = tmp_path / f"bionn-kg-store-{os.getpid()}-efgh"
    alive.mkdir()
    other = tmp_path / "bionn-kg-store-notapid"
    other.mkdir()
    assert clean_stale_temporaries(str(tmp_path)) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


def test_atomic_file_writes_remove_a_killed_writers_temporary(tmp_path):
    from kg.release import write_text_atomic
    stale = tmp_path / f".out.owl.{_dead_pid()}-abcd.tmp"
    stale.write_text("half")
    mine = tmp_path / f".out.owl.{os.getpid()}-live.tmp"
    mine.write_text("in progress")
    write_text_atomic(tmp_path / "out.owl", "whole")
    assert (tmp_path / "out.owl").read_text() == "whole"
    assert not stale.exists() and mine.exists()


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# -- what labels may carry ------------------------------------------------------------------------
def test_raw_html_in_labels_is_escaped_in_report_md():
    from kg.report.markdown import _md_cell, _md_text
    assert _md_text("<script>alert(1)</script> & co") == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    assert "<img" not in _md_cell('<img src=x onerror="alert(1)">')


def test_terminal_escape_sequences_are_shown_not_sent(tmp_path):
    f = tmp_path / "esc.ttl"
    f.write_text('@prefix bkg: <https://w3id.org/bionn-kg/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                 'bkg:Esc rdfs:label "evil\\u001b]0;pwned\\u0007\\u001b[2J label" .\n')
    run = run_cli("query", "-", "--extra", str(f),
                  stdin=b"SELECT ?l WHERE { bkg:Esc rdfs:label ?l }")
    assert run.code == 0, run.err
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in run.out


def test_escape_sequences_in_error_messages_are_shown_not_sent():
    run = run_cli("show", "evil\x1b[2Jx")
    assert run.clean_error(), run.err
    assert "\x1b" not in run.err and "evil\\x1b[2Jx" in run.err


# -- weights --------------------------------------------------------------------------------------
def test_duplicate_weight_keys_are_refused():
    from kg.engine.weights import parse_weights
    with pytest.raises(KGError, match="given twice"):
        parse_weights("S=0.5,S=0.5")
    with pytest.raises(KGError, match="given twice"):
        parse_weights("S=0.5,s=0.25,F=0.25")


def test_weights_ef_only_is_an_error_in_analogies_as_in_score():
    a = run_cli("analogies", "bkg:SynapticPruning", "--weights", "Ef=1")
    s = run_cli("score", "bkg:SynapticPruning", "bkg:Dropout", "--weights", "Ef=1")
    assert a.clean_error() and s.clean_error(), (a.err, s.err)
    assert "undefined" in a.err and "undefined" in s.err


# -- check and loading ----------------------------------------------------------------------------
def test_broader_cycle_is_flagged_by_check():
    bad = Path(__file__).parent.parent / "fixtures" / "qc" / "broader_cycle_bad.ttl"
    run = run_cli("check", "--only", "qc", "--qc-check", "broader_cycle", "--extra", str(bad))
    assert run.code == 1, run.err
    assert "broader_cycle" in run.out and "bkg:pt_a" in run.out and "bkg:pt_d" in run.out


def test_bad_rdfxml_reports_line_and_column(tmp_path):
    from kg.graph import load_graph
    f = tmp_path / "bad.owl"
    f.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                 '  <rdf:Description rdf:about="urn:x">\n  </rdf:Descriptio>\n</rdf:RDF>\n')
    with pytest.raises(KGError) as exc:
        load_graph([f], base=False)
    msg = str(exc.value)
    assert "unknown position" not in msg and "bad.owl:4" in msg and "line 4, column" in msg
