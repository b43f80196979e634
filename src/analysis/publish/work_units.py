"""The build as a graph of work units, for a cluster scheduler to run unchanged.

One unit is one ``csp`` command: an ingest of a store, one (area, section) page, an area's
index, or a force's overview. Each unit names the units it must wait for, mirroring what
:func:`analysis.publish.build.build_areas` and ``csp build --force`` do in one process:

* every section of an area after the ingest of the area's store (one store for a force);
* the executive summary (``99_key_findings``) after the area's other sections, since it reads
  their key figures (``_Batch`` in :mod:`analysis.publish.build`);
* the area's index after all of the area's sections;
* the force overview after every area's index. ``csp build --force`` writes it even when an
  area failed, so a scheduler should run it whatever its dependencies' outcome (Airflow's
  ``all_done``, Snakemake's ``--keep-going``).

The graph is printed by ``csp units`` as JSON, TSV or a make file, so Slurm arrays, Snakemake,
Airflow or Dask can run the same commands the batch runs, each on any node that sees the
project folder and the store.
"""

from __future__ import annotations

import graphlib
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from analysis.core.files import SUMMARY_SECTION

UnitFormat = Literal["json", "make", "tsv"]
PROGRAM = "csp"


@dataclass(frozen=True)
class WorkUnit:
    """One step of the build: its id, the command that runs it, what it reads, what it awaits.

    ``inputs`` are the files (relative to the project) the step reads besides the outputs of
    the units in ``after``; a scheduler that tracks files can use them for staleness.
    """

    id: str
    command: tuple[str, ...]
    inputs: tuple[str, ...]
    after: tuple[str, ...]


def ingest_unit(store: str, area: str, config_file: str) -> WorkUnit:
    """The ingest of ``store`` through ``area``'s config (any area using that store), which
    is read from ``config_file``."""
    return WorkUnit(f"ingest/{store}", (PROGRAM, "ingest", "--area", area), (config_file,), ())


def area_units(area: str, period: str, sections: Sequence[str], ingest: str) -> list[WorkUnit]:
    """An area's section pages, then its index; the summary waits for the other sections."""
    others = [s for s in sections if s != SUMMARY_SECTION]
    units = []
    for section in sections:
        waits = [ingest] + ([f"{area}/{s}" for s in others] if section == SUMMARY_SECTION
                            else [])
        units.append(WorkUnit(
            f"{area}/{section}",
            (PROGRAM, "build-section", "--area", area, "--period", period, section),
            (f"notebooks/{section}.ipynb",), tuple(waits)))
    units.append(WorkUnit(f"{area}/index",
                          (PROGRAM, "build-index", "--area", area, "--period", period),
                          (), tuple(f"{area}/{s}" for s in sections)))
    return units


def build_units(areas: Mapping[str, str], store: str, config_file: str,
                sections: Sequence[str], force: tuple[str, str] | None = None) -> list[WorkUnit]:
    """Every unit of a build of ``areas`` (area -> period) sharing one ``store``, configured
    in ``config_file`` (the area's, or the force's).

    ``force`` (slug, period) adds the force overview after every area's index.
    """
    ingest = ingest_unit(store, next(iter(areas)), config_file)
    units = [ingest]
    for area, period in areas.items():
        units += area_units(area, period, sections, ingest.id)
    if force is not None:
        slug, period = force
        units.append(WorkUnit(f"{slug}/overview",
                              (PROGRAM, "build-overview", "--force", slug, "--period", period),
                              (f"config/forces/{slug}.yaml",),
                              tuple(f"{area}/index" for area in areas)))
    return units


def topological_order(units: Sequence[WorkUnit]) -> list[WorkUnit]:
    """The units in an order that runs every unit after those it awaits.

    Raises ``graphlib.CycleError`` on a cycle and ``KeyError`` on an unknown dependency.
    """
    by_id = {unit.id: unit for unit in units}
    for unit in units:
        for dependency in unit.after:
            if dependency not in by_id:
                raise KeyError(f"{unit.id} awaits unknown unit {dependency}")
    sorter = graphlib.TopologicalSorter({unit.id: unit.after for unit in units})
    return [by_id[name] for name in sorter.static_order()]


def _as_json(units: Sequence[WorkUnit]) -> str:
    """One JSON object per unit, in a list."""
    return json.dumps([{"id": u.id, "command": list(u.command), "inputs": list(u.inputs),
                        "after": list(u.after)} for u in units], indent=2) + "\n"


def _as_tsv(units: Sequence[WorkUnit]) -> str:
    """id, comma-separated dependencies and the shell command, one unit a line."""
    lines = ["id\tafter\tcommand"]
    lines += [f"{u.id}\t{','.join(u.after)}\t{shlex.join(u.command)}" for u in units]
    return "\n".join(lines) + "\n"


def _as_make(units: Sequence[WorkUnit]) -> str:
    """A make file of phony targets: ``make -f units.mk -j N`` runs the whole build."""
    lines = [".PHONY: all " + " ".join(u.id for u in units),
             "all: " + " ".join(u.id for u in units), ""]
    for unit in units:
        lines += [f"{unit.id}: {' '.join(unit.after)}".rstrip(),
                  f"\t{shlex.join(unit.command)}", ""]
    return "\n".join(lines)


def render(units: Sequence[WorkUnit], form: UnitFormat) -> str:
    """The units in topological order, written as ``form``."""
    ordered = topological_order(units)
    writers = {"json": _as_json, "make": _as_make, "tsv": _as_tsv}
    return writers[form](ordered)
