"""Options shared by every command, defined once (as oaklib does).

``graph_options`` (``--extra``, ``--format``) go on every command that reads the graph; ``engine_options``
adds where the graph comes from (``--endpoint``, ``--default-graph``) and how E is weighted
(``--preset``, ``--weights``). Preset names and dimension names come from the engine's registry, read
when the help is shown, so the command line never lists them by hand.
"""
from __future__ import annotations

import click

from ..output import FORMATS

__all__ = [
    "endpoint_options",
    "engine_options",
    "extra_option",
    "format_option",
    "graph_options",
    "open_graph_from",
    "preset_option",
    "weight_options",
    "weights_option",
]

PRESETS = ("balanced", "engineering", "neuroscience")  # kg.engine.weights.PRESET_NAMES, without importing numpy

extra_option = click.option(
    "--extra", "extra", multiple=True, type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Your own mechanisms, in Turtle (.ttl), N-Triples (.nt) or RDF/XML (.owl/.rdf), written in the "
         "ontology's vocabulary; loaded next to the shipped graph. Repeatable.")

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format: an aligned text table, CSV, TSV or JSON.")


class _LazyHelpOption(click.Option):
    """An option whose help text is computed when shown (from the dimension registry)."""

    def __init__(self, *args, help_fn=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._help_fn = help_fn

    def get_help_record(self, ctx):
        if self._help_fn is not None:
            self.help = self._help_fn()
        return super().get_help_record(ctx)


def _preset_help() -> str:
    from ..engine.weights import preset_help
    return preset_help()


def _weights_help() -> str:
    from ..engine.dimensions import registered
    dims = ", ".join(f"{d.name} ({d.label})" for d in registered())
    return f"Custom weights DIM=VALUE over {dims}: non-negative, summing to 1; override --preset."


preset_option = click.option("--preset", type=click.Choice(PRESETS), default="balanced", show_default=True,
                             cls=_LazyHelpOption, help_fn=_preset_help, help="Weight preset.")
weights_option = click.option("--weights", metavar="DIM=W,...", default=None, cls=_LazyHelpOption,
                              help_fn=_weights_help, help="Custom weights.")
endpoint_option = click.option("--endpoint", metavar="URL", default=None,
                               help="Read the graph from a SPARQL endpoint instead of the embedded store.")
default_graph_option = click.option("--default-graph", "default_graph", metavar="IRI", default=None,
                                    help="With --endpoint: the named graph holding the data.")


def graph_options(f):
    """--extra and --format, for every command that reads the graph."""
    return extra_option(format_option(f))


def endpoint_options(f):
    """--endpoint and --default-graph."""
    return endpoint_option(default_graph_option(f))


def weight_options(f):
    """--preset and --weights."""
    return preset_option(weights_option(f))


def engine_options(f):
    """Every shared option of a command that computes E: graph, endpoint and weight options."""
    return graph_options(endpoint_options(weight_options(f)))


def open_graph_from(extra, endpoint=None, default_graph=None):
    """The graph the shared options name: embedded (with --extra files) or a SPARQL endpoint."""
    if endpoint:
        from ..remote import open_graph
        return open_graph(endpoint, extra, default_graph=default_graph)
    if default_graph:
        from ..errors import KGError
        raise KGError("--default-graph needs --endpoint", hint="give the endpoint's URL with --endpoint")
    from ..graph import load_graph
    return load_graph(extra)
