"""Where a report's files live, in what order partners read its sections, and shared page text.

Kept apart from :mod:`analysis.report` (the notebook-facing API, which loads matplotlib and
IPython) so the build and index commands, which run once per section, start quickly.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import date
from pathlib import Path

from analysis.config import AreaConfig, project_root
from analysis.disclosure_register import statement as register_statement
from analysis.periods import (
    DEFAULT_COMPARISON,
    Period,
    comparison_period,
    comparison_rule_text,
)

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "csp"  # the offline nbconvert template every page (and the index) uses
TIMINGS_DIR = "_build"  # one timing record per built section, gathered into the manifest

def disclosure_statement(rule_name: str) -> str:
    """What every page says about small numbers: generated from the disclosure register's
    source classes (what is controlled, what is exempt and why) and the area's rule."""
    return register_statement(rule_name)


SUMMARY_SECTION = "99_key_findings"  # the executive summary: listed first, built last


def section_notebooks(root: Path | None = None) -> list[Path]:
    """The report's section notebooks, ``notebooks/NN_name.ipynb``, in section order."""
    return sorted(((root or project_root()) / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def reading_order(sections: list[str]) -> list[str]:
    """Sections as partners read them: the executive summary first, then by number."""
    return sorted(sections, key=lambda s: (s != SUMMARY_SECTION, s))


def section_title(notebook: Path) -> str:
    """A section's title: its notebook's ``metadata.title`` (also the page's <title>)."""
    metadata = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    return str(metadata.get("title") or notebook.stem)


def comparison_label(period: Period, rule: str = DEFAULT_COMPARISON) -> str:
    """'2024/25 compared with 2023/24 (the 12 months before)': the comparison every page
    states, with the rule that chose it (the area config's ``comparison``)."""
    return (f"{period.label} compared with {comparison_period(period, rule).label} "
            f"({comparison_rule_text(period, rule)})")


def report_dir(area: str, period: str, root: Path | None = None) -> Path:
    """``reports/<area>/<period>`` with the period written as given on the command line."""
    return (root or project_root()) / "reports" / area / period.replace("/", "-")


def store_dir(config: AreaConfig, root: Path | None = None) -> Path:
    """``data/processed/<store>``: the canonical store this area reads from."""
    return (root or project_root()) / "data" / "processed" / config.store_name


def _plain(value: object) -> object:
    """``value`` with numpy scalars, dates and missing values (NaN, NA, NaT) made plain JSON
    values, missing ones as None (JSON null)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date):  # datetimes and Timestamps too; NaT is unequal to itself
        return value.isoformat() if value == value else None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    import pandas as pd  # only for the rare value above none of these (pd.NA)

    if value is pd.NA:
        return None
    raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")


def strict_json(content: object, *, indent: int | None = 2) -> str:
    """``content`` as strict JSON text: every JSON file the report writes goes through here.

    Missing values (NaN, ``pd.NA``, ``NaT``, infinities) become ``null``, never the bare
    ``NaN`` that strict parsers (JavaScript, jq) reject; numpy numbers become plain numbers
    and dates ISO text. ``allow_nan=False`` guarantees nothing non-standard gets through.
    """
    return json.dumps(_plain(content), indent=indent, allow_nan=False)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename.

    A reader (a partner opening the page, or make comparing times) sees the old file or the
    new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                     prefix=f".{path.name}.", delete=False) as handle:
        handle.write(text)
        temporary = Path(handle.name)
    os.replace(temporary, path)
