"""``bionn-kg report``: the main job, from the graph to a report a person reads."""
from __future__ import annotations

import sys

import click

from .options import endpoint_options, extra_option, weight_options

__all__ = ["report"]


@click.command()
@click.option("--out", "out", required=True, type=click.Path(), metavar="DIR",
              help="Folder to write the report into (index.html, report.md, data/, figures/, mechanisms/).")
@click.option("--force", is_flag=True, help="Replace DIR even if it exists and is not a previous report.")
@weight_options
@endpoint_options
@extra_option
def report(out, force, preset, weights, endpoint, default_graph, extra):
    """Load and check the graph, compute all pairs, and write a self-contained report.

    \b
    DIR/index.html   the report (inline CSS and images: opens offline, can be mailed)
    DIR/report.md    the same in Markdown, images in figures/, mechanisms/, bars/
    DIR/data/        the data behind every figure and table (CSV, JSON)

    An existing DIR is replaced only if it is a previous report (or empty), unless --force. The report
    is written to a temporary folder first, so a failure leaves nothing half-written.

    \b
    Example:
      bionn-kg report --out report/
      bionn-kg report --out report-eng/ --preset engineering --extra my_mechanisms.ttl
    """
    from ..report import build_report

    def step(name: str) -> None:
        click.echo(f"  {name} ...", err=True)

    def bar(items, n, label):
        if sys.stderr.isatty():
            with click.progressbar(items, length=n, label=f"  {label}", file=sys.stderr) as it:
                yield from it
        else:
            click.echo(f"  {label} ({n}) ...", err=True)
            yield from items

    click.echo(f"bionn-kg report: building into {out}", err=True)
    res = build_report(out, extra=extra, preset=preset, weights=weights, force=force, endpoint=endpoint,
                       default_graph=default_graph, progress=step, bar=bar)
    click.echo(f"report written in {res.seconds:.1f}s: {res.out.resolve() / 'index.html'}")
    click.echo(f"  Markdown: {res.out / 'report.md'}; data: {res.out / 'data'}/ ({len(res.files) - 2} files)")
    return 0
