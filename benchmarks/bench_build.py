"""Benchmark: the demo report build with warm kernels against today's method (issue #23, 1).

Run ``.venv/bin/python benchmarks/bench_build.py [--repeats N]``. A fresh copy of the project
(Makefile, config, notebooks, src, the demo data and its ingested store; ``.venv`` linked) is
made in a temporary folder and ingested before timing, so only the sections and the index are
timed. Each run is a fresh process (:mod:`harness`) running ``make report`` in the copy:

* ``cold_j2`` / ``warm_j2`` - the whole report from nothing (``reports/`` deleted before
  timing) with ``JOBS=2``: ``WARM=0`` (one cold ``csp build-section`` process per page, the
  baseline) and the default warm kernels; rounds alternate the two. After every full build
  the SHA-256 of each section page and table is appended to ``pages-<contender>.jsonl`` beside
  the copy; :func:`run` fails if the two methods wrote different bytes in any round;
* ``noop`` - ``make report`` again with nothing changed (target: under 2 s);
* ``touch_one`` - ``make report`` after touching ``notebooks/10_crime_overview.ipynb``; the
  row count is the number of section pages rebuilt (expected: 1).

Peak RSS is the largest single process (a notebook kernel, ``csp`` or ``make``), not the sum.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from harness import Runs, Target, interleaved, runs_table

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("Makefile", "pyproject.toml", "requirements.lock", "config", "notebooks", "src",
          "templates", "data/raw/demo", "data/raw/README.md")
TOUCHED = "10_crime_overview"
OUT = Path("reports") / "demo" / "2024-25"
FULL = ("cold_j2", "warm_j2")  # baseline first: today's method, then warm kernels
BOUND_S = 15.0  # issue #23, target 1: the whole demo assessment with -j2


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
    if contender in FULL:
        shutil.rmtree(copy / "reports", ignore_errors=True)
    if contender == "touch_one":
        (copy / "notebooks" / f"{TOUCHED}.ipynb").touch()
    pages = {p: p.stat().st_mtime_ns for p in (copy / OUT).glob("[0-9][0-9]_*.html")}
    return {"copy": copy, "warm": "0" if contender == "cold_j2" else "1", "pages": pages,
            "digests": copy.parent / f"pages-{contender}.jsonl" if contender in FULL else None}


def page_digests(out: Path) -> dict[str, str]:
    """SHA-256 of every section page and table of the report in ``out``, by relative path."""
    files = sorted([*out.glob("[0-9][0-9]_*.html"), *(out / "tables").glob("*.csv")])
    return {str(f.relative_to(out)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def make_report(context: dict[str, Any]) -> int:
    """``make report JOBS=2`` in the copy; returns the number of section pages written.

    A full build appends its pages' digests to its ``digests`` file (inside the timing, but
    hashing a few dozen files takes milliseconds).
    """
    _make(context["copy"], "report", "JOBS=2", f"WARM={context['warm']}")
    pages = sorted((context["copy"] / OUT).glob("[0-9][0-9]_*.html"))
    if context["digests"] is not None:
        with context["digests"].open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(page_digests(context["copy"] / OUT)) + "\n")
    return sum(context["pages"].get(p) != p.stat().st_mtime_ns for p in pages)


CONTENDERS = {"cold_j2": make_report, "warm_j2": make_report, "noop": make_report,
              "touch_one": make_report}


def check_identical(parent: Path) -> int:
    """Fail unless both methods wrote the same bytes in every round; returns the files compared."""
    cold, warm = ((parent / f"pages-{name}.jsonl").read_text(encoding="utf-8").splitlines()
                  for name in FULL)
    for round_number, (a, b) in enumerate(zip(cold, warm, strict=True), start=1):
        first, second = json.loads(a), json.loads(b)
        differ = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
        if differ:
            raise SystemExit(f"bench_build round {round_number}: warm and cold builds differ "
                             f"in {', '.join(differ)}")
    return len(json.loads(cold[-1]))


def run(repeats: int, parent: Path, checks: int = 1) -> dict[str, Runs]:
    """Full builds (cold then warm) ``repeats`` times, checked byte for byte, then the no-op
    and one-touch builds ``checks`` times (their targets are far from the measured times: one
    run settles them)."""
    options = {"copy": str(fresh_copy(parent))}
    runs = interleaved("bench_build", list(FULL), options, repeats)
    print(f"  bench_build: cold and warm pages identical ({check_identical(parent)} files)")
    runs |= interleaved("bench_build", ["noop", "touch_one"], options, checks, same_rows=False)
    return runs


def speedups(runs: dict[str, Runs]) -> list[float]:
    """Today's method / warm within each round: the two ran back to back, so load drifts
    cancel."""
    return [cold / warm for cold, warm in zip(runs["cold_j2"].seconds, runs["warm_j2"].seconds,
                                              strict=True)]


def targets(runs: dict[str, Runs]) -> list[Target]:
    """Target 1 of issue #23: the whole demo assessment with -j2, warm kernels."""
    ratio = statistics.median(speedups(runs))
    return [Target("demo assessment -j2", runs["warm_j2"].median, "s", BOUND_S,
                   f"today's method {runs['cold_j2'].median:.1f} s, ratio {ratio:.2f}")]


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of median times, pages rebuilt, peak RSS and the speed-up."""
    lines = runs_table(runs, "pages rebuilt")
    per_round = speedups(runs)
    lines += ["", f"today's method / warm = {statistics.median(per_round):.2f}, median of the "
              f"rounds ({', '.join(f'{r:.2f}' for r in per_round)}); pages identical; "
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
