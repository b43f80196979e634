"""Benchmark: the demo report build, in parallel (``make -j2``) against sequential (``-j1``).

Run ``.venv/bin/python benchmarks/bench_build.py [--repeats N]``. A fresh copy of the project
(Makefile, config, notebooks, src, the demo data and its ingested store; ``.venv`` linked) is
made in a temporary folder and ingested before timing, so only the sections and the index are
timed. Each run is a fresh process (:mod:`harness`) running ``make report`` in the copy:

* ``make_j1`` / ``make_j2`` - the whole report from nothing (``reports/`` deleted before
  timing) with ``JOBS=1`` and ``JOBS=2``; rounds alternate the two;
* ``noop`` - ``make report`` again with nothing changed (target: under 2 s);
* ``touch_one`` - ``make report`` after touching ``notebooks/10_crime_overview.ipynb``; the
  row count is the number of section pages rebuilt (expected: 1).

Peak RSS is the largest single process (a notebook kernel, ``csp`` or ``make``), not the sum.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from harness import Runs, interleaved

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("Makefile", "pyproject.toml", "requirements.lock", "config", "notebooks", "src",
          "templates", "data/raw/demo", "data/raw/README.md")
TOUCHED = "10_crime_overview"
OUT = Path("reports") / "demo" / "2024-25"


def fresh_copy(parent: Path) -> Path:
    """Copy the project's build inputs under ``parent`` (times kept), link .venv, ingest."""
    copy = parent / "project"
    for name in COPIED:
        source = ROOT / name
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, target)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    _make(copy, "ingest")
    return copy


def _make(copy: Path, *targets: str) -> None:
    """Run make in the copy; fail with its output if it fails."""
    completed = subprocess.run(["make", "--no-print-directory", *targets], cwd=copy,
                               capture_output=True, text=True, check=False,
                               env={**os.environ, "CSP_PROJECT_ROOT": str(copy)})
    if completed.returncode != 0:
        raise SystemExit(f"make {' '.join(targets)} failed in {copy}:\n"
                         f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")


def prepare(options: dict[str, Any]) -> dict[str, Any]:
    """Ready the copy for the contender: no report for a full build, a touch for touch_one."""
    copy = Path(options["copy"])
    contender = options["contender"]
    if contender.startswith("make_j"):
        shutil.rmtree(copy / "reports", ignore_errors=True)
    if contender == "touch_one":
        (copy / "notebooks" / f"{TOUCHED}.ipynb").touch()
    pages = {p: p.stat().st_mtime_ns for p in (copy / OUT).glob("[0-9][0-9]_*.html")}
    return {"copy": copy, "jobs": "1" if contender == "make_j1" else "2", "pages": pages}


def make_report(context: dict[str, Any]) -> int:
    """``make report`` in the copy; returns the number of section pages written."""
    _make(context["copy"], "report", f"JOBS={context['jobs']}")
    pages = sorted((context["copy"] / OUT).glob("[0-9][0-9]_*.html"))
    return sum(context["pages"].get(p) != p.stat().st_mtime_ns for p in pages)


CONTENDERS = {"make_j1": make_report, "make_j2": make_report, "noop": make_report,
              "touch_one": make_report}


def run(repeats: int, parent: Path, checks: int = 1) -> dict[str, Runs]:
    """Full builds (j1 and j2 in turn) ``repeats`` times, then the no-op and one-touch builds
    ``checks`` times (their targets are far from the measured times: one run settles them)."""
    options = {"copy": str(fresh_copy(parent))}
    runs = interleaved("bench_build", ["make_j1", "make_j2"], options, repeats)
    runs |= interleaved("bench_build", ["noop", "touch_one"], options, checks, same_rows=False)
    return runs


def speedups(runs: dict[str, Runs]) -> list[float]:
    """-j1 / -j2 within each round: the two ran back to back, so load drifts cancel."""
    return [j1 / j2 for j1, j2 in zip(runs["make_j1"].seconds, runs["make_j2"].seconds,
                                      strict=True)]


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of median times, pages rebuilt, peak RSS and the speed-up."""
    lines = ["| contender | median s | runs (s) | pages rebuilt | peak RSS MiB |",
             "|---|---:|---|---:|---:|"]
    for name, r in runs.items():
        times = ", ".join(f"{t:.2f}" for t in r.seconds)
        lines.append(f"| {name} | {r.median:.2f} | {times} | {max(r.rows)} | {r.peak:.0f} |")
    per_round = speedups(runs)
    lines += ["", f"-j1 / -j2 = {statistics.median(per_round):.2f}, median of the rounds "
              f"({', '.join(f'{r:.2f}' for r in per_round)}; target >= 1.7); "
              f"no-op {runs['noop'].median:.2f} s "
              f"(target < 2); touching {TOUCHED} rebuilt {max(runs['touch_one'].rows)} page(s)"]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as parent:
        print(report(run(args.repeats, Path(parent))))


if __name__ == "__main__":
    main()
