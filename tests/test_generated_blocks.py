"""The generated blocks of README.md and docs/*.md are current (issue 15, item 8).

A block lives between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` and is written by a script
(scripts/readme_block.replace_block). The evaluation tables are cheap to compute (a few seconds), so they
are regenerated here and compared with the page; the benchmark tables are measurements (minutes, and
they depend on the machine), so for them the test checks that the block exists exactly once and that the
script that writes it names it.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(SCRIPTS))

from readme_block import find_block, pages  # noqa: E402

#: block name -> (the script that writes it): measured blocks, too slow to regenerate in a test
MEASURED = {"bench-engine": "bench_engine.py", "bench-peers": "bench_peers.py",
            "bench_queries table": "bench_queries.py"}
#: block name -> which part of scripts/evaluation_table.markdown() it holds
EVALUATION = {"evaluation": 0, "evaluation-summary": 1}
#: block name -> function of scripts/evaluation_table.py that renders it (deterministic, some seconds)
RENDERED = {"two-writer": "two_writer_markdown"}
#: blocks checked current by their own tests
OWN_TEST = {"vocabulary-map": "tests/test_vocabulary_map.py"}
REGENERATE = "python scripts/evaluation_table.py --doc --readme"


def _all_blocks() -> dict[str, list[Path]]:
    """Every block name found in README.md and docs/*.md, with the pages holding it."""
    found: dict[str, list[Path]] = {}
    for page in pages(ROOT):
        if page.exists():
            for name in re.findall(r"<!-- BEGIN (.+?) -->", page.read_text(encoding="utf-8")):
                found.setdefault(name, []).append(page)
    return found


def test_every_block_has_a_known_generator():
    """A block no script writes (or no test checks) is a hand-made table that goes stale."""
    unknown = sorted(set(_all_blocks()) - set(MEASURED) - set(EVALUATION) - set(RENDERED) - set(OWN_TEST))
    assert unknown == [], f"generated blocks with no generator known to this test: {unknown}"


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_measured_block_exists_once_and_its_script_names_it(name):
    page, body = find_block(name, ROOT)  # exits (SystemExit) when missing or duplicated
    assert body.strip(), f"{page.name}: block '{name}' is empty"
    script = SCRIPTS / MEASURED[name]
    assert f'"{name}"' in script.read_text(encoding="utf-8"), f"{script.name} does not write block '{name}'"


def test_find_block_refuses_a_duplicated_block(tmp_path):
    (tmp_path / "docs").mkdir()
    block = "<!-- BEGIN x -->\nold\n<!-- END x -->\n"
    (tmp_path / "README.md").write_text(block)
    (tmp_path / "docs" / "a.md").write_text(block)
    with pytest.raises(SystemExit, match="exactly once"):
        find_block("x", tmp_path)


@pytest.fixture(scope="module")
def evaluation_markdown() -> tuple[str, str]:
    from evaluation_table import markdown
    return markdown()


@pytest.mark.parametrize("name", sorted(EVALUATION))
def test_evaluation_block_is_current(evaluation_markdown, name):
    page, body = find_block(name, ROOT)
    expected = evaluation_markdown[EVALUATION[name]]
    assert body.strip() == expected.strip(), \
        f"{page.relative_to(ROOT)}: block '{name}' is stale; regenerate it with `{REGENERATE}`"


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered_block_is_current(name):
    import evaluation_table
    page, body = find_block(name, ROOT)
    expected = getattr(evaluation_table, RENDERED[name])()
    assert body.strip() == expected.strip(), \
        f"{page.relative_to(ROOT)}: block '{name}' is stale; regenerate it with `{REGENERATE}`"
