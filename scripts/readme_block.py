"""Replace a generated block of README.md (between `<!-- BEGIN name -->` and `<!-- END name -->`)."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def replace_block(name: str, markdown: str, readme: Path = README) -> None:
    """Write ``markdown`` between the markers of ``name`` (atomically: temp file, then rename)."""
    text = readme.read_text()
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    if begin not in text or end not in text:
        raise SystemExit(f"{readme}: no '{begin}' ... '{end}' block to replace")
    block = f"{begin}\n{markdown}\n{end}"
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(readme)
