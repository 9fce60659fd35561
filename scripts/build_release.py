#!/usr/bin/env python3
"""Regenerate the checked-in release files from the edited sources.

    python scripts/build_release.py            # ontology/bionn-kg.owl and ontology/mappings/bionn-kg.sssom.tsv
    python scripts/build_release.py --owl-only # only the RDF/XML release

The RDF/XML merges ontology/bionn-kg-tbox.ttl and ontology/abox/*.ttl, adds owl:NamedIndividual
declarations, and is written deterministically through a temporary file (kg.release.write_owl, also
used by `bionn-kg release`). tests/test_release.py fails when the checked-in file is out of date.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--owl-only", action="store_true", help="write only ontology/bionn-kg.owl")
    ap.add_argument("--no-computed", action="store_true",
                    help="leave the engine's computed mappings out of the SSSOM table")
    args = ap.parse_args(argv)

    from kg.errors import KGError
    from kg.graph import load_graph
    from kg.release import sssom_path, version_info, write_owl, write_text_atomic

    try:
        kg = load_graph(check=False)
        print(write_owl(graph=kg))
        if not args.owl_only:
            from kg.quality.sssom import DEFAULT_THRESHOLD, sssom_text

            text = sssom_text(kg, version_info(kg), computed=not args.no_computed, threshold=DEFAULT_THRESHOLD)
            print(write_text_atomic(sssom_path(), text))
    except KGError as exc:
        print(f"build_release: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
