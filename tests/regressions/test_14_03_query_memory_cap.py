"""Issue 14, item 3: embedded queries had no memory cap (a SELECT of tens of millions of rows with
ORDER BY reached 6.6 GB). The worker's address space is now capped (RLIMIT_AS): --max-memory,
BIONN_KG_QUERY_MAX_MEMORY_MB, ``KnowledgeGraph.run(max_memory_mb=...)``."""
from __future__ import annotations

import sys

import pytest

from kg.errors import KGError
from regress_util import run_cli_measured

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")

# ~7,500^3 rows to sort: far beyond any memory; the cap must stop it at once
SORT_BOMB = "SELECT ?a ?b ?c WHERE { ?a ?p ?o . ?b ?q ?r . ?c ?x ?y } ORDER BY ?a ?b ?c"


def test_sort_of_a_huge_result_is_stopped_by_the_memory_cap(tmp_path):
    q = tmp_path / "sort.rq"
    q.write_text(SORT_BOMB)
    run = run_cli_measured("query", str(q), "--max-memory", "100", "--timeout", "120", timeout=120)
    assert run.clean_error(), run.err
    assert "100 MB memory limit" in run.err and "--max-memory" in run.err
    assert run.seconds < 60


def test_the_environment_variable_sets_the_cap(tmp_path):
    q = tmp_path / "sort.rq"
    q.write_text(SORT_BOMB)
    run = run_cli_measured("query", str(q), "--timeout", "120",
                           env={"BIONN_KG_QUERY_MAX_MEMORY_MB": "80"}, timeout=120)
    assert run.clean_error(), run.err
    assert "80 MB memory limit" in run.err


def test_python_api_has_the_same_cap(shipped_graph):
    with pytest.raises(KGError, match="memory limit"):
        shipped_graph.run(SORT_BOMB, timeout=120, max_memory_mb=100)


def test_a_small_query_runs_under_a_small_cap(shipped_graph):
    res = shipped_graph.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", max_memory_mb=64)
    assert int(res.rows[0][0].value) == len(shipped_graph)
