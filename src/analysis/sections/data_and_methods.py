"""The data-and-methods section (notebook 00): what was read, what was kept, and how.

The page shows which months of police.uk data are held (by force and by partnership), the
reconciliation of every file read (rows read = loaded + quarantined + duplicates dropped),
the input files with their checksums, the data-quality checks and the population used for
rates. :func:`page` gathers all of it from the store for the notebook, which only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from IPython.display import HTML

from analysis.core.findings import NOT_ASSESSED, SPECIAL_CAUSE, Finding
from analysis.core.periods import MonthsCompared, compared_months
from analysis.present.charts import apply_house_style, coverage_grid
from analysis.present.page import Section, police_uk_source, shown_path
from analysis.present.presentable import Chart, Table
from analysis.store import quality, query
from analysis.store.area import force_populations, population_releases
from analysis.store.inventory import input_inventory

GEOGRAPHY_SOURCE = ("Geography: ONS LSOA to ward to local authority lookups and LAD to CSP to "
                    "police force area lookup (Open Government Licence v3.0)")
NO_PARTNER_SOURCE = "none configured (only published data are used)"

_RECONCILED = ["source_file", "months", "rows_read", "rows_loaded", "rows_quarantined",
               "duplicates_dropped"]


@dataclass(frozen=True)
class DataAndMethodsPage:
    """What the data-and-methods notebook shows, cell by cell, in page order.

    ``populations`` is written as a table file but, as before, not shown on the page
    (the notebook shows only ``population_releases`` in that cell).
    """

    header: HTML
    coverage_force: Chart
    coverage_csp: Chart
    reconciliation: Table
    quarantine: list[Table]
    input_files: Table
    blank_location: Table
    quality_checks: list[Table]
    findings: list[Finding]
    populations: Table
    population_releases: Table


def header_sources(police_source: str, population_vintage: str,
                   partner: pd.DataFrame | None) -> list[str]:
    """The header's data-source lines: police.uk, population, geography and partner extracts
    (``partner`` is :func:`analysis.query.partner_reconciliation`, None without extracts)."""
    extracts = ", ".join(partner["extract"]) if partner is not None else NO_PARTNER_SOURCE
    return [police_source, f"Population: {population_vintage}", GEOGRAPHY_SOURCE,
            f"Partner extracts: {extracts}"]


def reconciliation_table(reconciliation: pd.DataFrame, root: Path) -> Table:
    """Rows read, loaded, quarantined and dropped for each police.uk file, with the file's
    path shown relative to the project (never the analyst's absolute folders)."""
    shown = reconciliation.assign(
        source_file=[shown_path(p, root) for p in reconciliation["source_file"]])
    return Table(shown[[*_RECONCILED, "balances"]], "reconciliation",
                 "Rows read, loaded, quarantined and dropped as duplicates, by file",
                 source="process", formats=dict.fromkeys(_RECONCILED[2:], "{:,}"))


def quarantine_tables(reasons: pd.DataFrame, partner: pd.DataFrame | None,
                      root: Path) -> list[Table]:
    """The quarantined police.uk rows by reason ('none' when there are none), then the
    partner extracts' reconciliation when the area has extracts."""
    if reasons.empty:
        tables = [Table(reasons, "quarantine_reasons", "Quarantined rows: none",
                        source="process")]
    else:
        tables = [Table(reasons, "quarantine_reasons", "Quarantined rows by reason",
                        source="process", formats={"rows": "{:,}"})]
    if partner is not None:
        shown = partner.assign(source_file=[shown_path(p, root) for p in partner["source_file"]])
        tables.append(Table(shown, "partner_reconciliation",
                            "Partner extracts: rows read, loaded and quarantined",
                            source="process",
                            formats=dict.fromkeys(("rows_read", "rows_loaded",
                                                   "rows_quarantined"), "{:,}")))
    return tables


def input_files_table(inventory: pd.DataFrame) -> Table:
    """The input files (:func:`analysis.publish.provenance.input_inventory`) with the first 12
    characters of each checksum (the full value is in ``manifest.json``)."""
    shown = inventory.assign(sha256=inventory["sha256"].str[:12] + "…")
    return Table(shown[["path", "sha256", "rows", "months"]], "input_files", "Input files used",
                 source="process", formats={"rows": "{:,}"})


def blank_location_table(blank: pd.DataFrame, force_name: str) -> Table:
    """The share of records with no location by month, for the area's force only when the
    check gives it by force."""
    if "force" in blank.columns:
        blank = blank[blank["force"] == force_name]
    return Table(blank, "blank_location_share", "Records with no location, by month",
                 source="process")


def quality_check_tables(checks: quality.QualityReport) -> list[Table]:
    """Out-of-area records, unknown LSOA codes and crime categories appearing or
    disappearing, in page order."""
    return [
        Table(checks.out_of_area, "out_of_area", "Records located outside the force area",
              source="process"),
        Table(checks.unknown_lsoa, "unknown_lsoa", "LSOA codes not found in the lookups",
              source="process"),
        Table(checks.crime_type_drift, "crime_type_drift",
              "Crime categories appearing or disappearing", source="process"),
    ]


MIN_JUMP_POINTS = 1.0
"""A rise in the share of records with no location is a jump when the months from one month
on average at least this many percentage points more than the months before it ..."""
MIN_JUMP_RATIO = 2.0
"""... and at least this many times as much (and each side has three months or more)."""
_SIDE_MONTHS = 3


def _month_words(month: object) -> str:
    """A month as people write it: 'April 2024'."""
    return f"{pd.Timestamp(month):%B %Y}"


class Jump(NamedTuple):
    """A step up in the share of records with no location: the month it starts and the
    pooled share (%) of the months before and from then on."""

    month: object
    before: float
    after: float


def blank_location_jump(blank: pd.DataFrame) -> Jump | None:
    """The step up in the monthly share of records with no location, if there is one.

    ``blank`` is the quality check's table for one force (``month``, ``rows``,
    ``blank_location``). Each month with at least three months on either side splits the
    series; the split with the largest difference in the share (records with no location
    over records, each side pooled) is a jump when the later side is at least
    :data:`MIN_JUMP_POINTS` percentage points and :data:`MIN_JUMP_RATIO` times the earlier.
    """
    frame = blank.sort_values("month").reset_index(drop=True)
    best: Jump | None = None
    for at in range(_SIDE_MONTHS, len(frame) - _SIDE_MONTHS + 1):
        before, after = frame.iloc[:at], frame.iloc[at:]
        jump = Jump(frame["month"].iloc[at],
                    100 * before["blank_location"].sum() / before["rows"].sum(),
                    100 * after["blank_location"].sum() / after["rows"].sum())
        if best is None or jump.after - jump.before > best.after - best.before:
            best = jump
    if best is None or best.after - best.before < MIN_JUMP_POINTS or \
            best.after < MIN_JUMP_RATIO * best.before:
        return None
    return best


def blank_location_findings(blank: pd.DataFrame, months: list[object]) -> list[Finding]:
    """What the no-location check found: a jump (:func:`blank_location_jump`, a special-cause
    signal whose effect is the rise in percentage points), then the share over ``months``
    (the assessment period) and its worst month."""
    findings = []
    jump = blank_location_jump(blank)
    if jump is not None:
        findings.append(Finding(
            f"The share of police.uk records with no location jumped from "
            f"{jump.before:.1f} % before {_month_words(jump.month)} to {jump.after:.1f} % from "
            "then on: those records cannot be placed in any area, so counts for places and "
            "partnerships are lower than the force's.", theme="Records with no location",
            table="blank_location_share", signal=SPECIAL_CAUSE,
            effect=jump.after - jump.before))
    held = {pd.Timestamp(m) for m in months}
    period = blank[[pd.Timestamp(m) in held for m in blank["month"]]]
    if period.empty or not period["rows"].sum():
        return findings
    share = 100 * period["blank_location"].sum() / period["rows"].sum()
    worst = period.loc[period["share"].idxmax()]
    findings.append(Finding(
        f"{share:.1f} % of police.uk records in the period "
        f"({int(period['blank_location'].sum()):,} of {int(period['rows'].sum()):,}) had no "
        f"location; the highest month was {_month_words(worst['month'])} "
        f"({100 * float(worst['share']):.1f} %).",
        theme="Records with no location" if jump is None else "No location this period",
        table="blank_location_share"))
    return findings


def check_findings(checks: quality.QualityReport, reasons: pd.DataFrame,
                   reconciliation: pd.DataFrame) -> list[Finding]:
    """What the other checks found, problems first: files that do not reconcile, rows
    quarantined, LSOA codes not in the lookups and crime categories appearing or disappearing
    (each a count and the largest case), or that a check found nothing."""
    problems: list[Finding] = []
    clean: list[Finding] = []
    unbalanced = reconciliation[~reconciliation["balances"].astype(bool)]
    (problems if len(unbalanced) else clean).append(Finding(
        f"{len(unbalanced)} of {len(reconciliation)} police.uk files do not reconcile (rows "
        "read differ from rows loaded, quarantined and dropped)." if len(unbalanced) else
        f"Every one of the {len(reconciliation)} police.uk files read reconciles: rows read = "
        "loaded + quarantined + duplicates dropped.", theme="Reconciliation",
        table="reconciliation"))
    if len(reasons):
        top = reasons.iloc[0]
        problems.append(Finding(
            f"{int(reasons['rows'].sum()):,} police.uk rows were quarantined, most for "
            f"{top['reason_code']} in column {top['column']} ({int(top['rows']):,} rows).",
            theme="Quarantine", table="quarantine_reasons"))
    else:
        clean.append(Finding("No police.uk row had to be quarantined.", theme="Quarantine",
                             table="quarantine_reasons"))
    if len(checks.unknown_lsoa):
        codes = len(checks.unknown_lsoa)
        problems.append(Finding(
            f"{codes:,} LSOA code{'s' if codes != 1 else ''} "
            f"({int(checks.unknown_lsoa['rows'].sum()):,} records) "
            f"{'are' if codes != 1 else 'is'} not in the lookups, so those records are in no "
            "ward or partnership.",
            theme="Unknown LSOA codes", table="unknown_lsoa"))
    drift = checks.crime_type_drift
    if len(drift):
        first = drift.iloc[0]
        problems.append(Finding(
            f"Crime categories changed {len(drift)} time{'s' if len(drift) != 1 else ''} "
            "between months, e.g. "
            f"'{first['crime_type']}' {first['change']} in {_month_words(first['month'])}: "
            "a trend across that month compares different categories.",
            theme="Crime categories", table="crime_type_drift"))
    else:
        clean.append(Finding("No crime category appeared or disappeared between months.",
                             theme="Crime categories", table="crime_type_drift"))
    return [*problems, *clean]


def coverage_finding(compared: MonthsCompared) -> Finding:
    """The months of police.uk data held in each period and what the changes compare
    (:meth:`~analysis.core.periods.MonthsCompared.note`)."""
    return Finding(" ".join([*compared.completeness(), compared.note()]),
                   theme="Months held", table="coverage_force")


def quality_findings(checks: quality.QualityReport, reasons: pd.DataFrame,
                     reconciliation: pd.DataFrame, force_name: str,
                     months: list[object], compared: MonthsCompared | None = None
                     ) -> list[Finding]:
    """What the quality checks found, as findings: the months held (``compared``, when
    given), the no-location check for the area's force (:func:`blank_location_findings`),
    the other checks (:func:`check_findings`), then the checks that could not run
    (:attr:`analysis.store.quality.QualityReport.notes`, not assessed). None states a
    change or a test."""
    blank = checks.blank_location
    if "falls_within" in blank.columns:
        blank = blank[blank["falls_within"] == force_name]
    not_run = [Finding(note, significance=NOT_ASSESSED, theme="Checks not run")
               for note in checks.notes]
    held = [] if compared is None else [coverage_finding(compared)]
    return [*held, *blank_location_findings(blank, months),
            *check_findings(checks, reasons, reconciliation), *not_run]


def page(section: Section) -> DataAndMethodsPage:
    """Everything the data-and-methods page shows, read from the area's store.

    Coverage and quality checks span the three-year trend window up to the end of the
    assessment period; the house chart style is applied for the coverage grids.
    """
    apply_house_style()
    config, current = section.config, section.period
    window = current.trend_window(3)
    first_month, last_month = window[0].start, current.end
    force_months = query.force_months(section.store_dir, config.force.name)
    populations = force_populations(config, period=current)
    partner = (query.partner_reconciliation(section.store_dir) if config.sources.partner
               else None)
    header = section.header(
        "Data and methods",
        sources=header_sources(police_uk_source(config.force.name, force_months),
                               str(populations["population_vintage"].iloc[0]), partner),
        caveats=[p.coverage(force_months).describe() for p in window])
    force_grid = quality.coverage_by_force(section.store_dir, first_month, last_month,
                                           forces=[config.force.name])
    csp_codes = list(populations.loc[populations["area_level"] == "CSP", "area_code"])
    csp_grid = quality.coverage_by_csp(section.store_dir, first_month, last_month,
                                       csp_codes=csp_codes)
    names = dict(zip(populations["area_code"], populations["area_name"], strict=True))
    csp_grid["partnership"] = csp_grid["csp_code"].map(names)
    force_title = f"Months published by {config.force.name}"
    csp_title = f"Months held for each partnership of {config.force.name}"
    checks = quality.quality_report(section.store_dir, first_month, last_month)
    reconciliation = quality.reconciliation_report(section.store_dir)
    reasons = quality.quarantine_reasons(section.store_dir)
    return DataAndMethodsPage(
        header=header,
        coverage_force=Chart(lambda grid: coverage_grid(grid, row_col="force", title=force_title),
                             force_grid, "coverage_force", source="process"),
        coverage_csp=Chart(lambda grid: coverage_grid(grid, row_col="partnership",
                                                      title=csp_title),
                           csp_grid, "coverage_csp", source="process"),
        reconciliation=reconciliation_table(reconciliation, section.root),
        quarantine=quarantine_tables(reasons, partner, section.root),
        input_files=input_files_table(input_inventory(config, section.root)),
        blank_location=blank_location_table(checks.blank_location, config.force.name),
        quality_checks=quality_check_tables(checks),
        findings=quality_findings(checks, reasons, reconciliation, config.force.name,
                                  list(current.months),
                                  compared_months(current, section.previous, force_months)),
        populations=Table(populations, "populations", "Population used for rates",
                          source="open", formats={"population": "{:,}"}),
        population_releases=Table(population_releases(config, current), "population_releases",
                                  "Population releases configured, and the one used for this "
                                  "period", source="open"),
    )
