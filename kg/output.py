"""Rendering result rows as a text table, CSV, TSV or JSON (``--format``): the shared output layer.

Every command's output goes through :func:`render` (rows) or :func:`render_sections` (a document of named
sections), so every command follows the same conventions (docs/json-output.md; one JSON Schema per command
in docs/schemas/):

* **keys** are snake_case (``path proximity`` becomes ``path_proximity``, ``BMA-Lin`` ``bma_lin``); keys
  that are already identifiers (SPARQL variable names, ``bio_label``) are kept, and so are the symbols of
  the equivalence formula (``E``, ``S``, ``F``, ``C``, ``M``, ``Ef``), also inside a key (``paper_S``);
* **IDs** are CURIEs (:func:`kg.ids.curie`: ``bkg:SynapticPruning``, ``GO:0098883``), in every format; the
  prefix map is in ``bionn-kg info --format json`` and docs/schemas/prefixes.json;
* **numbers**: JSON floats keep 4 significant digits (float32 noise such as 0.3710043132305145 is not
  information), undefined values (NaN) are ``null``; text keeps 3 decimals, CSV/TSV 6;
* **lists** are JSON arrays (joined with ``; `` in text, CSV and TSV).

>>> print(to_json({"path proximity": 0.3710043132305145, "bio": "http://purl.obolibrary.org/obo/GO_0098883",
...                "paper S": "High", "E": float("nan")}, indent=None))
{"path_proximity": 0.371, "bio": "GO:0098883", "paper_S": "High", "E": null}
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FORMATS", "SIGNIFICANT_DIGITS", "IRI", "render", "render_sections", "to_json", "json_key",
           "json_value", "round_sig"]

FORMATS = ("table", "csv", "tsv", "json")
SIGNIFICANT_DIGITS = 4
# Symbols keep their case in keys: E and the dimensions of E(b, a) (one capital, maybe one small letter:
# "BMA S" -> "BMA_S"), whatever dimensions are registered.
_SYMBOL = re.compile(r"^[A-Z][a-z]?$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKENS = re.compile(r"[A-Za-z0-9]+")


class IRI(str):
    """A value written as a full IRI, never compacted: a document IRI (the ontology, its version), not an ID."""

    __slots__ = ()


def json_key(key: Any) -> str:
    """snake_case key: identifiers unchanged, other text split on non-alphanumerics and lower-cased."""
    k = str(key)
    if _IDENT.match(k):
        return k
    return "_".join(t if _SYMBOL.match(t) else t.lower() for t in _TOKENS.findall(k)) or "_"


def round_sig(v: float, digits: int = SIGNIFICANT_DIGITS) -> float | None:
    """``v`` to ``digits`` significant digits; NaN and infinities become None (JSON null)."""
    if math.isnan(v) or math.isinf(v):
        return None
    return float(f"{v:.{digits}g}")


def _iri_to_curie(v: str) -> str:
    from .ids import curie

    return curie(v)


def json_value(v: Any) -> Any:
    """A value as plain JSON: numpy scalars and arrays unwrapped, floats rounded, IRIs as CURIEs."""
    if v is None or isinstance(v, (bool, int)):
        return v
    if isinstance(v, float):
        return round_sig(v)
    if isinstance(v, IRI):
        return str(v)
    if isinstance(v, str):
        return _iri_to_curie(v) if v.startswith(("http://", "https://")) else v
    if isinstance(v, Mapping):
        return {json_key(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [json_value(x) for x in (sorted(v, key=str) if isinstance(v, (set, frozenset)) else v)]
    if hasattr(v, "tolist"):  # numpy scalar or array
        return json_value(v.tolist())
    if hasattr(v, "item"):
        return json_value(v.item())
    return str(v)


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """``obj`` as JSON text following the conventions above."""
    return json.dumps(json_value(obj), indent=indent, ensure_ascii=False)


def _display(v: Any) -> Any:
    """Text formats: IRIs as CURIEs too (the same IDs in every format)."""
    if isinstance(v, str) and not isinstance(v, IRI) and v.startswith(("http://", "https://")):
        return _iri_to_curie(v)
    return v


# Control characters (ESC starts terminal escape sequences) are shown escaped, never sent to the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(s: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s) if _CONTROL.search(s) else s


def _cell(v: Any, *, digits: int = 3) -> str:
    if v is None:
        return ""
    if hasattr(v, "item") and not isinstance(v, (list, tuple)):  # numpy scalar
        v = v.item()
    if isinstance(v, float):
        return "n/a" if math.isnan(v) else f"{v:.{digits}f}"
    if isinstance(v, (list, tuple)):
        return "; ".join(_cell(x) for x in v)
    return _visible(str(_display(v)))


def _json_default(v: Any):
    if hasattr(v, "tolist"):
        return v.tolist()
    return str(v)


def _clean(v: Any) -> Any:
    """NaN as None and numpy values unwrapped, nothing else changed (the report's data files use it)."""
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
        return to_json([{c: r.get(c) for c in cols} for r in rows])
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
    cut = any(len(c) > max_width for row in cells for c in row)
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    if cut:
        out.append(f"(… marks text cut at {max_width} characters; --format json, csv or tsv gives the full text)")
    return "\n".join(out)


def titled_sections(fmt: str, parts: Sequence[tuple[str, str, Any]]) -> dict[str, Any]:
    """Sections from (key, title, rows): keyed by the short, stable key in JSON (docs/json-output.md),
    by the title a reader sees in every other format."""
    return {(key if fmt == "json" else title): rows for key, title, rows in parts}


def render_sections(sections: Mapping[str, Any], fmt: str = "table") -> str:
    """A document of named sections (each a list of rows or a mapping) for ``show``, ``score``, ``info``.

    JSON gives one object; CSV/TSV give each section as its own block headed by ``# name``.
    """
    if fmt == "json":
        return to_json(dict(sections))
    parts = []
    for name, body in sections.items():
        if isinstance(body, Mapping):
            body = [{"field": k, "value": v} for k, v in body.items()]
        if fmt == "table":
            parts.append(f"== {name} ==\n{render(body, 'table')}")
        else:
            parts.append(f"# {name}\n{render(body, fmt)}")
    return "\n\n".join(parts)
