"""``bionn-kg report``: files, self-containedness, the page in a real browser, and safe replacement."""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from kg.cli import main
from kg.report import MARKER, build_report
from kg.report.sections import SECTION_TITLES

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FIGURES = ("heatmap.png", "agreement.png", "recovery.png", "efficiency.png", "pathology.png", "sensitivity.png")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rep") / "report"
    res = build_report(out)
    assert res.out == out
    return out


class _Refs(HTMLParser):
    """Every src/href of images, scripts and styles, and the headings' text."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.headings: list[str] = []
        self._in_h = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("img", "script", "link", "source", "iframe", "embed", "object", "image", "use"):
            for key in ("src", "href", "data", "xlink:href"):
                if a.get(key):
                    self.refs.append((tag, key, a[key]))
        if tag == "h2":
            self._in_h, self._text = True, ""

    def handle_endtag(self, tag):
        if tag == "h2" and self._in_h:
            self.headings.append(self._text.strip())
            self._in_h = False

    def handle_data(self, data):
        if self._in_h:
            self._text += data


def test_files(report_dir):
    for name in ("index.html", "report.md", MARKER, "data/matrix.csv", "data/top_analogs.csv",
                 "data/agreement.csv", "data/recovery.csv", "data/efficiency_gaps.csv",
                 "data/pathology_mapping.csv", "data/intervention_transfer.csv", "data/disanalogies.csv",
                 "data/sensitivity.csv", "data/heatmap.json", "data/graph_size.json", "data/weights.json"):
        assert (report_dir / name).is_file(), name
    for fig in FIGURES:
        assert (report_dir / "figures" / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", fig
    from kg.engine.features import extract_features
    from kg.graph import load_graph
    f = extract_features(load_graph())
    assert len(list((report_dir / "mechanisms").glob("*.svg"))) == len(f.bio) + len(f.ann)
    md = (report_dir / "report.md").read_text()
    for title in SECTION_TITLES.values():
        assert f"## {title}" in md
    assert not list(report_dir.parent.glob(".report.tmp-*")), "temporary directory left behind"


def test_html_self_contained(report_dir):
    text = (report_dir / "index.html").read_text()
    p = _Refs()
    p.feed(text)
    assert p.headings == list(SECTION_TITLES.values())
    imgs = [r for r in p.refs if r[0] == "img"]
    assert len(imgs) >= len(FIGURES)
    for tag, key, url in p.refs:
        assert url.startswith("data:image/"), f"<{tag} {key}> is not inline: {url[:80]}"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "external URL in the page"
    assert "@import" not in text and "url(http" not in text


def test_sensitivity_recombination_matches_engine(engine):
    """The grid recombination reproduces the engine's own E for the balanced weights."""
    from kg.engine.weights import PRESETS
    from kg.report.sensitivity import GRID_DIMS, recombine, simplex_grid, top_stability
    res = engine.matrix()
    X = np.stack([res.dims[d].astype(np.float64) for d in GRID_DIMS])
    w = np.array([[PRESETS["balanced"][d] for d in GRID_DIMS]])
    E = recombine(X, w)[0]
    assert np.allclose(np.nan_to_num(E, nan=-1), np.nan_to_num(res.E, nan=-1), atol=1e-5)
    W = simplex_grid(0.1)
    assert len(W) == 286 and np.allclose(W.sum(axis=1), 1)
    st = top_stability(res.dims, PRESETS["balanced"])
    defined = ~np.isnan(st.share)
    assert ((st.share[defined] > 0) & (st.share[defined] <= 1)).all()  # the balanced point is on the grid


def test_refuses_foreign_directory_and_force(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    assert main(["report", "--out", str(out)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "precious"
    f = tmp_path / "afile"
    f.write_text("x")
    assert main(["report", "--out", str(f)]) == 2
    assert main(["report", "--out", str(out), "--force"]) == 0
    assert (out / MARKER).is_file() and not (out / "notes.txt").exists()
    # a previous report is replaced without --force, with other settings
    assert main(["report", "--out", str(out), "--preset", "neuroscience"]) == 0
    assert "neuroscience" in (out / MARKER).read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "mine"]


def test_failure_leaves_nothing(tmp_path, monkeypatch):
    import kg.report.markdown as md

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(md, "render_markdown", boom)
    out = tmp_path / "rep"
    with pytest.raises(RuntimeError):
        build_report(out)
    assert list(tmp_path.iterdir()) == []


def test_bad_weights_before_loading(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "r"), "--weights", "S=0.5,F=0.6"]) == 2
    assert "sum to 1" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def _chromium(args: list[str], profile: Path, timeout: int = 90) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package 'chromium'; CI installs it)")
def test_page_in_headless_chromium(report_dir, tmp_path):
    url = (report_dir / "index.html").resolve().as_uri()
    shot = tmp_path / "shot.png"
    r = _chromium([f"--screenshot={shot}", "--window-size=1400,1000", url], tmp_path / "p1")
    assert shot.is_file() and shot.stat().st_size > 10_000, r.stderr[-2000:]
    r = _chromium(["--dump-dom", "--virtual-time-budget=10000", "--window-size=1400,1000", url], tmp_path / "p2")
    dom = r.stdout
    assert "<body" in dom, r.stderr[-2000:]
    m = re.search(r'data-broken-images="(\d+)"', dom)
    n = re.search(r'data-images="(\d+)"', dom)
    assert m and n, "the page's load script did not run"
    assert int(n.group(1)) >= len(FIGURES)
    assert m.group(1) == "0", f"{m.group(1)} broken image(s)"
    for key, title in SECTION_TITLES.items():
        assert f'id="{key}"' in dom and title in dom
