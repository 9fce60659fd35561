"""Replace a generated block (between `<!-- BEGIN name -->` and `<!-- END name -->`) in README.md or docs/*.md.

A block lives in exactly one of those files; the scripts that generate tables (evaluation, benchmarks) call
:func:`replace_block` with the block's name and need not know which page holds it.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def pages(root: Path = ROOT) -> list[Path]:
    """The Markdown pages that may hold generated blocks: README.md, then docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def find_block(name: str, root: Path = ROOT) -> tuple[Path, str]:
    """(page, current content) of block ``name``; exits with a message when it is missing or duplicated."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    hits = [p for p in pages(root) if p.exists() and begin in (t := p.read_text()) and end in t]
    if len(hits) != 1:
        where = ", ".join(str(p) for p in hits) or "README.md or docs/*.md"
        raise SystemExit(f"block '{name}' must appear exactly once; found in: {where}")
    text = hits[0].read_text()
    inner = re.search(re.escape(begin) + r"\n?(.*?)\n?" + re.escape(end), text, flags=re.S)
    return hits[0], inner.group(1) if inner else ""


def replace_block(name: str, markdown: str, readme: Path | None = None) -> Path:
    """Write ``markdown`` between the markers of ``name`` (atomically: temp file, then rename)."""
    page = readme if readme is not None else find_block(name)[0]
    text = page.read_text()
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    if begin not in text or end not in text:
        raise SystemExit(f"{page}: no '{begin}' ... '{end}' block to replace")
    block = f"{begin}\n{markdown}\n{end}"
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    tmp = page.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(page)
    return page
