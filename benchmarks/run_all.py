"""Run every benchmark (``make bench``), write ``benchmarks/results/*.json``, print the tables.

Each benchmark runs the project's code and its baseline side by side in the same run, each run
in a fresh process, and reports medians, ratios and peak RSS (see :mod:`harness`). 13-15
minutes on 2 cores; the national archive (6 GB of CSV) is generated in a temporary folder and
deleted afterwards. Method and results: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import bench_build
import bench_hotspots
import bench_ingest
import bench_national
from national import generate

RESULTS = Path(__file__).resolve().parent / "results"
NATIONAL_SIZES = (bench_national.FULL_SIZE,)
"""Only the size the targets are set on; the smaller ones: ``bench_national.py --sizes``."""
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


def main() -> None:
    """Run the four benchmarks in turn and print each table.

    Rounds are set to keep the whole run under 15 minutes on 2 cores: three for the ingest,
    hotspots and the parallel build (whose ratio is the one that needs a median), one for the
    no-op and one-touch builds and for each national size (``bench_national.py --repeats``
    repeats the smaller sizes when run alone).
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
    hotspots = bench_hotspots.run(repeats=3)
    stages["hotspots"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("hotspots", {"machine": host, "runs": {k: r.as_dict() for k, r in hotspots.items()}})
    with tempfile.TemporaryDirectory() as parent:
        build = bench_build.run(repeats=3, parent=Path(parent))
    stages["build"], clock = (time.perf_counter() - clock) / 60, time.perf_counter()
    save("build", {"machine": host, "runs": {k: r.as_dict() for k, r in build.items()},
                   "speedups": bench_build.speedups(build)})
    with tempfile.TemporaryDirectory() as parent:
        archive = generate(Path(parent) / "national")
        print(f"  national archive: {archive.rows:,} rows in {archive.seconds:.0f} s")
        national = bench_national.run(archive.folder, NATIONAL_SIZES, repeats=1)
    stages["national"] = (time.perf_counter() - clock) / 60
    save("national", {"machine": host, "generated_rows": archive.rows,
                      "generation_s": archive.seconds, "sizes": national,
                      "targets": [t.as_dict() for t in bench_national.targets(national)]})
    print("\n## Ingest (28 real Essex months)\n" + bench_ingest.report(ingest))
    print("\n## Hotspots (Essex 2022)\n" + bench_hotspots.report(hotspots))
    print("\n## Report build (demo)\n" + bench_build.report(build))
    print("\n## National scale\n" + bench_national.report(national))
    each = ", ".join(f"{name} {minutes:.1f}" for name, minutes in stages.items())
    print(f"\nall benchmarks: {(time.perf_counter() - started) / 60:.1f} minutes ({each}); "
          f"results in {RESULTS}")


if __name__ == "__main__":
    main()
