"""Every period form, built whole on the real Essex months, for Thurrock and Southend-on-Sea.

The Essex months held have gaps (2018-08/09, most of 2019, 2020-2021, 2022-12 to 2023-12 and
everything after 2024-04 are missing), so these five periods cover the cases a real
partnership meets:

* ``2018-19``: 9 of 12 months held, against 3 of 12 in 2017/18 (only Jan and Feb are held in
  both years, so at most a partial like-for-like comparison may be made);
* ``2022``: 11 of 12 months, the year before not held at all;
* ``2024``: 4 of 12 months, the year before not held;
* ``2022-01..2022-11``: a complete 11-month range whose comparison (the same months a year
  earlier) is not held;
* ``2019-01..2019-02``: a complete 2-month range whose comparison, Jan-Feb 2018, is held.

Counts for the assertions are taken from the raw published files with the standard library
(gzip + csv), not through the project's helpers, so a wrong month or area shows up.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from real_builds import AREAS, PERIODS, raw_crimes, strict_json

from analysis.core.files import section_notebooks

pytestmark = pytest.mark.integration

# Comparison periods with no month held at all: nothing may be compared with them.
NOTHING_TO_COMPARE = {"2022": "2021", "2024": "2023", "2022-01..2022-11": "Jan 2021 to Nov 2021"}


@pytest.fixture(scope="module")
def built(real_reports: dict[tuple[str, str], Path]) -> dict[tuple[str, str], Path]:
    """The reports of :data:`AREAS` for :data:`PERIODS` (built once, in ``conftest.py``)."""
    return real_reports


def test_every_section_and_the_index_build(built: dict, real_project: Path) -> None:
    sections = [nb.stem for nb in section_notebooks(real_project)]
    assert len(sections) == 12
    for out in built.values():
        missing = [s for s in sections if not (out / f"{s}.html").is_file()]
        assert not missing and (out / "index.html").is_file(), (out, missing)


def test_every_json_written_is_strict(built: dict) -> None:
    for out in built.values():
        files = [p for p in out.rglob("*.json") if "_executed" not in p.parts]
        assert len(files) > 12
        for path in files:
            strict_json(path)


@pytest.mark.parametrize("period", NOTHING_TO_COMPARE)
@pytest.mark.parametrize("area", AREAS)
def test_no_change_against_a_period_with_no_data(built: dict, area: str, period: str) -> None:
    out = built[(area, period)]
    figures = strict_json(out / "key_figures.json")
    overview = figures["10_crime_overview"]
    assert overview["all_crime_current"]["value"] > 1000
    for key in ("all_crime_previous", "all_crime_pct_diff"):
        assert overview[key]["value"] is None, (key, overview[key])
    assert "significant" not in str(overview["all_crime_significance"]["value"])
    change = pd.read_csv(out / "tables" / "10_crime_overview__crime_type_change.csv")
    total = change.set_index("Crime type").loc["All crime"]
    assert pd.isna(total["# diff."]) and pd.isna(total["% diff."])
    assert pd.isna(total[f"{NOTHING_TO_COMPARE[period]} (no data)"]), "unknown: blank, not 0"
    for page in set(out.glob("*.html")) - {out / "methods.html"}:  # methods: documentation
        text = page.read_text(encoding="utf-8")
        assert "from none" not in text, page.name
        assert not re.search(r"All crime (rose|fell) by", text), page.name


@pytest.mark.parametrize("area", AREAS)
def test_month_range_is_compared_with_the_same_months_a_year_earlier(
        built: dict, real_data: Path, area: str) -> None:
    name = AREAS[area]
    out = built[(area, "2019-01..2019-02")]
    change = pd.read_csv(out / "tables" / "10_crime_overview__crime_type_change.csv")
    total = change.set_index("Crime type").loc["All crime"]
    current = raw_crimes(real_data, name, "2019-01") + raw_crimes(real_data, name, "2019-02")
    previous = raw_crimes(real_data, name, "2018-01") + raw_crimes(real_data, name, "2018-02")
    assert total["Jan 2019 to Feb 2019"] == current
    assert total["Jan 2018 to Feb 2018"] == previous
    assert total["# diff."] == current - previous
    figures = strict_json(out / "key_figures.json")["10_crime_overview"]
    assert figures["all_crime_previous"]["value"] == previous
    expected = round(100 * (current - previous) / previous, 1)
    assert math.isclose(figures["all_crime_pct_diff"]["value"], expected, abs_tol=0.05)
    manifest = strict_json(out / "manifest.json")
    assert "Jan 2018 to Feb 2018" in json.dumps(manifest)
    # The 11-month range of 2022 is set against Jan-Nov 2021 (not held), not Feb-Dec 2020.
    later = built[(area, "2022-01..2022-11")]
    columns = pd.read_csv(later / "tables" / "10_crime_overview__crime_type_change.csv").columns
    assert "Jan 2021 to Nov 2021 (no data)" in columns


@pytest.mark.parametrize("area", AREAS)
def test_partial_years_are_not_compared_whole(built: dict, area: str) -> None:
    """2018-19 holds 9 months against 3: no whole-year change may be stated."""
    out = built[(area, "2018-19")]
    for page in set(out.glob("*.html")) - {out / "methods.html"}:  # methods: documentation
        text = page.read_text(encoding="utf-8")
        assert "249.9" not in text and "from none" not in text, page.name


@pytest.mark.parametrize("period", PERIODS)
def test_index_and_key_findings_open_with_completeness(built: dict, period: str) -> None:
    out = built[("thurrock", period)]
    for page in ("index.html", "99_key_findings.html"):
        text = out.joinpath(page).read_text(encoding="utf-8")
        assert re.search(r"\d+ of \d+ months", text), (period, page)
