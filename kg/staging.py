"""All-or-nothing output folders: build in a staging folder next to the target, then swap it in.

Why: a release or a report is several files; a failure (or a kill) half-way must leave either the
previous folder or the new one, never a mix. The staging folder ``.NAME.tmp-PID-XXXX`` and the
previous folder, parked as ``.NAME.old-PID-XXXX`` during the two renames of the swap, carry the pid
of the process that made them, so the next run can tell leftovers of a dead process from work in
progress: :func:`recover` puts a parked previous folder back if the target is missing (a crash between
the two renames) and removes staging folders whose process is gone.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import KGError

__all__ = ["check_target_dir", "recover", "make_staging", "swap_in", "pid_alive"]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out: Path, kind: str) -> list[tuple[Path, int]]:
    found = []
    prefix = f".{out.name}.{kind}-"
    try:
        entries = list(out.parent.iterdir()) if out.parent.is_dir() else []
    except OSError:
        return found
    for p in entries:
        if not p.name.startswith(prefix):
            continue
        pid = p.name[len(prefix):].split("-", 1)[0]
        found.append((p, int(pid) if pid.isdigit() else -1))
    return found


def recover(out: Path) -> list[str]:
    """Repair what a killed run left next to ``out``; returns a note per repair."""
    out = Path(out)
    notes = []
    parked = [(p, pid) for p, pid in _leftovers(out, "old") if not pid_alive(pid)]
    if parked and not out.exists() and not out.is_symlink():
        newest = max(parked, key=lambda t: t[0].stat().st_mtime)[0]
        newest.rename(out)
        notes.append(f"restored {out} from {newest.name} (a previous run was killed while swapping)")
        parked = [t for t in parked if t[0] != newest]
    for p, _ in parked:
        shutil.rmtree(p, ignore_errors=True)
        notes.append(f"removed {p.name}, left by a killed run")
    for p, pid in _leftovers(out, "tmp"):
        if not pid_alive(pid):
            shutil.rmtree(p, ignore_errors=True)
            notes.append(f"removed {p.name}, left by a killed run")
    return notes


def check_target_dir(out: Path, what: str = "--out") -> Path:
    """Refuse output folders that must never be replaced: the current folder or one of its parents,
    the home folder, a file-system root. Returns the path, resolved."""
    out = Path(out)
    try:
        resolved = out.resolve()
        cwd = Path.cwd().resolve()
    except OSError as exc:
        raise KGError(f"{what} {out}: {exc.strerror or exc}") from None
    home = Path.home().resolve()
    if resolved == cwd or resolved in cwd.parents or resolved == home or resolved.parent == resolved:
        raise KGError(f"{what} {out} is the current folder, one of its parents, the home folder or a root; "
                      "it cannot be replaced", hint=f"give a new subfolder, e.g. {what} ./out")
    return resolved


def make_staging(out: Path) -> Path:
    """A fresh staging folder next to ``out`` (after :func:`recover`); KGError if it cannot be written."""
    out = Path(out)
    recover(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise KGError(f"cannot write next to {out}: {exc.strerror or exc}",
                      hint="choose a folder you can write to") from None


def swap_in(staging: Path, out: Path) -> None:
    """Move the finished ``staging`` folder to ``out``; the previous ``out`` is removed only after."""
    out = Path(out)
    old = None
    if out.exists() or out.is_symlink():
        old = out.parent / f".{out.name}.old-{os.getpid()}-{staging.name.rsplit('-', 1)[-1]}"
        out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()
