"""Every resource limit in one place: its default, and the environment variable that raises it.

Why: a hostile or merely huge input (an entity-expansion bomb, a runaway query, a server that answers
one byte per second or 500 MB) must fail fast with a clear message instead of exhausting the machine.
Each limit has a safe default; a user who needs more sets the environment variable (or, for the
``query`` command, the option named below). ``docs/limits-and-safety.md`` lists them all.

==========================================  =============  ==========================================
limit                                       default        raise it with
==========================================  =============  ==========================================
input file size (each file)                 200 MiB        ``BIONN_KG_MAX_INPUT_BYTES``
entity expansion in RDF/XML (plain only)    max(1 MiB,     ``BIONN_KG_MAX_ENTITY_EXPANSION``
                                            4 x file)      (characters); nested entities: never
embedded query wall time                    30 s           ``query --timeout``, ``BIONN_KG_QUERY_TIMEOUT``
embedded query memory (worker)              2048 MiB       ``query --max-memory``,
                                                           ``BIONN_KG_QUERY_MAX_MEMORY_MB``
remote call wall time (whole call)          30 s           ``query --timeout``, ``BIONN_KG_REMOTE_TIMEOUT``
remote answer size                          64 MiB         ``BIONN_KG_REMOTE_MAX_BYTES``
Retry-After honoured up to                  10 s           -
``serve`` time per query (server side)      30 s           ``serve --query-timeout``
``serve`` server memory                     4096 MiB       ``serve --max-memory``
==========================================  =============  ==========================================
"""
from __future__ import annotations

import math
import os

from .errors import KGError

__all__ = ["env_number", "check_seconds", "max_input_bytes", "max_entity_expansion", "query_timeout",
           "query_max_memory_mb", "remote_timeout", "remote_max_bytes", "RETRY_AFTER_CAP", "MAX_SECONDS",
           "DEFAULT_QUERY_TIMEOUT", "DEFAULT_QUERY_MAX_MEMORY_MB", "DEFAULT_REMOTE_MAX_BYTES",
           "DEFAULT_MAX_INPUT_BYTES", "DEFAULT_MAX_ENTITY_EXPANSION", "DEFAULT_SERVE_QUERY_TIMEOUT"]

DEFAULT_MAX_INPUT_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_ENTITY_EXPANSION = 1024 * 1024
DEFAULT_QUERY_TIMEOUT = 30.0
DEFAULT_QUERY_MAX_MEMORY_MB = 2048
DEFAULT_REMOTE_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_SERVE_QUERY_TIMEOUT = 30.0
RETRY_AFTER_CAP = 10.0
# A time limit above one day is a typo (or 1e12, nan, inf): refused, because the OS waits cannot take it.
MAX_SECONDS = 86400.0


def env_number(name: str, default: float, *, integer: bool = False, minimum: float = 0.0) -> float:
    """The number in environment variable ``name`` (``default`` when unset); KGError when malformed."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise KGError(f"environment variable {name}={raw!r} is not a number",
                      hint=f"unset it or give a number (default {default:g})") from None
    if not math.isfinite(value) or value < minimum:
        raise KGError(f"environment variable {name}={raw!r} is out of range",
                      hint=f"give a finite number of at least {minimum:g} (default {default:g})")
    return value


def check_seconds(value: float, what: str = "--timeout") -> float:
    """A finite, positive time limit of at most a day, or KGError (nan, inf and 1e12 are refused)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise KGError(f"{what} {value!r} is not a number of seconds") from None
    if not math.isfinite(x) or x <= 0 or x > MAX_SECONDS:
        raise KGError(f"{what} {value!r} is not a usable time limit",
                      hint=f"give a number of seconds between 0.1 and {MAX_SECONDS:g}")
    return x


def max_input_bytes() -> int:
    return int(env_number("BIONN_KG_MAX_INPUT_BYTES", DEFAULT_MAX_INPUT_BYTES, integer=True, minimum=1))


def max_entity_expansion() -> int:
    return int(env_number("BIONN_KG_MAX_ENTITY_EXPANSION", DEFAULT_MAX_ENTITY_EXPANSION, integer=True))


def query_timeout() -> float:
    return check_seconds(env_number("BIONN_KG_QUERY_TIMEOUT", DEFAULT_QUERY_TIMEOUT), "BIONN_KG_QUERY_TIMEOUT")


def query_max_memory_mb() -> int:
    return int(env_number("BIONN_KG_QUERY_MAX_MEMORY_MB", DEFAULT_QUERY_MAX_MEMORY_MB, integer=True,
                          minimum=16))


def remote_timeout() -> float:
    return check_seconds(env_number("BIONN_KG_REMOTE_TIMEOUT", DEFAULT_QUERY_TIMEOUT), "BIONN_KG_REMOTE_TIMEOUT")


def remote_max_bytes() -> int:
    return int(env_number("BIONN_KG_REMOTE_MAX_BYTES", DEFAULT_REMOTE_MAX_BYTES, integer=True, minimum=1024))
