"""The backtest's fixture: the raw demo files the suite generated.

The backtest has two halves that meet at the committed snapshot (``snapshot/``):

* ``test_backtest_snapshot.py``: the demo report built by the suite equals the snapshot;
* ``test_backtest_recount.py``: the snapshot equals an independent recount from the raw demo
  files (plain pandas, none of the ``analysis`` helpers).

So a refactor that changes a published number fails the first half, and a snapshot edited to
a wrong number fails the second.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_files import write_snapshot


@pytest.fixture(scope="session")
def raw_demo(demo_project: Path) -> Path:
    """The raw demo files the suite generated (police.uk CSVs, partner extracts, lookups)."""
    return demo_project / "data" / "raw" / "demo"


@pytest.fixture(scope="session", autouse=True)
def refreshed_snapshot(request: pytest.FixtureRequest) -> None:
    """With ``--refresh-snapshot``, rewrite the snapshot from the suite's demo build before
    any backtest reads it (then the comparison passes and the recount checks the new values;
    review ``git diff tests/backtest/snapshot`` before committing)."""
    if request.config.getoption("--refresh-snapshot"):
        write_snapshot(request.getfixturevalue("built_demo_report"))
