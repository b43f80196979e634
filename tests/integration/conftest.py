"""Real-data reports built once for the whole integration suite.

Building a section costs seconds, so every integration test that reads a built page shares
these: Thurrock and Southend-on-Sea, every section and the index, for the five period forms in
:data:`PERIODS` (see ``test_real_periods.py`` for what each one exercises), and Thurrock for the
28-month :data:`LONG_PERIOD`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from real_builds import AREAS, LONG_PERIOD, PERIODS

from analysis.core.errors import BuildError
from analysis.core.files import report_dir
from analysis.publish.build import build_reports


@pytest.fixture(scope="session")
def real_reports(real_project: Path) -> dict[tuple[str, str], Path]:
    """The report folder of every (area, period), all built; a failed section fails here."""
    reports = [(area, period) for period in PERIODS for area in AREAS]
    reports.append(("thurrock", LONG_PERIOD))
    try:
        build_reports(reports, jobs=2, root=real_project)  # one batch: no idle tails
    except BuildError as error:
        pytest.fail(f"sections failed to build: {error}")
    return {(area, period): report_dir(area, period, real_project) for area, period in reports}
