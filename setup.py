"""Build configuration that pyproject.toml cannot express: the data folders mapped into the package.

The ontology, the SPARQL queries, the benchmarks and the OWL API checker live at the repository root,
where they are edited and where a source checkout reads them. In a wheel they go inside the package, as
``kg/_data/<name>/`` (read with importlib.resources by ``kg/paths.py``). Folders are globbed, never
listed file by file, so a new ``ontology/abox/*.ttl`` or ``queries/**/*.rq`` ships without a change here.
"""
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
# package name under kg._data -> folder in the repository
DATA_FOLDERS = {"ontology": "ontology", "queries": "queries", "benchmarks": "benchmarks",
                "owlapi": "scripts/owlapi", "schemas": "docs/schemas"}
DATA_FILES = ["**/*.ttl", "**/*.owl", "**/*.nt", "**/*.tsv", "**/*.csv", "**/*.json", "**/*.rq",
              "**/*.ru", "**/*.md", "**/*.java"]

packages = find_packages(include=["kg", "kg.*"])
package_dir = {"": "."}
package_data = {"kg": ["py.typed"]}
for name, folder in DATA_FOLDERS.items():
    if (HERE / folder).is_dir():
        pkg = f"kg._data.{name}"
        packages.append(pkg)
        package_dir[pkg] = folder
        package_data[pkg] = DATA_FILES

setup(packages=packages, package_dir=package_dir, package_data=package_data)
