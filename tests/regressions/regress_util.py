"""Helpers for the regression tests of issue 14 (hardening): run the CLI as a process and measure it;
the misbehaving HTTP servers of misbehaving_server.py (started on 127.0.0.1, stopped by their pid)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import servers

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    max_rss_mb: float

    def clean_error(self) -> bool:
        """Exit 2 with a one-line `bionn-kg: error:` message (plus an optional hint), no traceback."""
        lines = [ln for ln in self.err.strip().splitlines() if ln.strip()]
        return (self.code == 2 and "Traceback" not in self.err and "panicked" not in self.err
                and any(ln.startswith("bionn-kg: error:") for ln in lines)
                and all(ln.startswith(("bionn-kg", "  ")) or ln.startswith("Usage")
                        or ln.startswith("Try ") or ln.startswith("Error:") for ln in lines))


def run_cli(*args: str, env: dict | None = None, stdin: bytes | None = None, timeout: float = 120,
            cwd: Path | None = None) -> Run:
    """`python -m kg ARGS` in its own process; exit code, output, wall time and peak RSS."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("BIONN_KG_DEBUG", None)
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "kg", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, cwd=cwd)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"bionn-kg {' '.join(args)} did not finish in {timeout} s:\n{err.decode()[-2000:]}")
    seconds = time.monotonic() - t0
    return Run(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), seconds, 0.0)


def run_cli_measured(*args: str, env: dict | None = None, timeout: float = 120) -> Run:
    """As :func:`run_cli`, with the peak RSS of the command's own process (os.wait4)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("BIONN_KG_DEBUG", None)
    t0 = time.monotonic()
    import tempfile
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "kg", *args], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, env=full_env)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"bionn-kg {' '.join(args)} did not finish in {timeout} s")
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        o, e = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    return Run(proc.returncode, o, e, time.monotonic() - t0, usage.ru_maxrss / 1024)


def start_misbehaving(mode: str, started: list) -> tuple[str, subprocess.Popen]:
    port = servers.free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "misbehaving_server.py"), mode, str(port)],
                            stdout=subprocess.PIPE, text=True)
    started.append(proc)
    assert proc.stdout.readline().strip() == "READY"
    return f"http://127.0.0.1:{port}/query", proc


def connections(proc: subprocess.Popen) -> int:
    """How many connections the misbehaving server saw (it is stopped first)."""
    servers.stop(proc, timeout=5)
    return proc.stdout.read().count("CONNECTED")
