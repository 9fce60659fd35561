"""Where the ontology and the query files live (override with BIONN_KG_HOME)."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "ontology_dir", "queries_dir", "source_files", "RELEASE_FILE"]


def project_root() -> Path:
    env = os.environ.get("BIONN_KG_HOME")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    return project_root() / "ontology"


def queries_dir() -> Path:
    return project_root() / "queries"


def source_files() -> list[Path]:
    """The edited Turtle sources: the TBox, then every ABox file in name order."""
    onto = ontology_dir()
    return [onto / "bionn-kg-tbox.ttl", *sorted((onto / "abox").glob("*.ttl"))]


RELEASE_FILE = "bionn-kg.owl"
