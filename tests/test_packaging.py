"""The package installs as a wheel and works without the source tree (issue 15, item 1).

The slow test builds the wheel from a copy of the repository, installs it offline into a fresh virtual
environment (``--system-site-packages`` for the dependencies, ``--no-index --no-deps`` for the wheel
itself) and runs ``bionn-kg analogies`` and ``bionn-kg query --list`` there, from a folder outside the
repository, so that nothing is read from the checkout. Building needs setuptools >= 77 (PEP 639 license
metadata) in the running interpreter: the ``test`` extra installs it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc", ".pytest_cache")
_AT_ROOT = {".git", "build", "dist", "report", ".bench"}  # outputs at the top, never queries/report/


def IGNORE(folder: str, names: list[str]) -> set[str]:
    skip = set(_ANYWHERE(folder, names))
    return skip | (_AT_ROOT & set(names)) if Path(folder) == ROOT else skip


def _setuptools_version() -> tuple[int, ...]:
    try:
        from importlib.metadata import version
        return tuple(int(x) for x in version("setuptools").split(".")[:2])
    except Exception:  # not installed, or an odd version string
        return (0,)


def test_py_typed_and_licenses_exist():
    assert (ROOT / "kg" / "py.typed").is_file()
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    data = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in data
    assert "Section 8 -- Interpretation" in data, "the full legal code, not only a link"


def test_paths_find_data_in_the_source_checkout():
    from kg import paths

    assert paths.layout() in ("source", "env", "installed")
    files = paths.source_files()
    assert files[0].name == "bionn-kg-tbox.ttl" and all(f.is_file() for f in files)
    assert sorted(files[1:]) == sorted((paths.ontology_dir() / "abox").glob("*.ttl")), "ABox is globbed"
    assert paths.owlapi_source().is_file()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if _setuptools_version() < (77,):
        pytest.skip("building the wheel needs setuptools >= 77 in this interpreter "
                    "(pip install 'setuptools>=77', part of the test extra)")
    src = tmp_path_factory.mktemp("src") / "bionn-kg"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(out), str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = list(out.glob("bionn_kg-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_ships_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"kg/_data/ontology/{p.relative_to(ROOT / 'ontology').as_posix()}"
                for p in (ROOT / "ontology").rglob("*") if p.is_file() and p.suffix in (".ttl", ".owl", ".tsv")}
    expected |= {f"kg/_data/queries/{p.relative_to(ROOT / 'queries').as_posix()}"
                 for p in (ROOT / "queries").rglob("*.rq")}
    expected |= {"kg/py.typed", "kg/_data/owlapi/ProfileCheck.java"}
    missing = sorted(expected - names)
    assert missing == [], f"the wheel lacks {missing[:10]}"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE-DATA") for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: MIT AND CC-BY-4.0" in text


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_runs(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    exe = venv / "bin" / "bionn-kg"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BIONN_KG_HOME", "VIRTUAL_ENV")}
    proc = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    where = subprocess.run([str(py), "-c", "import kg, kg.paths as p; print(kg.__file__); print(p.layout()); "
                            "print(p.ontology_dir())"], capture_output=True, text=True, env=env, cwd=tmp_path)
    kg_file, layout, onto = where.stdout.split("\n")[:3]
    assert kg_file.startswith(str(venv)), f"kg imported from {kg_file}, not from the installed wheel"
    assert layout == "installed" and onto.startswith(str(venv))

    run = subprocess.run([str(exe), "analogies", "bkg:SynapticPruning", "--top", "3", "--format", "json"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert len(rows) == 3 and all(r["id"].startswith("bkg:") for r in rows)

    listed = subprocess.run([str(exe), "query", "--list", "--format", "json"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert listed.returncode == 0, listed.stderr
    body = json.loads(listed.stdout)
    names = {q["name"] for q in (body.get("results", body) if isinstance(body, dict) else body)}
    shipped = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    assert names == shipped
