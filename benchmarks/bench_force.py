"""Benchmark: the Essex force batch, 14 CSPs from one ingest, warm kernels against today's method.

Run ``.venv/bin/python benchmarks/bench_force.py [--repeats N] [--subset K]``. A copy of the
project's build inputs is made in a temporary folder with the config's ``../shared`` paths made
absolute (as ``tests/conftest.py``'s ``real_project``), and the Essex store is ingested from
``../shared/data/real`` once, untimed. Each run is a fresh process (:mod:`harness`) that deletes
``reports/`` and builds what ``csp build --force essex --jobs 2`` builds after its ingest: every
section of the areas, each area's index, then the force overview (``build_areas`` and
``write_force_overview``, the functions that command calls):

* ``cold_subset`` / ``warm_subset`` - the first ``--subset`` CSPs (default 2) with
  ``CSP_WARM_KERNELS=0`` (today's method: a cold kernel per section) and with warm kernels,
  alternating, ``--repeats`` rounds: their ratio is the speed-up at equal work;
* ``warm_force`` - all 14 CSPs with warm kernels, once (``--force-rounds``): the figure the
  target bounds. Today's method on all 14 takes about 6.5 minutes, too long for ``make bench``;
  the subset ratio stands for it.

The row count is the number of section pages written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from harness import Runs, Target, interleaved, runs_table

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
COPIED = ("config", "notebooks")
FORCE = "essex"
BOUND_S = 120.0  # issue #23, target 2: the 14 Essex CSPs on two cores
JOBS = 2
CSPS = 14  # Essex's partnerships (tests/integration/test_real_force_batch.py)


def fresh_copy(parent: Path) -> Path:
    """Config (``../shared`` made absolute) and notebooks under ``parent``; the store ingested."""
    from analysis.core.config import load_force
    from analysis.inputs.areas import force_csps
    from analysis.store.area import ingest_area

    copy = parent / "project"
    shutil.copytree(ROOT / "notebooks", copy / "notebooks")
    for path in (ROOT / "config").rglob("*.yaml"):
        target = copy / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8").replace("../shared/", f"{SHARED}/"),
                          encoding="utf-8")
    ingest_area(next(iter(force_csps(load_force(FORCE, copy), copy).values())), copy)
    return copy


def prepare(options: dict[str, Any]) -> dict[str, Any]:
    """No reports; the kernels' method set for the contender; the areas it builds."""
    from analysis.core.config import load_force
    from analysis.inputs.areas import force_csps

    copy = Path(options["copy"])
    shutil.rmtree(copy / "reports", ignore_errors=True)
    os.environ["CSP_PROJECT_ROOT"] = str(copy)
    os.environ["CSP_WARM_KERNELS"] = "0" if options["contender"].startswith("cold") else "1"
    areas = list(force_csps(load_force(FORCE, copy), copy))
    if options["contender"] != "warm_force":
        areas = areas[:options["subset"]]
    return {"copy": copy, "areas": areas}


def build_force(context: dict[str, Any]) -> int:
    """The batch of ``csp build --force essex --jobs 2`` after its ingest; pages written."""
    from analysis.core.config import load_force
    from analysis.core.files import canonical_period, report_dir
    from analysis.publish.build import build_areas
    from analysis.publish.force_overview import write_force_overview

    copy, areas = context["copy"], context["areas"]
    template = load_force(FORCE, copy)
    period = canonical_period(template.default_period)
    build_areas(areas, period, jobs=JOBS, root=copy)
    write_force_overview(template, areas, period, copy)
    return sum(len(list(report_dir(area, period, copy).glob("[0-9][0-9]_*.html")))
               for area in areas)


CONTENDERS = {"cold_subset": build_force, "warm_subset": build_force, "warm_force": build_force}


def run(repeats: int, parent: Path, subset: int = 2, force_rounds: int = 1) -> dict[str, Runs]:
    """The subset ``repeats`` times (cold then warm), then the whole force ``force_rounds``."""
    options = {"copy": str(fresh_copy(parent)), "subset": subset}
    runs = interleaved("bench_force", ["cold_subset", "warm_subset"], options, repeats)
    runs |= interleaved("bench_force", ["warm_force"], options, force_rounds)
    return runs


def speedups(runs: dict[str, Runs]) -> list[float]:
    """Today's method / warm on the subset within each round."""
    return [cold / warm for cold, warm in zip(runs["cold_subset"].seconds,
                                              runs["warm_subset"].seconds, strict=True)]


def targets(runs: dict[str, Runs], subset: int = 2) -> list[Target]:
    """Target 2 of issue #23: the 14 Essex CSPs from one ingest on two cores."""
    ratio = statistics.median(speedups(runs))
    return [Target("Essex force batch, 14 CSPs, -j2", runs["warm_force"].median, "s", BOUND_S,
                   f"today's method on {subset} CSPs {runs['cold_subset'].median:.1f} s vs "
                   f"warm {runs['warm_subset'].median:.1f} s, ratio {ratio:.2f} (all 14 "
                   f"today: ~6.5 min, not rerun)")]


def report(runs: dict[str, Runs]) -> str:
    """A Markdown table of median times, pages, peak RSS and the subset speed-up."""
    lines = runs_table(runs, "pages", digits=1)
    per_round = speedups(runs)
    lines += ["", f"today's method / warm on the subset = {statistics.median(per_round):.2f}, "
              f"median of the rounds ({', '.join(f'{r:.2f}' for r in per_round)}); per CSP "
              f"warm: {runs['warm_force'].median / CSPS:.1f} s"]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table and the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="subset rounds (default 3)")
    parser.add_argument("--subset", type=int, default=2, help="CSPs in the subset (default 2)")
    parser.add_argument("--force-rounds", type=int, default=1,
                        help="runs of the whole force (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as parent:
        runs = run(args.repeats, Path(parent), args.subset, args.force_rounds)
    print(report(runs))
    for target in targets(runs, args.subset):
        print(target.row())


if __name__ == "__main__":
    main()
