"""How `bionn-kg check` scales with the length of one literal (issue 14, item 6: it was quadratic).

Writes a one-triple Turtle file with a label of N MB for each N, runs `bionn-kg check --extra FILE`
and prints the wall time and the time of each gate. Linear means the times grow with N, not N^2.

    python scripts/measure_literal_length.py 1 3 6 12
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(sizes_mb: list[float]) -> None:
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes_mb:
            f = Path(tmp) / f"label-{mb:g}MB.ttl"
            n = int(mb * 1_000_000 / 3)
            f.write_text('@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                         f'<https://w3id.org/bionn-kg/Big> rdfs:label "{"ab " * n}" .\n')
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "kg", "check", "--extra", str(f)], cwd=root,
                                  capture_output=True, text=True)
            dt = time.perf_counter() - t0
            gates = next((ln for ln in proc.stdout.splitlines() if "time:" in ln), proc.stderr.strip()[:200])
            print(f"{mb:6g} MB label: exit {proc.returncode}, {dt:6.2f} s wall; {gates.split('time: ')[-1]}")


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [1, 3, 6, 12])
