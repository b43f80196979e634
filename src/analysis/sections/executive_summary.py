"""The executive summary: every section's key findings and headline figures in one table.

Each section records its findings (generated sentences) and headline figures in
``key_figures/<section>.json`` of the report folder. The key-findings section reads whatever
sections have been built, so it works with any subset, and lays the findings out as the
seeds' key-findings table: theme, finding, direction and significance, with a link to the
section page. Nothing is recomputed here: every number is the section's own, so the summary
cannot disagree with the section tables.

Direction and significance are the fields of the :class:`~analysis.core.findings.Finding` each
section recorded, set where its numbers and tests are: the sentence is never parsed, so
rewording it cannot change what the summary says about it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.findings import Finding
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


def findings_table(sections: dict[str, dict], titles: dict[str, str]) -> pd.DataFrame:
    """The key-findings table: one row per finding, in section order then recorded order.

    Columns: theme (section title), finding (the section's sentence, verbatim), direction,
    significance (the recorded Finding's fields, see :func:`recorded_finding`), section (the
    ``NN_name.html`` page it comes from).
    """
    rows = []
    for section_id, figures in sections.items():
        for recorded in figures.get(FINDINGS_KEY, {}).get("value", []) or []:
            finding = recorded_finding(recorded, section_id)
            rows.append({"theme": titles.get(section_id, section_id),
                         "finding": finding.statement, "direction": finding.direction,
                         "significance": finding.significance,
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
