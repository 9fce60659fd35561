"""Issue 14, item 4: a truncated HTTP answer gave an IncompleteRead traceback and exit 1 in `query`,
`analogies` and `publish` with --endpoint. Now a one-line error, exit 2."""
from __future__ import annotations

import pytest

from regress_util import run_cli

pytestmark = pytest.mark.server


@pytest.mark.parametrize("mode", ["truncated", "truncated-chunked"])
@pytest.mark.parametrize("command", [["query", "equivalence_map"], ["analogies", "bkg:SynapticPruning"]])
def test_truncated_answer_is_a_clean_error(misbehaving, mode, command):
    url, _ = misbehaving(mode)
    run = run_cli(*command, "--endpoint", url, timeout=60)
    assert run.clean_error(), run.err
    assert "closed the connection in the middle of the answer" in run.err


def test_publish_with_a_truncated_answer_is_a_clean_error(misbehaving):
    url, _ = misbehaving("truncated")
    run = run_cli("publish", "--endpoint", url.replace("/query", "/store"), timeout=60)
    assert run.clean_error(), run.err
    assert "truncated" in run.err
