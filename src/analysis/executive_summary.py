"""The executive summary: every section's key findings and headline figures in one table.

Each section records its findings (generated sentences) and headline figures in
``key_figures/<section>.json`` of the report folder. The key-findings section reads whatever
sections have been built, so it works with any subset, and lays the findings out as the
seeds' key-findings table: theme, finding, direction and significance, with a link to the
section page. Nothing is recomputed here: every number is the section's own, so the summary
cannot disagree with the section tables.

Direction and significance are read from the wording the narrative helpers generate
(``analysis.narrative``, ``analysis.perception``): a finding says "statistically significant"
only when a test found it, so the summary can only report significance a test found.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.safe_text import escape_html

FINDINGS_KEY = "findings"
SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not significant"
NOT_ASSESSED = "not assessed"
NOT_TESTED = "no test stated"

_NOT_SIGNIFICANT = re.compile(r"not (a )?statistically significant|no significant change"
                              r"|not significantly different", re.IGNORECASE)
_SIGNIFICANT = re.compile(r"significant(ly)? (increase|decrease|higher|lower)", re.IGNORECASE)
_NOT_ASSESSED = re.compile(r"not assessed|should not be relied on|cannot be given"
                           r"|no change is given", re.IGNORECASE)
_DIRECTIONS = (
    ("increase", re.compile(r"\b(rose|increased?|up from|risen)\b", re.IGNORECASE)),
    ("decrease", re.compile(r"\b(fell|decreased?|down from|fallen)\b", re.IGNORECASE)),
    ("no change", re.compile(r"\b(unchanged|no change)\b", re.IGNORECASE)),
    ("above comparators", re.compile(r"\b(higher than|significantly higher|highest)\b",
                                     re.IGNORECASE)),
    ("below comparators", re.compile(r"\b(lower than|significantly lower|lowest)\b",
                                     re.IGNORECASE)),
    ("similar to comparators", re.compile(r"\bnot significantly different\b", re.IGNORECASE)),
)
_ORDINAL_PLACE = re.compile(r"\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
                            r"|\d+(st|nd|rd|th)) (highest|lowest)\b", re.IGNORECASE)
_NO_CHANGE_GIVEN = re.compile(r"\bno change is given\b.*", re.IGNORECASE)  # says no direction
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


def section_title(report_dir: Path, section_id: str) -> str:
    """The section's page title (the ``<title>`` of ``NN_name.html``), or its name in words."""
    page = report_dir / f"{section_id}.html"
    if page.is_file():
        match = _TITLE.search(page.read_text(encoding="utf-8"))
        if match and match.group(1).strip():
            return html.unescape(match.group(1).strip())
    return section_id.split("_", 1)[-1].replace("_", " ").capitalize()


def significance_of(finding: str) -> str:
    """'significant', 'not significant', 'not assessed' or 'no test stated', from wording."""
    if _NOT_ASSESSED.search(finding):
        return NOT_ASSESSED
    if _NOT_SIGNIFICANT.search(finding):
        return NOT_SIGNIFICANT
    if _SIGNIFICANT.search(finding):
        return SIGNIFICANT
    return NOT_TESTED


def direction_of(finding: str) -> str:
    """The first direction the finding states ('increase', 'decrease', 'no change',
    'above comparators', 'below comparators', 'similar to comparators'), or '–'.

    A middle place ('second highest of 4') and "no change is given" (a comparison that could
    not be made) state no direction, so they are not read as one.
    """
    text = _NO_CHANGE_GIVEN.sub("", _ORDINAL_PLACE.sub("", finding))
    found = [(match.start(), name) for name, pattern in _DIRECTIONS
             if (match := pattern.search(text))]
    return min(found)[1] if found else "–"


def findings_table(sections: dict[str, dict], titles: dict[str, str]) -> pd.DataFrame:
    """The key-findings table: one row per finding, in section order then recorded order.

    Columns: theme (section title), finding (the section's sentence, verbatim), direction,
    significance, section (the ``NN_name.html`` page it comes from).
    """
    rows = []
    for section_id, figures in sections.items():
        for recorded in figures.get(FINDINGS_KEY, {}).get("value", []) or []:
            finding = statement_of(recorded)
            rows.append({"theme": titles.get(section_id, section_id), "finding": finding,
                         "direction": direction_of(finding),
                         "significance": significance_of(finding),
                         "section": f"{section_id}.html"})
    return pd.DataFrame(rows, columns=["theme", "finding", "direction", "significance",
                                       "section"])


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


def statement_of(recorded: str | dict) -> str:
    """A recorded finding's sentence: a section's plain sentence, or the ``statement`` of a
    :class:`~analysis.findings.Finding` kept as a record (``Finding.as_record``)."""
    return recorded["statement"] if isinstance(recorded, dict) else recorded
