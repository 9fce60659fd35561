"""Where the package's data lives: the ontology, the SPARQL queries, the benchmarks, the OWL API checker.

This module is the one place that finds them. Two layouts are supported:

* **installed** (``pip install .`` or a wheel): the data is inside the package, at ``kg/_data/``
  (``ontology/``, ``queries/``, ``benchmarks/``, ``owlapi/``, ``schemas/``), found with :mod:`importlib.resources`;
  ``pyproject.toml`` maps the repository's top-level folders there when the wheel is built;
* **source checkout** (``PYTHONPATH=.``, or ``pip install -e .``): the same folders at the repository root,
  next to ``kg/``.

``BIONN_KG_HOME`` overrides both: a folder holding ``ontology/`` and ``queries/`` (``benchmarks/`` and
``scripts/owlapi/`` optional), for example a clone with local edits.

Data is always found by globbing folders (:func:`source_files`), never from a list of file names, so a new
``ontology/abox/*.ttl`` or ``queries/**/*.rq`` is picked up in both layouts.

Example
-------
>>> from kg.paths import ontology_dir, queries_dir
>>> (ontology_dir() / "bionn-kg-tbox.ttl").is_file() and (queries_dir() / "qc").is_dir()
True
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

__all__ = ["data_root", "layout", "project_root", "ontology_dir", "queries_dir", "benchmarks_dir",
           "owlapi_source", "schemas_dir", "source_files", "RELEASE_FILE", "DATA_PACKAGE"]

RELEASE_FILE = "bionn-kg.owl"
DATA_PACKAGE = "kg._data"  # where pyproject.toml puts the data folders inside the wheel


@lru_cache(maxsize=1)
def _packaged() -> Path | None:
    """``kg/_data`` of an installed package, as a real folder; None in a source checkout."""
    from importlib.resources import files

    root = files("kg") / "_data"
    if not root.is_dir():
        return None
    if not isinstance(root, Path):  # a zip import: every reader here (Oxigraph, Java) needs real files
        from .errors import KGError
        raise KGError(f"bionn-kg's data is inside an archive ({root}) and cannot be read from there",
                      hint="install bionn-kg as a regular (unzipped) package: pip install bionn-kg")
    return root


def layout() -> str:
    """``env`` (BIONN_KG_HOME), ``installed`` (kg/_data) or ``source`` (the repository checkout)."""
    if os.environ.get("BIONN_KG_HOME"):
        return "env"
    return "installed" if _packaged() is not None else "source"


def project_root() -> Path:
    """The source checkout (the folder holding ``kg/``), or ``BIONN_KG_HOME``.

    In an installed package this is the ``site-packages`` folder; use :func:`data_root` for data.
    """
    env = os.environ.get("BIONN_KG_HOME")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """The folder holding ``ontology/`` and ``queries/`` in the current layout."""
    if not os.environ.get("BIONN_KG_HOME"):
        packaged = _packaged()
        if packaged is not None:
            return packaged
    return project_root()


def ontology_dir() -> Path:
    return data_root() / "ontology"


def queries_dir() -> Path:
    return data_root() / "queries"


def benchmarks_dir() -> Path:
    return data_root() / "benchmarks"


def schemas_dir() -> Path:
    """The JSON Schemas of the commands' JSON output (``docs/schemas/`` in a checkout)."""
    root = data_root()
    return root / "schemas" if (root / "schemas").is_dir() else root / "docs" / "schemas"


def owlapi_source() -> Path:
    """``ProfileCheck.java``, the OWL API profile checker compiled at first use."""
    root = data_root()
    packaged = root / "owlapi" / "ProfileCheck.java"
    return packaged if packaged.is_file() else root / "scripts" / "owlapi" / "ProfileCheck.java"


def source_files() -> list[Path]:
    """The edited Turtle sources: the TBox, then every ABox file in name order."""
    onto = ontology_dir()
    return [onto / "bionn-kg-tbox.ttl", *sorted((onto / "abox").glob("*.ttl"))]
