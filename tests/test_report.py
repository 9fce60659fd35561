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


# -- legibility (issue 15): citations, readable headers, data links, scales ------------------------------
def test_citation_text_on_named_sources():
    from kg.report.data import citation_text
    harris = "J. Harris, 'BioNN-ANN Equivalence Framework'"
    assert citation_text("3.2 MAO Inhibitors: Preventing Signal Degradation", harris, None) == \
        f"{harris}, section 3.2"
    assert citation_text("1. Introduction", harris, None) == f"{harris}, section 1"
    assert citation_text("II.C.3 Backpropagation and Action Potential", "A. Zou et al., arXiv:2203.13262",
                         None) == "A. Zou et al., arXiv:2203.13262, section II.C.3"
    assert citation_text("The Core Divergence", "Untitled essay", None) == "Untitled essay, section 'The Core Divergence'"
    assert citation_text("Table 1. Core equivalence map", harris, None) == f"{harris}, Table 1. Core equivalence map"
    assert citation_text(None, None, "W. C. Abraham and M. F. Bear, 'Metaplasticity' (1996).", "Abraham 1996") == \
        "W. C. Abraham and M. F. Bear, 'Metaplasticity' (1996)."
    assert citation_text(None, None, None, "a label") == "a label"


def test_sources_are_cited_not_curies(report_dir):
    """Regression (issue 15): the report printed sources as CURIEs (bkg:src_harris_5_1)."""
    for name in ("index.html", "report.md"):
        text = (report_dir / name).read_text()
        assert "bkg:src_" not in text, f"{name} prints a source as a CURIE"
        assert "J. Harris, &#x27;BioNN-ANN Equivalence Framework&#x27;, section 5.1" in text or \
            "J. Harris, 'BioNN-ANN Equivalence Framework', section 5.1" in text, name
    import csv
    with (report_dir / "data" / "disanalogies.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["disanalogy"] == "bkg:Dis_NoBiologicalBackpropagation")
    assert row["sources"] == "bkg:src_harris_5_1"  # the data file keeps the IDs, beside the citations
    assert row["citations"] == "J. Harris, 'BioNN-ANN Equivalence Framework', section 5.1"


def test_table_headers_are_readable(report_dir):
    text = (report_dir / "index.html").read_text()
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", text)
    assert headers
    raw = [h for h in headers if "_" in h or h in ("bio", "ann")]
    assert raw == [], f"raw column names as headers: {sorted(set(raw))}"
    assert "biological mechanism" in headers and "ANN mechanism" in headers
    md_headers = [ln for ln in (report_dir / "report.md").read_text().splitlines() if ln.startswith("| ")]
    assert not any("bio_label" in ln or "ann_label" in ln for ln in md_headers)


def test_every_figure_and_table_links_its_data_file(report_dir):
    """Regression (issue 15): data files were named as plain text; now a link under each, to a file that exists."""
    text = (report_dir / "index.html").read_text()
    md = (report_dir / "report.md").read_text()
    links = set(re.findall(r'<a class="data" href="([^"]+)"', text))
    for target in links:
        assert (report_dir / target).is_file(), f"link to a missing file: {target}"
    # every figure: a data link inside it; every table block: a data link right after it
    for fig in re.findall(r"<figure.*?</figure>", text, flags=re.S):
        assert re.search(r'<p class="data-link">Data: <a class="data" href="data/', fig), fig[-300:]
    for m in re.finditer(r"<h3>[^<]*</h3><table>.*?</table>(?:<p class=\"more\">[^<]*</p>)?", text, flags=re.S):
        after = text[m.end():m.end() + 60]
        assert after.startswith('<p class="data-link">Data: <a class="data" href="'), \
            f"table without a data link: {m.group(0)[:80]}"
    assert len(links) >= 15
    md_links = set(re.findall(r"\[(data/[^\]]+)\]\((data/[^)]+)\)", md))
    assert md_links and all(a == b and (report_dir / a).is_file() for a, b in md_links)


def test_heatmap_has_a_title_and_a_titled_colour_scale(monkeypatch, engine):
    import kg.report.figures as fg
    from kg.ids import EntityIndex
    from kg.report.data import collect
    captured = []
    monkeypatch.setattr(fg, "_png", lambda fig: captured.append(fig) or b"")
    d = collect(engine.graph, engine, EntityIndex(engine.graph))
    fg.heatmap(d)
    fig = captured[0]
    main_ax, bar_ax = fig.axes[0], fig.axes[1]
    assert "E(b, a)" in bar_ax.get_title(loc="left")
    assert bar_ax.get_xlabel().startswith("colour scale: E(b, a)") and "undefined" in bar_ax.get_xlabel()
    assert [t.get_text() for t in bar_ax.get_xticklabels()], "the colour scale has no tick labels"
    ticks = [t.get_text() for t in main_ax.get_yticklabels()]
    assert ticks and not any(t.startswith(("http", "bkg:")) for t in ticks), "IRIs or CURIEs as tick labels"
    assert all(len(t) <= 36 for t in ticks) and any(t.endswith("…") for t in ticks)
    assert min(t.get_fontsize() for t in main_ax.get_yticklabels()) >= 8
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_dimension_bars_have_a_scale_and_named_analogs():
    from kg.report.figures import dimension_bars_svg
    rows = [{"rank": 1, "ann_label": "dropout", "S": 0.4, "F": float("nan")},
            {"rank": 2, "ann_label": "a very long analog name that cannot fit under its bars", "S": 1.0, "F": 0.2}]
    svg = dimension_bars_svg(rows, dims=("S", "F"))
    for tick in (">0<", ">0.5<", ">1<"):
        assert tick in svg, f"scale tick {tick} missing"
    assert ">dropout<" in svg and ">n/a<" in svg
    assert "…" in svg and "<title>a very long analog name that cannot fit under its bars</title>" in svg
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]
    assert min(s for s in sizes if s != 7) >= 10  # only the n/a marks are smaller
