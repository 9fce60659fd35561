"""Rendering result rows as a text table, CSV, TSV or JSON (``--format``)."""
from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FORMATS", "render", "render_sections"]

FORMATS = ("table", "csv", "tsv", "json")


# Control characters (ESC starts terminal escape sequences) are shown escaped, never sent to the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(s: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s) if _CONTROL.search(s) else s


def _cell(v: Any, *, digits: int = 3) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "n/a" if math.isnan(v) else f"{v:.{digits}f}"
    if isinstance(v, (list, tuple)):
        return "; ".join(_cell(x) for x in v)
    return _visible(str(v))


def _json_default(v: Any):
    if hasattr(v, "tolist"):
        return v.tolist()
    return str(v)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, Mapping):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def render(rows: Sequence[Mapping[str, Any]], fmt: str = "table", *,
           columns: Sequence[str] | None = None, max_width: int = 60) -> str:
    """Rows (dicts) as text. Missing numbers (NaN) print as ``n/a`` in text and ``null`` in JSON."""
    cols = list(columns) if columns else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        return json.dumps([_clean({c: r.get(c) for c in cols}) for r in rows], indent=2,
                          ensure_ascii=False, default=_json_default)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(r.get(c), digits=6) for c in cols])
        return buf.getvalue().rstrip("\n")
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not rows:
        return "(no rows)"
    cells = [[_cell(r.get(c)).replace("\n", " ").replace("\t", " ") for c in cols] for r in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(out)


def render_sections(sections: Mapping[str, Any], fmt: str = "table") -> str:
    """A document of named sections (each a list of rows or a mapping) for ``show``, ``score``, ``info``.

    JSON gives one object; CSV/TSV give each section as its own block headed by ``# name``.
    """
    if fmt == "json":
        return json.dumps(_clean(dict(sections)), indent=2, ensure_ascii=False, default=_json_default)
    parts = []
    for name, body in sections.items():
        if isinstance(body, Mapping):
            body = [{"field": k, "value": v} for k, v in body.items()]
        if fmt == "table":
            parts.append(f"== {name} ==\n{render(body, 'table')}")
        else:
            parts.append(f"# {name}\n{render(body, fmt)}")
    return "\n\n".join(parts)
