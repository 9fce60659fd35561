"""Options shared by every command, defined once (as oaklib does)."""
from __future__ import annotations

import click

from ..output import FORMATS

__all__ = ["extra_option", "format_option", "graph_options"]

extra_option = click.option(
    "--extra", "extra", multiple=True, type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Your own mechanisms, in Turtle (.ttl), N-Triples (.nt) or RDF/XML (.owl/.rdf), written in the "
         "ontology's vocabulary; loaded next to the shipped graph. Repeatable.")

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format: an aligned text table, CSV, TSV or JSON.")


def graph_options(f):
    """--extra and --format, for every command that reads the graph."""
    return extra_option(format_option(f))
