"""The force overview: every CSP of a force side by side, for the county analysts who serve them.

``make reports FORCE=<force>`` builds every partnership's assessment from one ingest; this page,
``reports/<force>/<period>/index.html`` (and ``force_overview.csv`` beside it), puts their
headline figures in one table: crime and ASB counts, change with its significance, crime per
1,000 with its 95 % interval and rank among the force's partnerships, and the top three
priorities, each row linking to that partnership's assessment.

Every number is read from the partnerships' own ``key_figures.json``, so the overview can never
disagree with their pages; a figure a partnership's build did not produce is shown as "–" with
the reason in the notes, never as 0. The counts are data.police.uk street-level records, open
data that needs no disclosure control (the partnerships' pages say so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.config import ForceTemplate, project_root
from analysis.core.files import atomic_write, report_dir, standalone_page
from analysis.core.periods import Period
from analysis.core.safe_text import escape_html, neutralise_table
from analysis.inputs.areas import load_area

OVERVIEW_FILE = "force_overview.csv"
MISSING = "–"
COLUMNS = ["Partnership", "Crimes", "Crime change", "ASB incidents", "ASB change",
           "Crimes per 1,000 (95 % interval)", "Rank by crime rate (1 = highest)",
           "Top three priorities"]


@dataclass(frozen=True)
class Partnership:
    """One CSP of the force as the overview reads it: its name, title and key figures."""

    area: str
    title: str
    figures: dict[str, dict[str, dict[str, object]]]
    """``key_figures.json`` of its report (section -> figure key -> {value, label}); empty
    when the report has not been built."""

    def value(self, section: str, key: str) -> object:
        """A key figure's value, or None when the section did not record it."""
        return self.figures.get(section, {}).get(key, {}).get("value")


def read_partnership(area: str, period: str, root: Path) -> Partnership:
    """A partnership's title and the key figures of its built report for ``period``."""
    config = load_area(area, root)
    path = report_dir(area, period, root) / "key_figures.json"
    figures = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return Partnership(area, config.csp_name, figures)


def _count(value: object) -> str:
    return f"{int(value):,}" if isinstance(value, int | float) else MISSING


def _change(pct: object, significance: object) -> str:
    """'+6.1 %, significant increase'; '–' when the change is unknown (not compared)."""
    if not isinstance(pct, int | float):
        return MISSING if significance is None else str(significance)
    return f"{pct:+.1f} %, {significance}" if significance else f"{pct:+.1f} %"


def rate_ranks(rates: dict[str, float]) -> dict[str, str]:
    """Each area's rank by crime rate among the areas with a rate, highest first ('2 of 14');
    tied rates share the better rank."""
    ordered = sorted(rates.values(), reverse=True)
    return {area: f"{ordered.index(rate) + 1} of {len(ordered)}" for area, rate in rates.items()}


def overview_table(partnerships: list[Partnership]) -> pd.DataFrame:
    """The overview's rows, one per partnership, in the order given (:data:`COLUMNS`)."""
    rates = {p.area: float(rate) for p in partnerships
             if isinstance(rate := p.value("10_crime_overview", "all_crime_rate"), int | float)}
    ranks = rate_ranks(rates)
    rows = []
    for p in partnerships:
        interval = p.value("10_crime_overview", "all_crime_rate_interval")
        rate = (f"{rates[p.area]:.1f} ({interval})" if interval else f"{rates[p.area]:.1f}"
                ) if p.area in rates else MISSING
        rows.append([
            p.title,
            _count(p.value("10_crime_overview", "all_crime_current")),
            _change(p.value("10_crime_overview", "all_crime_pct_diff"),
                    p.value("10_crime_overview", "all_crime_significance")),
            _count(p.value("20_anti_social_behaviour", "asb_incidents_current")),
            _change(p.value("20_anti_social_behaviour", "asb_pct_diff"),
                    p.value("20_anti_social_behaviour", "asb_significance")),
            rate,
            ranks.get(p.area, MISSING),
            str(p.value("90_priorities", "top_priorities") or MISSING),
        ])
    return pd.DataFrame(rows, columns=COLUMNS)


def overview_notes(partnerships: list[Partnership]) -> list[str]:
    """What the table cannot show and why: unbuilt reports, changes over part of a period."""
    notes = []
    for p in partnerships:
        if not p.figures:
            notes.append(f"{p.title}: the report has not been built for this period, so its row "
                         "is blank.")
            continue
        compared = p.value("10_crime_overview", "all_crime_comparison")
        if compared not in (None, "complete"):
            notes.append(f"{p.title}: crime change compares {compared}.")
        missing = [name for section, name in (("20_anti_social_behaviour", "ASB"),
                                              ("90_priorities", "priorities"))
                   if section not in p.figures]
        if missing:
            notes.append(f"{p.title}: {' and '.join(missing)} not built, shown as {MISSING}.")
    return notes


def _page(force: ForceTemplate, period: Period, table: pd.DataFrame, links: list[str],
          notes: list[str]) -> str:
    """The overview page: the shared report style, one table, links escaped like all text."""
    head = "".join(f"<th>{escape_html(column)}</th>" for column in table.columns)
    body = "".join(
        "<tr>" + f'<td><a href="{escape_html(link)}">{escape_html(row[0])}</a></td>'
        + "".join(f"<td>{escape_html(str(cell))}</td>" for cell in row[1:]) + "</tr>"
        for link, row in zip(links, table.itertuples(index=False), strict=True))
    listed = "".join(f"<li>{escape_html(note)}</li>" for note in notes)
    title = f"{force.force.name}: partnerships side by side, {period.label}"
    return standalone_page(title, f"""<div class="csp-index"><header class="csp-page-header">
<h1>{escape_html(title)}</h1></header>
<p>Every Community Safety Partnership of {escape_html(force.force.name)}, from its own
assessment's headline figures (each name links to it). Counts are data.police.uk street-level
records (open data); ASB incidents are never added to crime. Change compares {period.label}
with the comparison period each assessment states, with an exact test on the two counts
(5 % level). The rate is per 1,000 residents with a 95 % confidence interval (Byar's method);
rank 1 is the highest rate among the partnerships listed. Priorities come from each
partnership's priority matrix.</p>
<figure class="csp-figure"><figcaption>{escape_html(title)}</figcaption>
<table class="dataframe csp-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<p class="csp-table-file">Table file: {OVERVIEW_FILE}</p></figure>
{f"<h2>Notes</h2><ul>{listed}</ul>" if notes else ""}
</div>""")


def write_force_overview(force: ForceTemplate, areas: list[str], period: str,
                         root: Path | None = None) -> Path:
    """Write ``reports/<force slug>/<period>/index.html`` and its CSV for ``areas``."""
    root = root or project_root()
    partnerships = [read_partnership(area, period, root) for area in areas]
    table = overview_table(partnerships)
    out = report_dir(force.force.slug, period, root)
    links = [f"../../{area}/{period}/index.html" for area in areas]
    atomic_write(out / OVERVIEW_FILE, neutralise_table(table).to_csv(index=False))
    index = out / "index.html"
    atomic_write(index, _page(force, Period.parse(period), table, links,
                              overview_notes(partnerships)))
    return index
