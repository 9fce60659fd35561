"""SPARQL query files: lookup by name and their header metadata.

Every shipped query lives in ``queries/`` as a standard SPARQL 1.1 file whose first comment lines are
``# key: value`` headers (``title``, ``question``, ``params``, ``columns``, ``source``). Python never
embeds SPARQL text: it loads these files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import KGError
from .paths import queries_dir

__all__ = ["Query", "load_query", "list_queries"]


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    text: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.headers.get("title") or self.headers.get("question") or self.name


def _parse_headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        body = s.lstrip("#").strip()
        head, sep, rest = body.partition(":")
        if sep and head and " " not in head.strip() and head.strip().isidentifier():
            key = head.strip().lower()
            headers[key] = rest.strip()
        elif key and body:
            headers[key] += " " + body
    return headers


@lru_cache(maxsize=256)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_query(name_or_path: str | Path) -> Query:
    """A query by shipped name (``equivalence_map``, ``features/structural``) or by file path."""
    p = Path(name_or_path)
    if p.suffix == ".rq" and p.is_file():
        path = p
        name = p.stem
    else:
        name = str(name_or_path).removesuffix(".rq")
        path = queries_dir() / f"{name}.rq"
        if not path.is_file():
            known = [q.name for q in list_queries(include_internal=True)]
            import difflib
            close = difflib.get_close_matches(name, known, n=3)
            raise KGError(f"no query named '{name}' (looked for {path})",
                          hint=("did you mean: " + ", ".join(close)) if close
                          else "run `bionn-kg query --list` to see the shipped queries")
    text = _read(path.resolve())
    return Query(name=name, path=path, text=text, headers=_parse_headers(text))


def list_queries(*, include_internal: bool = False) -> list[Query]:
    """The shipped queries (top-level ``queries/*.rq``; with ``include_internal`` also sub-folders)."""
    root = queries_dir()
    paths = sorted(root.rglob("*.rq") if include_internal else root.glob("*.rq"))
    return [load_query(str(p.relative_to(root).with_suffix(""))) for p in paths]
