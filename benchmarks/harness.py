"""Run one benchmark contender in a fresh process: its time and its peak memory.

Every benchmark module in this folder exposes ``prepare(options) -> context`` (untimed set-up)
and ``CONTENDERS``: name -> callable(context) returning a row count. :func:`measure` runs
``python benchmarks/harness.py <module> <contender> <options-json>`` as a subprocess, which
imports the module, prepares, times the contender alone and prints one JSON line:
``seconds`` (wall clock of the contender only, imports and set-up excluded), ``rows`` and
``peak_rss_mib`` (the largest resident set of the process, VmHWM, or of any process it
waited for, e.g. a notebook kernel or ``make``'s children: ``ru_maxrss`` of
RUSAGE_CHILDREN). A fresh process per run keeps one contender's memory out of the next one's
figure; the Python interpreter and imported libraries (about 150-250 MiB) are included.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Runs:
    """Every run of one contender: seconds, rows and peak RSS (MiB) per run."""

    seconds: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    peak_rss_mib: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median seconds."""
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        """Largest peak RSS over the runs, MiB."""
        return max(self.peak_rss_mib)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the runs and their median and peak."""
        return {"median_s": round(self.median, 3), "peak_rss_mib": round(self.peak, 1),
                "seconds": [round(s, 3) for s in self.seconds], "rows": self.rows,
                "peak_rss_runs_mib": [round(m, 1) for m in self.peak_rss_mib]}


@dataclass(frozen=True)
class Target:
    """One target of the speed issue as measured: the figure, its bound and whether it is met.

    Every target is an upper bound (a time, a ratio to a baseline, a peak memory), so ``met``
    is ``value <= bound``. ``baseline`` says what the figure was compared with in the same run
    (today's method, a DuckDB scan, ...), so the printed line carries its own context.
    """

    name: str
    value: float
    unit: str
    bound: float
    baseline: str

    @property
    def met(self) -> bool:
        """Whether the measured figure is within its bound."""
        return self.value <= self.bound

    def row(self) -> str:
        """One Markdown table row: target, measured, bound, met or not met, baseline."""
        verdict = "**met**" if self.met else "**not met**"
        return (f"| {self.name} | {self.value:,.2f} {self.unit} | <= {self.bound:,.2f} "
                f"{self.unit} | {verdict} | {self.baseline} |")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the verdict."""
        return {"name": self.name, "value": round(self.value, 3), "unit": self.unit,
                "bound": self.bound, "met": self.met, "baseline": self.baseline}


TARGET_HEADER = ("| target | measured | bound | verdict | baseline, same run |\n"
                 "|---|---:|---:|---|---|")


def runs_table(runs: Mapping[str, Runs], rows_label: str, digits: int = 2) -> list[str]:
    """The Markdown table every benchmark prints: one line per contender.

    Columns: median seconds, every run's seconds, the largest row count over the runs (under
    ``rows_label``: pages, tests, ...) and the peak RSS. ``digits`` is the seconds' precision.
    Returned as lines, so a benchmark can append its own summary below.
    """
    lines = [f"| contender | median s | runs (s) | {rows_label} | peak RSS MiB |",
             "|---|---:|---|---:|---:|"]
    for name, r in runs.items():
        times = ", ".join(f"{t:.{digits}f}" for t in r.seconds)
        lines.append(f"| {name} | {r.median:.{digits}f} | {times} | {max(r.rows)} | "
                     f"{r.peak:.0f} |")
    return lines


def measure(module: str, contender: str, options: dict[str, Any]) -> tuple[float, int, float]:
    """Run one contender once in a fresh process: (seconds, rows, peak RSS MiB).

    ``prepare`` receives ``options`` with ``contender`` added, so set-up can depend on it.
    """
    payload = json.dumps({**options, "contender": contender})
    completed = subprocess.run(
        [sys.executable, str(HERE / "harness.py"), module, contender, payload],
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{module}.{contender} failed:\n{completed.stderr[-4000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return result["seconds"], result["rows"], result["peak_rss_mib"]


def interleaved(module: str, contenders: Sequence[str], options: dict[str, Any], repeats: int,
                same_rows: bool = True, log: Callable[[str], None] = print) -> dict[str, Runs]:
    """Run every contender ``repeats`` times, in turn within each round (so background load on
    the machine hits them all alike); optionally require they all report the same rows."""
    runs = {name: Runs() for name in contenders}
    for round_number in range(1, repeats + 1):
        rows = set()
        for name in contenders:
            seconds, count, rss = measure(module, name, options)
            runs[name].seconds.append(seconds)
            runs[name].rows.append(count)
            runs[name].peak_rss_mib.append(rss)
            rows.add(count)
            log(f"  {module} round {round_number}/{repeats} {name}: {seconds:.2f} s, "
                f"{count:,} rows, {rss:.0f} MiB")
        if same_rows and len(rows) != 1:
            raise SystemExit(f"{module}: contenders disagree on the row count: {sorted(rows)}")
    return runs


def months_command(doc: str, run: Callable[[int, Path], dict[str, Runs]],
                   report: Callable[[dict[str, Runs]], str], data: Path) -> None:
    """The command line of a benchmark over a folder of YYYY-MM month folders (``--repeats``,
    ``--data``, default ``data``): run it and print its report."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds to run (default 3)")
    parser.add_argument("--data", type=Path, default=data, help="folder of YYYY-MM folders")
    args = parser.parse_args()
    print(report(run(args.repeats, args.data)))


def _own_peak_kib() -> int:
    """This process's peak resident set (VmHWM), KiB.

    Not RUSAGE_SELF: Linux carries ``ru_maxrss`` over ``exec``, so a process started by a big
    parent would report the parent's peak.
    """
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _child(module_name: str, contender: str, options_json: str) -> None:
    """The subprocess side: prepare, time the contender, print the JSON line."""
    module = importlib.import_module(module_name)
    context = module.prepare(json.loads(options_json))
    started = time.perf_counter()
    rows = module.CONTENDERS[contender](context)
    seconds = time.perf_counter() - started
    peak_kib = max(_own_peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"seconds": seconds, "rows": int(rows), "peak_rss_mib": peak_kib / 1024}))


if __name__ == "__main__":
    _child(*sys.argv[1:4])
