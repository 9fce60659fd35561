"""The ``bionn-kg`` command line: a thin layer over the library.

Commands are imported only when they run, so ``bionn-kg --help`` and light commands start fast.
Exit codes: 0 success; 1 violations found (``check``); 2 error (bad input, unknown ID, bad weights,
unreachable endpoint). Errors print one clear message, never a traceback.
"""
from __future__ import annotations

import importlib
import os
import sys

import click

from ..errors import KGError

__all__ = ["main", "cli"]

# command name -> (module under kg.cli, attribute, one-line help shown by --help without importing it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "info": ("graph_cmds", "info", "Counts per class, ontology IRI and version."),
    "show": ("graph_cmds", "show", "One entity: label, definition, relations, provenance."),
    "search": ("graph_cmds", "search", "Find entities by label or synonym."),
    "score": ("engine_cmds", "score", "E(b, a) and each dimension for one pair, explained."),
    "analogies": ("engine_cmds", "analogies", "Rank the other domain's mechanisms for one mechanism."),
    "gaps": ("engine_cmds", "gaps", "What a mechanism's best analogs lack, and which mechanisms have it."),
    "matrix": ("engine_cmds", "matrix", "All pairs: E and every dimension (CSV/TSV/JSON)."),
    "evaluate": ("evaluate_cmds", "evaluate", "Agreement with the paper's ratings; recovery of asserted analogs."),
    "normalise": ("efficiency_cmds", "normalise", "Section 4.2: expected ANN cost of a mechanism's closest analogs."),
    "query": ("query_cmds", "query", "Run a shipped or your own SPARQL query, safely."),
    "serve": ("query_cmds", "serve", "Serve the graph read-only with the Oxigraph SPARQL server."),
    "publish": ("query_cmds", "publish", "Load the graph into a SPARQL 1.1 store (Graph Store protocol)."),
    "check": ("quality_cmds", "check", "Quality gate: reasoner, OWL 2 DL profile, report checks, SHACL."),
    "release": ("quality_cmds", "release", "Write the release files: RDF/XML, Turtle, SSSOM, HTML docs."),
    "report": ("report_cmds", "report", "The main job: an HTML/Markdown report from graph to findings."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module, attr, _ = spec
        try:
            mod = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(module):
                return None
            raise
        return getattr(mod, attr, None)

    def format_commands(self, ctx, formatter):
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="bionn-kg")
def cli():
    """bionn-kg: the BioNN-ANN equivalence ontology, knowledge graph and engine.

    \b
    Start with:
      bionn-kg info                          what the graph holds
      bionn-kg search pruning                find an entity
      bionn-kg show bkg:SynapticPruning      everything about it, with provenance
      bionn-kg analogies "synaptic pruning"  its best ANN analogs, and why
      bionn-kg report --out report/          the full report

    IDs may be a CURIE (bkg:SynapticPruning), a full IRI or an exact label. Every command that reads
    the graph takes --extra FILE (your own mechanisms) and --format table|csv|tsv|json.
    Exit codes: 0 ok, 1 violations (check), 2 error.
    """


def main(argv: list[str] | None = None) -> int:
    try:
        rv = cli.main(args=argv, prog_name="bionn-kg", standalone_mode=False)
    except KGError as exc:
        click.echo(f"bionn-kg: error: {_visible(str(exc))}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.Abort:
        click.echo("aborted", err=True)
        return 2
    except BrokenPipeError:
        return 0
    except UnicodeError as exc:
        return _fail(f"text that is not valid UTF-8 ({exc})", "save the file as UTF-8")
    except PermissionError as exc:
        return _fail(f"{exc.filename or 'a file'}: permission denied", "check the path and its permissions")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", "check the path, the disk space and the permissions")
    except MemoryError:
        return _fail("out of memory", "the input is too large for this machine; see docs/limits-and-safety.md")
    except RecursionError:
        return _fail("the input is nested too deeply", "simplify the input")
    except Exception as exc:  # noqa: BLE001 - exit 2 with one line, never a traceback with exit 1
        if os.environ.get("BIONN_KG_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                     "this is a bug: please report it with the command line; "
                     "BIONN_KG_DEBUG=1 shows the traceback")
    return rv if isinstance(rv, int) else 0


def _visible(text: str) -> str:
    """Control characters from user data (labels, file content) shown escaped, never sent to the terminal."""
    import re
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def _fail(message: str, hint: str) -> int:
    """One line (plus a hint) on stderr and the error exit code, for errors that are not KGError."""
    click.echo(f"bionn-kg: error: {_visible(message)}\n  hint: {hint}", err=True)
    return 2


def run() -> None:  # pragma: no cover - console entry
    sys.exit(main())
