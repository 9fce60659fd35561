"""HTML documentation of the ontology with pyLODE (``pylode==3.3.4``, the ``docs`` extra).

pyLODE 3.4.1, the newest release for Python 3.11, crashes on import (upstream pyLODE issue #256), so the
``docs`` extra pins 3.3.4. pyLODE refuses an ontology without a title; the TBox has dcterms:title.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import KGError

__all__ = ["write_docs"]


def write_docs(ontology_file: Path, out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` documenting the RDF/XML release ``ontology_file``."""
    import logging

    from rdflib import Graph

    from ..release import write_text_atomic

    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    try:
        # pyLODE's import chain sets the root logger to DEBUG and logs at INFO: keep our stderr clean
        root.setLevel(logging.WARNING)
        try:
            from pylode import OntPub
        except ImportError as exc:
            raise KGError(f"pyLODE is not installed ({exc})",
                          hint="pip install 'bionn-kg[docs]' (pylode==3.3.4), or run `bionn-kg release --no-docs`"
                          ) from None
        root.setLevel(logging.WARNING)
        g = Graph().parse(ontology_file, format="xml")
        try:
            html = OntPub(ontology=g, sort_subjects=True).make_html()
        except Exception as exc:  # pyLODE raises PylodeError and assorted errors on unexpected input
            raise KGError(f"pyLODE could not document {ontology_file}: {type(exc).__name__}: {exc}",
                          hint="check that the ontology header has dcterms:title and dcterms:description") from None
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    return write_text_atomic(Path(out_dir) / "index.html", html)
