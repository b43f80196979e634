"""Run every benchmark (``make bench``), write ``benchmarks/results/*.json``, print the tables.

Each benchmark runs the project's code and its baseline side by side in the same run, each run
in a fresh process, and reports medians, ratios and peak RSS (see :mod:`harness`). The run
ends with one table of every issue #23 target (measured, bound, met or not met, the baseline
of the same run), saved to ``results/targets.json``, and the scale table (:mod:`scale`).
``run_all.py --markdown`` prints those two from the saved results without running anything,
to paste into ``docs/benchmarks.md``. The national archive (6 GB of CSV) is generated in a
temporary folder and deleted afterwards. Method and results: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import bench_build
import bench_force
import bench_hotspots
import bench_increment
import bench_ingest
import bench_national
import bench_tests
import scale
from harness import TARGET_HEADER, Target
from national import generate

RESULTS = Path(__file__).resolve().parent / "results"
NATIONAL_SIZES = (bench_national.FULL_SIZE,)
"""Only the size the targets are set on; the smaller ones: ``bench_national.py --sizes``."""
FORCE_SUBSET = 1
"""CSPs built by today's method and by warm kernels side by side (three rounds); all 14 are
then built warm once. Today's method on all 14 takes about 10 minutes: beyond the budget."""
PACKAGES = ("duckdb", "pandas", "pyarrow", "numpy", "scipy", "shapely", "papermill")


def machine() -> dict[str, Any]:
    """CPUs, memory, load, Python and package versions at the start of the run."""
    with open("/proc/meminfo", encoding="utf-8") as handle:
        total_kib = int(handle.readline().split()[1])
    return {"cpus": os.cpu_count(), "memory_gib": round(total_kib / 2**20, 1),
            "load_average": os.getloadavg(), "python": platform.python_version(),
            "packages": {name: metadata.version(name) for name in PACKAGES}}


def save(name: str, payload: dict[str, Any]) -> None:
    """Write ``results/<name>.json``."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str) + "\n",
                                          encoding="utf-8")


def save_targets(targets: list[Target], host: dict[str, Any]) -> None:
    """Write ``results/targets.json``: every target with its verdict."""
    save("targets", {"machine": host, "targets": [t.as_dict() for t in targets]})


def targets_table() -> str:
    """TARGET_HEADER and one row per target, from ``results/targets.json``."""
    saved = json.loads((RESULTS / "targets.json").read_text(encoding="utf-8"))["targets"]
    rows = [Target(t["name"], t["value"], t["unit"], t["bound"], t["baseline"]).row()
            for t in saved]
    return "\n".join([TARGET_HEADER, *rows])


def markdown() -> str:
    """The targets and scale tables from the saved results, for docs/benchmarks.md."""
    return f"## Targets (issue #23)\n\n{targets_table()}\n\n## Scale\n\n{scale.table()}"


def main() -> None:
    """Run the benchmarks in turn, print each table, then the targets and the scale table.

    Rounds are set to keep the whole run under 15 minutes on 2 cores: three for the ingest,
    hotspots, the build (today's method against warm kernels: the ratio needs a median) and the
    force subset; one for the no-op and one-touch builds, the whole force and the national size.
    """
    started = time.perf_counter()
    host = machine()
    print(f"machine: {host}")
    stages = {}  # minutes each benchmark took, printed at the end
    clock = time.perf_counter()
    ingest = bench_ingest.run(repeats=3)
    stages["ingest"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("ingest", {"machine": host, "runs": {k: r.as_dict() for k, r in ingest.items()},
                    "ratios": bench_ingest.ratios(ingest),
                    "targets": [t.as_dict() for t in bench_ingest.targets(ingest)]})
    increment = bench_increment.run(repeats=3)
    stages["increment"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("increment", {"machine": host, "runs": {k: r.as_dict() for k, r in increment.items()},
                       "targets": [t.as_dict() for t in bench_increment.targets(increment)]})
    hotspots = bench_hotspots.run(repeats=3)
    stages["hotspots"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("hotspots", {"machine": host, "runs": {k: r.as_dict() for k, r in hotspots.items()}})
    with tempfile.TemporaryDirectory() as parent:
        build = bench_build.run(repeats=3, parent=Path(parent))
    stages["build"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("build", {"machine": host, "runs": {k: r.as_dict() for k, r in build.items()},
                   "speedups": bench_build.speedups(build)})
    with tempfile.TemporaryDirectory() as parent:
        force = bench_force.run(repeats=3, parent=Path(parent), subset=FORCE_SUBSET)
    stages["force"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("force", {"machine": host, "runs": {k: r.as_dict() for k, r in force.items()},
                   "speedups": bench_force.speedups(force)})
    with tempfile.TemporaryDirectory() as parent:
        archive = generate(Path(parent) / "national")
        print(f"  national archive: {archive.rows:,} rows in {archive.seconds:.0f} s")
        national = bench_national.run(archive.folder, NATIONAL_SIZES, repeats=1)
    stages["national"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("national", {"machine": host, "generated_rows": archive.rows,
                      "generation_s": archive.seconds, "sizes": national,
                      "targets": [t.as_dict() for t in bench_national.targets(national)]})
    tests = bench_tests.run(repeats=3)
    stages["tests"] = (time.perf_counter() - clock) / 60
    save("tests_collection", {"machine": host, "runs": {k: r.as_dict() for k, r in tests.items()}})
    print("\n## Ingest (28 real Essex months)\n" + bench_ingest.report(ingest))
    print("\n## Adding a month to a store\n" + bench_increment.report(increment))
    print("\n## Hotspots (Essex 2022)\n" + bench_hotspots.report(hotspots))
    print("\n## Report build (demo)\n" + bench_build.report(build))
    print("\n## Force batch (Essex)\n" + bench_force.report(force))
    print("\n## National scale\n" + bench_national.report(national))
    print("\n## Test collection\n" + bench_tests.report(tests))
    targets = [*bench_build.targets(build), *bench_force.targets(force, FORCE_SUBSET),
               *bench_ingest.targets(ingest), *bench_increment.targets(increment),
               *bench_national.targets(national),
               *bench_tests.targets(tests)]
    save_targets(targets, host)
    print("\n" + markdown())
    each = ", ".join(f"{name} {minutes:.1f}" for name, minutes in stages.items())
    print(f"\nall benchmarks: {(time.perf_counter() - started) / 60:.1f} minutes ({each}); "
          f"results in {RESULTS}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true",
                        help="print the targets and scale tables from the saved results only")
    if parser.parse_args().markdown:
        print(markdown())
    else:
        main()
