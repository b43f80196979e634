"""The executive summary: every section's key findings and headline figures in one table.

Each section records its findings (generated sentences) and headline figures in
``key_figures/<section>.json`` of the report folder. The key-findings section reads whatever
sections have been built, so it works with any subset, and lays the findings out as the
seeds' key findings: one row per theme with its two to four most salient findings, chosen by
a stated rule (:func:`board_rows`, docs/methods.md "Key findings"), each linked to the table
behind it; then every finding in a table. Nothing is recomputed here: every number is the
section's own, so the summary cannot disagree with the section tables.

Direction and significance are the fields of the :class:`~analysis.core.findings.Finding` each
section recorded, set where its numbers and tests are: the sentence is never parsed, so
rewording it cannot change what the summary says about it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    CONCENTRATION,
    DECREASE,
    INCREASE,
    NOT_ASSESSED,
    NOT_SIGNIFICANT,
    NOT_TESTED,
    SIGNIFICANT,
    SPECIAL_CAUSE,
    Finding,
)
from analysis.core.safe_text import escape_html

FINDINGS_KEY = "findings"
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def load_key_figures(folder: Path, *, exclude: str | None = None) -> dict[str, dict]:
    """Each built section's figures from ``folder/<section>.json``, in section order.

    ``exclude`` leaves out one section (the summary itself). A missing folder means no
    section has been built yet: an empty dict, not an error. A file that is not the JSON a
    section writes raises InputError naming it.
    """
    if not folder.is_dir():
        return {}
    sections: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem == exclude:
            continue
        try:
            figures = json.loads(path.read_text(encoding="utf-8"))["figures"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError("a key-figures file is not in the format sections write",
                             file=path, expected='{"section": ..., "figures": {...}}') from exc
        sections[path.stem] = figures
    return sections


def page_title(report_dir: Path, section_id: str) -> str:
    """The section's page title (the ``<title>`` of ``NN_name.html``), or its name in words."""
    page = report_dir / f"{section_id}.html"
    if page.is_file():
        match = _TITLE.search(page.read_text(encoding="utf-8"))
        if match and match.group(1).strip():
            return html.unescape(match.group(1).strip())
    return section_id.split("_", 1)[-1].replace("_", " ").capitalize()


def findings_table(sections: dict[str, dict], titles: dict[str, str],
                   board: Sequence[ThemeRow] = ()) -> pd.DataFrame:
    """The full list of findings: one row per finding, in section order then recorded order.

    Columns: theme (section title), finding (the section's sentence, verbatim), direction,
    significance (the recorded Finding's fields, see :func:`recorded_finding`), table (the
    CSV behind it, '' when none), key findings row (the board theme it is shown under in
    ``board``, :func:`board_rows`; '' when it is not among the lines shown), section (the
    ``NN_name.html`` page it comes from).
    """
    shown = {(row.section_id, finding): row.theme for row in board for finding in row.lines}
    rows = []
    for section_id, findings in section_findings(sections).items():
        for finding in findings:
            rows.append({"theme": titles.get(section_id, section_id),
                         "finding": finding.statement, "direction": finding.direction,
                         "significance": finding.significance, "table": table_file(finding),
                         "key_findings_row": shown.get((section_id, finding), ""),
                         "section": f"{section_id}.html"})
    return pd.DataFrame(rows, columns=["theme", "finding", "direction", "significance",
                                       "table", "key_findings_row", "section"])


def headline_figures(sections: dict[str, dict], titles: dict[str, str]) -> pd.DataFrame:
    """Every recorded headline figure except the findings: theme, figure, value, section.

    Values are shown as the section recorded them (numbers are not rounded again); an
    unknown value (recorded as None) stays in the table as missing, shown as a dash, never
    as 0; lists and other structures are left out.
    """
    rows = []
    for section_id, figures in sections.items():
        for key, entry in figures.items():
            if key == FINDINGS_KEY or not isinstance(entry, dict):
                continue
            value = entry.get("value")
            if not (value is None or isinstance(value, str | int | float)) or \
                    isinstance(value, bool):
                continue
            rows.append({"theme": titles.get(section_id, section_id), "key": key,
                         "figure": entry.get("label", key), "value": value,
                         "section": f"{section_id}.html"})
    return pd.DataFrame(rows, columns=["theme", "key", "figure", "value", "section"])


def section_links(titles: dict[str, str]) -> str:
    """An HTML list linking each summarised section's page (relative links)."""
    items = "".join(f'<li><a href="{escape_html(section_id)}.html">{escape_html(title)}</a></li>'
                    for section_id, title in titles.items())
    return f'<nav class="csp-section-links"><h2>Sections summarised</h2><ul>{items}</ul></nav>'


def recorded_finding(recorded: Mapping[str, Any], section_id: str) -> Finding:
    """The Finding a section recorded in its key figures (:meth:`Finding.as_record`).

    Anything else (a plain sentence, a record with an unknown direction) is not what sections
    write: InputError naming the section's file.
    """
    try:
        return Finding.from_record(recorded)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError("a recorded finding is not a Finding record",
                         file=f"key_figures/{section_id}.json", found=recorded,
                         expected="{'statement': ..., 'direction': ..., 'significance': ...} "
                                  "with a known direction and significance") from exc


# --- key findings as a board reads them ----------------------------------------------------
BOARD_THEMES: dict[str, str] = {
    "10_crime_overview": "Crime overview",
    "20_anti_social_behaviour": "Anti-social behaviour",
    "30_places": "Places",
    "40_vawg_domestic_abuse": "Violence against women and girls, domestic abuse",
    "50_serious_violence": "Serious violence",
    "60_hate_crime": "Hate crime",
    "70_exploitation_drugs": "Exploitation and drugs",
    "80_offending_reoffending": "Reoffending",
    "85_public_perception": "Public perception",
    "90_priorities": "Priorities",
    "00_data_and_methods": "Data quality",
}
"""The board's themes, one per section, in the order the key-findings page lists them (data
quality last, as the caveat on everything above it). A section not listed keeps its title and
comes after these."""

MAX_LINES = 4
"""At most this many evidence lines per theme (the seed's boxes carry two to four)."""
MAX_ROWS = 12
"""At most this many themed rows (the seed has twelve boxes)."""

SALIENCE = ("significant change", "outlier against peers", "concentration",
            "special-cause signal", "position among peers, untested",
            "tested, no significant difference", "context", "not assessed")
"""The salience classes, most salient first (:func:`salience_class`, docs/methods.md)."""


def salience_class(finding: Finding) -> int:
    """The finding's class in :data:`SALIENCE` (0 = most salient), from its recorded fields:
    a significant change, a significant difference from peers, a concentration signal, a
    special-cause signal, an untested position among peers, a test that found no
    significant difference, a statement with no test, a finding that could not be assessed."""
    change = finding.direction in (INCREASE, DECREASE)
    peers = finding.direction in (ABOVE_COMPARATORS, BELOW_COMPARATORS)
    if finding.significance == SIGNIFICANT and change:
        return 0
    if finding.significance == SIGNIFICANT and peers:
        return 1
    if finding.signal == CONCENTRATION:
        return 2
    if finding.signal == SPECIAL_CAUSE:
        return 3
    if peers and finding.significance == NOT_TESTED:
        return 4
    if finding.significance == NOT_SIGNIFICANT:
        return 5
    if finding.significance == NOT_ASSESSED:
        return 7
    return 6


def salience_order(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` most salient first: by :func:`salience_class`, then the larger effect
    (a finding without one after those with one), then the order the section recorded them."""
    ranked = sorted(enumerate(findings), key=lambda item: (
        salience_class(item[1]), item[1].effect is None, -(item[1].effect or 0.0), item[0]))
    return [finding for _, finding in ranked]


def dedupe_key(section_id: str, finding: Finding) -> str:
    """What makes two findings the same line: the measure when recorded (the same in every
    section), else the subject within its section, else the sentence."""
    if finding.measure:
        return f"measure:{finding.measure}"
    return f"{section_id}:{finding.theme or finding.statement}"


def _one_per_key(section_id: str, ordered: Sequence[Finding]) -> list[Finding]:
    seen: set[str] = set()
    kept = []
    for finding in ordered:
        key = dedupe_key(section_id, finding)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


@dataclass(frozen=True)
class ThemeRow:
    """One row of the key-findings page: the board theme, the section it comes from and its
    evidence lines, most salient first."""

    theme: str
    section_id: str
    lines: tuple[Finding, ...]


def board_rows(sections: Mapping[str, Sequence[Finding]],
               titles: Mapping[str, str] | None = None, *, max_lines: int = MAX_LINES,
               max_rows: int = MAX_ROWS) -> list[ThemeRow]:
    """The key findings as a board reads them: one row per theme, each with its most salient
    findings (the documented rule, docs/methods.md "Key findings"):

    1. each section's findings in :func:`salience_order`;
    2. one line per subject: a later finding with the same :func:`dedupe_key` is dropped;
    3. a measure several sections record is kept only where it ranks highest (its place in
       that section's order), ties going to the later section in reading order (the more
       specialised theme: ASB on the ASB row, not the crime overview's);
    4. the first ``max_lines`` lines of each theme; themes in :data:`BOARD_THEMES` order, then
       any other section by its title (``titles``), at most ``max_rows`` rows; a section with
       no finding has no row.
    """
    titles = titles or {}
    ordered = {section_id: _one_per_key(section_id, salience_order(findings))
               for section_id, findings in sections.items()}
    reading = list(sections)
    best: dict[str, tuple[int, int, str]] = {}
    for section_id, findings in ordered.items():
        for at, finding in enumerate(findings):
            if finding.measure:
                rank = (at, -reading.index(section_id), section_id)
                best[finding.measure] = min(best.get(finding.measure, rank), rank)
    known = [s for s in BOARD_THEMES if s in ordered]
    others = [s for s in ordered if s not in BOARD_THEMES]
    rows = []
    for section_id in [*known, *others]:
        lines = [f for f in ordered[section_id]
                 if not f.measure or best[f.measure][2] == section_id][:max_lines]
        if lines:
            theme = BOARD_THEMES.get(section_id) or titles.get(section_id, section_id)
            rows.append(ThemeRow(theme, section_id, tuple(lines)))
    return rows[:max_rows]


def section_findings(sections: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Finding]]:
    """Each section's recorded findings (:func:`recorded_finding`), in section order."""
    return {section_id: [recorded_finding(r, section_id)
                         for r in figures.get(FINDINGS_KEY, {}).get("value", []) or []]
            for section_id, figures in sections.items()}


def table_file(finding: Finding) -> str:
    """The report-relative CSV behind a finding (``tables/<stem>.csv``), '' when it has none."""
    return f"tables/{finding.table}.csv" if finding.table else ""


def board_html(rows: Sequence[ThemeRow], tables_dir: Path) -> str:
    """The themed rows as the page shows them: a box per theme, each line the finding's
    sentence (escaped) with links to its table file and to the table on its section page,
    when that file is in ``tables_dir`` (the report's ``tables/``: a section that could not
    show a table on this area's data wrote none, and a link must not point at nothing)."""
    boxes = []
    for row in rows:
        items = []
        for finding in row.lines:
            links = ""
            if finding.table and (tables_dir / f"{finding.table}.csv").is_file():
                stem = escape_html(finding.table)
                page = escape_html(finding.table.split("__", 1)[0])
                links = (f' <span class="csp-evidence-links">(<a href="tables/{stem}.csv">'
                         f'table</a>, <a href="{page}.html#csp-{stem}">on its page</a>)</span>')
            items.append(f"<li>{escape_html(finding.statement)}{links}</li>")
        boxes.append(f'<tr><th scope="row"><a href="{escape_html(row.section_id)}.html">'
                     f"{escape_html(row.theme)}</a></th><td><ul>{''.join(items)}</ul></td></tr>")
    return ('<table class="csp-table csp-key-findings"><caption>Key findings by theme'
            "</caption><thead><tr><th>Theme</th><th>Evidence</th></tr></thead><tbody>"
            f"{''.join(boxes)}</tbody></table>")
