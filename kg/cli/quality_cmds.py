"""``bionn-kg check`` (the quality gate) and ``bionn-kg release`` (the release artefacts)."""
from __future__ import annotations

import click

from .options import extra_option, format_option, weight_options

__all__ = ["check", "release"]

_GATE_HELP = "qc (SPARQL report checks), shacl, reasoner (HermiT), profile (OWL API, OWL 2 DL)"


@click.command()
@extra_option
@format_option
@click.option("--fail-on", "fail_on", type=click.Choice(["ERROR", "WARN", "INFO"], case_sensitive=False),
              default="ERROR", show_default=True,
              help="Exit 1 when a finding is at this level or more severe.")
@click.option("--only", "only", multiple=True, type=click.Choice(["qc", "shacl", "reasoner", "profile"]),
              help=f"Run only these gates (repeatable): {_GATE_HELP}.")
@click.option("--skip", "skip", multiple=True, type=click.Choice(["qc", "shacl", "reasoner", "profile"]),
              help="Skip these gates (repeatable).")
@click.option("--qc-check", "qc_checks", multiple=True, metavar="NAME",
              help="Run only these SPARQL checks of queries/qc/ (by file name without .rq).")
@click.option("--allow-skipped", "allow_skipped", is_flag=True,
              help="Accept a gate that cannot run here (no Java for the reasoner or the OWL 2 DL profile "
                   "check): report it as INFO instead of failing the check.")
def check(extra, fmt, fail_on, only, skip, qc_checks, allow_skipped):
    """Quality gate: reasoner, OWL 2 DL profile, report checks, SHACL.

    \b
    Runs on the shipped ontology and graph plus any --extra files (check your own additions before
    sharing them). Findings have a level (ERROR, WARN, INFO), the entity, the rule and the fix.
    Exit codes: 0 clean; 1 findings at or above --fail-on (default ERROR), or a gate that could
    not run (Java missing: install openjdk-17-jre-headless and libowlapi-java, or pass
    --allow-skipped); 2 error (a file that does not parse, a missing file).
    """
    from ..output import render
    from ..quality.gate import GATES, run_gates
    from ..quality.report import COLUMNS, at_or_above, summary

    gates = [g for g in (only or GATES) if g not in skip]
    result = run_gates(extra, gates, qc_checks or None, allow_skipped=allow_skipped)
    rows = [f.as_row() for f in result.findings]
    failing = at_or_above(result.findings, fail_on.upper())
    code = 1 if failing else 0
    timing = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    missing = [f.gate for f in result.not_run]
    verdict = (f"FAILED: {len(failing)} finding(s) at or above {fail_on.upper()}" if failing
               else f"passed (nothing at or above {fail_on.upper()})")
    if missing and not allow_skipped:
        verdict = (f"INCOMPLETE: the {', '.join(missing)} gate(s) did not run (see the fix above: install "
                   f"Java 17 and libowlapi-java), so the check FAILED; --allow-skipped accepts this")
    elif missing:
        verdict += f"; not run (--allow-skipped): {', '.join(missing)}"
    if fmt == "table":
        short = ["level", "gate", "check", "entity", "property", "value"]
        click.echo(render(rows, "table", columns=short, max_width=70) if rows else "(no findings)")
        seen: dict[tuple[str, str, str], None] = {}
        for f in result.findings:  # qc checks share one rule text; reasoner findings name their entity
            seen.setdefault((f.check, f.message, f.fix), None)
        if seen:
            click.echo("\nRules and fixes:")
            for name, msg, fix in seen:
                click.echo(f"  {name}: {msg}")
                if fix:
                    click.echo(f"    fix: {fix}")
        click.echo(f"\n{summary(result.findings)}; gates: {', '.join(gates)}; time: {timing}")
        click.echo(f"check {verdict} (exit {code})")
    else:
        click.echo(render(rows, fmt, columns=list(COLUMNS)))
        click.echo(f"{summary(result.findings)}; time: {timing}; check {verdict} (exit {code})", err=True)
    return code


@click.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write bionn-kg.owl, bionn-kg.ttl, mappings/bionn-kg.sssom.tsv, docs/index.html and "
                   "docs/individuals/: new, empty or a previous release. Built in a staging folder and swapped in whole.")
@click.option("--docs/--no-docs", default=True, show_default=True,
              help="Build the HTML documentation: classes and properties (pyLODE), one page per individual.")
@click.option("--sssom/--no-sssom", default=True, show_default=True, help="Write the SSSOM mapping table.")
@click.option("--computed/--no-computed", default=True, show_default=True,
              help="Include the engine's computed mappings (above --threshold) in the SSSOM table.")
@weight_options
@extra_option
@click.option("--threshold", type=float, default=None,
              help="Minimum E for a computed mapping in the SSSOM table (default: 0.5).")
def release(out, docs, sssom, computed, preset, weights, extra, threshold):
    """Write the release files: RDF/XML, Turtle, SSSOM, HTML docs.

    The release adds obo:IAO_0000115 beside every skos:definition (for OBO tools) and an
    owl:NamedIndividual declaration for every individual.

    \b
    The checked-in copies (ontology/bionn-kg.owl, ontology/mappings/bionn-kg.sssom.tsv) are
    regenerated with `python scripts/build_release.py`.
    """
    from pathlib import Path

    from ..release import build_release

    for p in build_release(Path(out), docs=docs, sssom=sssom, computed=computed, preset=preset,
                           threshold=threshold, extra=extra, weights=weights):
        click.echo(str(p))
    return 0
