"""Where a report's files live, in what order partners read its sections, and shared page text.

Kept apart from :mod:`analysis.present.page` (the notebook-facing API, which loads matplotlib and
IPython) so the build and index commands, which run once per section, start quickly.
"""

from __future__ import annotations

import glob
import json
import math
import os
import tempfile
from datetime import date
from pathlib import Path

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import storage_error
from analysis.core.locks import process_alive
from analysis.core.periods import (
    DEFAULT_COMPARISON,
    Period,
    comparison_period,
    comparison_rule_text,
)

TEMPLATE_DIR = Path(__file__).parents[1] / "templates"
TEMPLATE_NAME = "csp"  # the offline nbconvert template every page (and the index) uses
TIMINGS_DIR = "_build"  # one timing record per built section, gathered into the manifest

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


def canonical_period(period: str) -> str:
    """The one way a period is written in folder names, make targets and file names.

    '2024/25', 'FY2024/25' and '2024-25' are all '2024-25'; '2024' stays '2024'; 'r12-2025-03'
    is 'R12-2025-03'; a custom range is '2024-04..2024-09'. One form means one folder, so
    ``make report PERIOD=2024/25`` finds what the last run built instead of starting again.
    """
    parsed = Period.parse(period)
    if parsed.kind == "financial_year":
        return f"{parsed.start.year}-{(parsed.start.year + 1) % 100:02d}"
    if parsed.kind == "calendar_year":
        return str(parsed.start.year)
    if parsed.kind == "rolling_12":
        return f"R12-{parsed.end:%Y-%m}"
    return f"{parsed.start:%Y-%m}..{parsed.end:%Y-%m}"


def document_name(area: str, period: str, suffix: str) -> str:
    """The file name of a report's board document: ``<area>-<period>-strategic-assessment.pdf``
    (the whole assessment) or ``<area>-<period>-board-summary.docx`` (findings and plan)."""
    kind = "strategic-assessment" if suffix == ".pdf" else "board-summary"
    return f"{area}-{canonical_period(period)}-{kind}{suffix}"


def report_dir(area: str, period: str, root: Path | None = None) -> Path:
    """``reports/<area>/<period>``, the period in its :func:`canonical_period` form."""
    return (root or project_root()) / "reports" / area / canonical_period(period)


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


def user_file_mode() -> int:
    """The permissions a new file gets from the user's umask (``0o644`` under umask 022).

    Temporary files are created ``-rw-------``; a page or pack renamed into place keeps that
    unless it is set back, and colleagues on a shared drive could not open it.
    """
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to ``path`` through a temporary file and a rename.

    A reader (a partner opening the page, or make comparing times) sees the old file or the
    new one, never half of one; the file gets the user's usual permissions
    (:func:`user_file_mode`). A disk or permission failure is a
    :class:`analysis.core.errors.StorageError` naming the file, and the old file is kept. The
    temporary file is named after this process, and copies left by killed runs are removed.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".tmp",
                                         prefix=f".{path.name}.{os.getpid()}.",
                                         delete=False) as handle:
            temporary = Path(handle.name)
            handle.write(data)
        temporary.chmod(user_file_mode())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise storage_error(error, "writing the report", path,
                            kept="the previous file is kept") from error


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary copies of ``path`` (``.<name>.<pid>.<random>.tmp``) left by a killed
    run; a live process's copy is left alone."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = stale.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            stale.unlink(missing_ok=True)
