"""Scale on paper (issue #23, target 5): a force, a region, England and Wales on 2, 16, 64 cores.

Run ``.venv/bin/python benchmarks/scale.py`` after ``make bench`` (or after ``bench_force.py``
and ``bench_national.py`` saved their results). The model uses only figures measured on this
machine, read from ``benchmarks/results/*.json``:

* ingest: the national run's seconds per row at the full size (ingest plus the all-CSP table,
  two cores), times the rows of the areas (the national rows shared out per CSP), divided by
  cores / 2 up to 16 cores - DuckDB's scan is parallel, but one node's disk caps it (an
  assumption); it runs on one node;
* build: the warm force batch's core-seconds per CSP (median seconds of the 14 Essex CSPs x
  2 workers / 14), spread over the cores, but never under one area's critical path (its
  sections, then ``99_key_findings``, then the index; taken as three mean section times, an
  assumption: the sections are independent units, see ``csp units``);
* memory: workers x the largest process of the warm batch (a kernel or its worker) plus the
  national ingest's peak (an upper bound for a smaller ingest); a machine is assumed to have
  4 GiB per core.

CSP counts come from the ONS LAD -> CSP -> PFA lookup and the LAD -> region lookup in
``../shared/data/real/lookups`` (Essex, the East of England region, all CSPs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
LOOKUPS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real" / "lookups"
LAD_CSP = LOOKUPS / "macoj_crime-city" / "lad_to_csp.csv"
LAD_REGION = LOOKUPS / "drkane_geo-lookups" / "la_all_codes.csv"
REGION = ("E12000006", "East of England")
CORES = (2, 16, 64)
MEASURED_CORES = 2
GIB_PER_CORE = 4  # assumed machine memory per core
INGEST_MAX_CORES = 16  # assumed: one node's CSV scan stops scaling on disk bandwidth here
CRITICAL_SECTIONS = 3  # one area's last section, the summary and the index, in section times


@dataclass(frozen=True)
class Costs:
    """The measured unit costs the model scales."""

    seconds_per_row: float  # national ingest + all-CSP table, on MEASURED_CORES
    rows_per_csp: float
    csp_core_seconds: float  # warm build of one CSP, all sections, one core
    section_seconds: float  # mean warm section, one core
    worker_peak_mib: float
    ingest_peak_mib: float


def _load(name: str) -> dict[str, Any]:
    """``results/<name>.json``; a clear error when that benchmark has not been run."""
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        raise SystemExit(f"scale: {path} missing; run benchmarks/bench_{name}.py or make bench")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def csp_counts() -> dict[str, int]:
    """CSPs in Essex, in the East of England and in England and Wales, from the ONS lookups."""
    import pandas as pd

    from analysis.core.config import load_force
    from analysis.inputs.geography import load_lad_csp

    for path in (LAD_CSP, LAD_REGION):
        if not path.is_file():
            raise SystemExit(f"scale: {path} missing (the real ONS lookups in ../shared)")
    essex = load_force("essex", Path(__file__).resolve().parents[1]).force.code
    lookup = load_lad_csp(LAD_CSP)
    regions = pd.read_csv(LAD_REGION, dtype=str)
    in_region = set(regions.loc[regions["RGNCD"] == REGION[0], "LADCD"])
    return {"force (Essex)": lookup.loc[lookup["pfa_code"] == essex, "csp_code"].nunique(),
            f"region ({REGION[1]})": lookup.loc[lookup["lad_code"].isin(in_region),
                                                "csp_code"].nunique(),
            "England and Wales": lookup["csp_code"].nunique()}


def measured_costs(national_csps: int) -> Costs:
    """The unit costs from the saved national and force results."""
    full = max(_load("national")["sizes"], key=lambda size: size["rows"])
    force = _load("force")["runs"]["warm_force"]
    csps = 14
    sections_per_csp = max(force["rows"]) / csps
    core_seconds = force["median_s"] * MEASURED_CORES / csps
    return Costs(seconds_per_row=full["national"]["median_s"] / full["rows"],
                 rows_per_csp=full["rows"] / national_csps, csp_core_seconds=core_seconds,
                 section_seconds=core_seconds / sections_per_csp,
                 worker_peak_mib=force["peak_rss_mib"],
                 ingest_peak_mib=full["national"]["peak_rss_mib"])


def estimate(costs: Costs, csps: int, cores: int) -> dict[str, float]:
    """Ingest, build and total seconds and the memory (GiB) for ``csps`` on ``cores``."""
    ingest = (costs.seconds_per_row * costs.rows_per_csp * csps * MEASURED_CORES
              / min(cores, INGEST_MAX_CORES))
    build = max(csps * costs.csp_core_seconds / cores,
                CRITICAL_SECTIONS * costs.section_seconds)
    memory = (cores * costs.worker_peak_mib + costs.ingest_peak_mib) / 1024
    return {"ingest_s": ingest, "build_s": build, "total_s": ingest + build,
            "memory_gib": memory}


def table() -> str:
    """The Markdown table and the reading of where one machine stops being enough."""
    counts = csp_counts()
    costs = measured_costs(counts["England and Wales"])
    lines = ["| scope | CSPs | cores | ingest s | build s | total | memory GiB | "
             "fits 4 GiB/core |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for scope, csps in counts.items():
        for cores in CORES:
            e = estimate(costs, csps, cores)
            fits = "yes" if e["memory_gib"] <= cores * GIB_PER_CORE else "no"
            lines.append(f"| {scope} | {csps} | {cores} | {e['ingest_s']:.0f} | "
                         f"{e['build_s']:.0f} | {e['total_s'] / 60:.1f} min | "
                         f"{e['memory_gib']:.1f} | {fits} |")
    national = counts["England and Wales"]
    everything = estimate(costs, national, CORES[-1])
    ingest_bound = [c for c in CORES if (e := estimate(costs, national, c))["ingest_s"]
                    > e["build_s"]]
    too_big = [f"{scope} on {c}" for scope, csps in counts.items() for c in CORES
               if estimate(costs, csps, c)["memory_gib"] > c * GIB_PER_CORE]
    lines += ["", f"Measured unit costs: {costs.seconds_per_row * 1e6:.2f} s per million rows "
              f"(ingest + table, {MEASURED_CORES} cores), {costs.csp_core_seconds:.0f} "
              f"core-seconds per CSP (warm, all sections), {costs.worker_peak_mib:.0f} MiB per "
              f"worker, {costs.ingest_peak_mib:.0f} MiB ingest peak.",
              "", f"At {CORES[-1]} cores England and Wales takes "
              f"{everything['total_s'] / 60:.1f} min, of which the one-node ingest is "
              f"{everything['ingest_s'] / everything['total_s']:.0%}. "
              + (f"From {ingest_bound[0]} cores the ingest takes longer than the build: "
                 "it runs on one node, so past that point more nodes shorten only the build. "
                 if ingest_bound else "The build dominates at every core count here. ")
              + f"The build is {national} CSPs x sections of independent units "
              "(csp units), which a scheduler spreads over any number of nodes. Memory: "
              + (f"over {GIB_PER_CORE} GiB per core for {', '.join(too_big)} cores."
                 if too_big else f"within {GIB_PER_CORE} GiB per core everywhere (it grows "
                 "with workers, not areas), so memory never forces a second machine.")]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
