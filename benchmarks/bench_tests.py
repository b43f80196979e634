"""Benchmark: the test suite's collection, and its whole run as ``make test`` last recorded it.

Run ``.venv/bin/python benchmarks/bench_tests.py [--repeats N]``. Contenders, each a fresh
``pytest --collect-only -q`` process timed whole (interpreter and plugins included):

* ``collect`` - as ``make test`` collects now: Python's bytecode caches on, so the package's
  modules and pytest's rewritten test modules are compiled once and read back after (one
  collection runs untimed first, as the analyst's previous ``make test`` would have);
* ``collect_uncached`` - today's method on a machine whose environment sets
  ``PYTHONDONTWRITEBYTECODE`` (as this one does): every collection compiles and rewrites all
  of it again (an empty ``PYTHONPYCACHEPREFIX`` hides the caches other runs wrote, which
  Python would otherwise still read).

The whole suite's wall time is not re-run here (it takes minutes): the suite's own session
hook (``tests/conftest.py``) writes ``benchmarks/results/tests.json`` at the end of every
full ``make test``, with the load average when it started, and :func:`targets` reports it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import Runs, Target, interleaved, runs_table

ROOT = Path(__file__).resolve().parents[1]
SUITE_RECORD = ROOT / "benchmarks" / "results" / "tests.json"
COLLECTION_BOUND_S = 10.0
SUITE_BOUND_S = 300.0


def _collect(uncached: bool) -> int:
    """One ``pytest --collect-only`` in the project; the number of tests it collected."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as empty_cache:
        if uncached:  # nothing written, and the caches earlier runs wrote are not found
            environment |= {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty_cache}
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT, env=environment, capture_output=True, text=True, check=False)
    found = re.search(r"(\d+) tests? collected", completed.stdout)
    if completed.returncode != 0 or found is None:
        raise SystemExit(f"collection failed:\n{completed.stdout[-3000:]}{completed.stderr}")
    return int(found.group(1))


def prepare(options: dict[str, Any]) -> dict[str, Any]:
    """Warm the bytecode caches for ``collect`` (an untimed collection first)."""
    if options["contender"] == "collect":
        _collect(uncached=False)
    return options


CONTENDERS = {"collect": lambda context: _collect(uncached=False),
              "collect_uncached": lambda context: _collect(uncached=True)}


def run(repeats: int) -> dict[str, Runs]:
    """Both collections, in turn, ``repeats`` times (they must collect the same tests)."""
    return interleaved("bench_tests", list(CONTENDERS), {}, repeats)


def suite_record() -> dict[str, Any] | None:
    """What the last full ``make test`` recorded, or None."""
    if not SUITE_RECORD.is_file():
        return None
    record: dict[str, Any] = json.loads(SUITE_RECORD.read_text(encoding="utf-8"))
    return record


def targets(runs: dict[str, Runs]) -> list[Target]:
    """Collection under 10 s (against the uncached collection of the same run) and the whole
    suite under 5 minutes (as last recorded; not met when no run was recorded)."""
    collect, uncached = runs["collect"].median, runs["collect_uncached"].median
    found = [Target("test collection (whole pytest process)", collect, "s", COLLECTION_BOUND_S,
                    f"without bytecode caches {uncached:.1f} s, ratio "
                    f"{uncached / collect:.2f}; {max(runs['collect'].rows)} tests")]
    record = suite_record()
    if record is None:
        found.append(Target("whole test suite (make test)", float("nan"), "s", SUITE_BOUND_S,
                            "no full make test recorded on this machine yet"))
    else:
        found.append(Target("whole test suite (make test)", record["seconds"], "s",
                            SUITE_BOUND_S,
                            f"last full run {record['finished']}, {record['tests']} tests, "
                            f"{record['workers']} worker(s), load {record['load_average']} "
                            "at its start (not re-run side by side: see the docs)"))
    return found


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of the two collections."""
    lines = runs_table(runs, "tests")
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    runs = run(parser.parse_args().repeats)
    print(report(runs))
    print("\n".join(t.row() for t in targets(runs)))


if __name__ == "__main__":
    main()
