"""The data-and-methods section (notebook 00): what was read, what was kept, and how.

The page shows which months of police.uk data are held (by force and by partnership), the
reconciliation of every file read (rows read = loaded + quarantined + duplicates dropped),
the input files with their checksums, the data-quality checks and the population used for
rates. :func:`page` gathers all of it from the store for the notebook, which only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis.core.findings import Finding
from analysis.present.charts import apply_house_style, coverage_grid
from analysis.present.page import Section, police_uk_source, shown_path
from analysis.present.presentable import Chart, Table
from analysis.store import quality, query
from analysis.store.area import force_populations, population_releases
from analysis.store.inventory import input_inventory

GEOGRAPHY_SOURCE = ("Geography: ONS LSOA to ward to local authority lookups and LAD to CSP to "
                    "police force area lookup (Open Government Licence v3.0)")
NO_PARTNER_SOURCE = "none configured (only published data are used)"
ALL_CHECKS_RAN = "Every quality check ran."
"""The finding when no quality check had to be skipped."""

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


def quality_findings(notes: list[str]) -> list[Finding]:
    """The checks that could not run (:attr:`analysis.store.quality.QualityReport.notes`) as
    findings, or one finding that every check ran. They state no change and no test."""
    return [Finding(note) for note in notes or [ALL_CHECKS_RAN]]


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
    return DataAndMethodsPage(
        header=header,
        coverage_force=Chart(lambda grid: coverage_grid(grid, row_col="force", title=force_title),
                             force_grid, "coverage_force", source="process"),
        coverage_csp=Chart(lambda grid: coverage_grid(grid, row_col="partnership",
                                                      title=csp_title),
                           csp_grid, "coverage_csp", source="process"),
        reconciliation=reconciliation_table(quality.reconciliation_report(section.store_dir),
                                            section.root),
        quarantine=quarantine_tables(quality.quarantine_reasons(section.store_dir), partner,
                                     section.root),
        input_files=input_files_table(input_inventory(config, section.root)),
        blank_location=blank_location_table(checks.blank_location, config.force.name),
        quality_checks=quality_check_tables(checks),
        findings=quality_findings(checks.notes),
        populations=Table(populations, "populations", "Population used for rates",
                          source="open", formats={"population": "{:,}"}),
        population_releases=Table(population_releases(config, current), "population_releases",
                                  "Population releases configured, and the one used for this "
                                  "period", source="open"),
    )
