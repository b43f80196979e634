"""Notebooks opened by hand (JupyterLab): which area they show, and where they write.

The build always passes a notebook its area, period and output folder. A notebook run by hand
gets none of them (its parameters cell leaves them empty), so it runs on the analyst's
*working area* and writes to a scratch folder, ``reports/_lab/<area>/<period>/``, never into
the published report: trying something in the lab cannot change a page partners have.

The working area is set once, by either of:

- the environment variables ``CSP_AREA`` and ``CSP_PERIOD`` (``make lab AREA=x`` sets them);
- a file ``.csp-lab.yaml`` at the project root (gitignored, one per analyst), e.g.
  ``area: thurrock`` and ``period: "2022"``.

An environment variable wins over the file; without either the area is the demo. Without a
period the area's own ``default_period`` is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.core.errors import ConfigError
from analysis.core.files import canonical_period

LAB_FILE = ".csp-lab.yaml"
LAB_DIR = "_lab"  # under reports/: the scratch reports of notebooks run by hand
AREA_VARIABLE = "CSP_AREA"
PERIOD_VARIABLE = "CSP_PERIOD"
DEFAULT_AREA = "demo"


@dataclass(frozen=True)
class WorkingArea:
    """The area (and, if set, the period) a notebook run by hand shows."""

    area: str
    period: str | None  # None: the area's default period


def _lab_file_settings(path: Path) -> dict[str, str]:
    """The ``area`` and ``period`` set in ``.csp-lab.yaml`` (an unquoted year is a period)."""
    if not path.is_file():
        return {}
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError("the working-area file is not valid YAML", file=path,
                          line=mark.line + 1 if mark is not None else None,
                          expected="lines like  area: thurrock  and  period: \"2022\"") from error
    if not isinstance(content, dict):
        raise ConfigError("the working-area file must map keys to values", file=path,
                          found=type(content).__name__, expected="area: <name>, period: <period>")
    unknown = sorted(set(map(str, content)) - {"area", "period"})
    if unknown:
        raise ConfigError(f"unknown key(s) in the working-area file: {', '.join(unknown)}",
                          file=path, expected="area, period")
    return {str(key): str(value) for key, value in content.items() if value is not None}


def working_area(root: Path) -> WorkingArea:
    """The working area: ``CSP_AREA``/``CSP_PERIOD``, else ``.csp-lab.yaml``, else the demo."""
    settings = _lab_file_settings(root / LAB_FILE)
    area = os.environ.get(AREA_VARIABLE) or settings.get("area") or DEFAULT_AREA
    period = os.environ.get(PERIOD_VARIABLE) or settings.get("period")
    return WorkingArea(area.strip(), period.strip() if period else None)


def lab_dir(area: str, period: str, root: Path) -> Path:
    """``reports/_lab/<area>/<period>``: where a notebook run by hand writes its tables."""
    return root / "reports" / LAB_DIR / area / canonical_period(period)
