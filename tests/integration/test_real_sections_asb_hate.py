"""Sections 20, 40 and 60 built for Thurrock on the real Essex police.uk months (no partner
extracts): ASB shows what police.uk supports, and 40 and 60 say what needs the force's extract.

The Essex months held have gaps (2022 lacks December; 2021 is missing entirely), so the 2022
change cannot be assessed, and police.uk ASB fell from about 405 a month in 2018 to about 217
in 2022 on the nine months both hold (Jan-Jul, Oct, Nov), which the ASB section must call a
recording effect. The 2022 report stops at December 2022: the 2024 months held are not used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.integration
PERIOD = "2022"
SECTIONS = ("20_anti_social_behaviour", "40_vawg_domestic_abuse", "60_hate_crime")


@pytest.fixture(scope="module")
def report(real_reports: dict[tuple[str, str], Path]) -> Path:
    """Thurrock 2022, built with every other real report (``conftest.py``)."""
    return real_reports[("thurrock", PERIOD)]


def _figures(report: Path, section: str) -> dict[str, object]:
    payload = json.loads((report / "key_figures" / f"{section}.json").read_text())
    return {key: item["value"] for key, item in payload["figures"].items()}


def test_asb_from_police_uk(report: Path) -> None:
    figures = _figures(report, SECTIONS[0])
    change = pd.read_csv(report / "tables" / f"{SECTIONS[0]}__asb_change.csv")
    assert change.loc[0, "Area"] == "Thurrock"
    assert change.loc[0, "2022 (11 of 12 months)"] == figures["asb_incidents_current"] > 0
    assert pd.isna(change.loc[0, "2021 (no data)"])
    # 2021 is not held: unknown, never zero, and no change is claimed
    assert figures["asb_incidents_previous"] is None
    assert figures["asb_significance"] == "not assessed"
    assert figures["asb_rate_position"].endswith("of 14")
    # 2018 against 2022 on their common months, not 2024 (after the period): (217 - 405) / 405
    assert -48 < figures["asb_published_change_pct"] < -45
    years = pd.read_csv(report / "tables" / f"{SECTIONS[0]}__asb_publication_by_year.csv")
    assert years["Year"].max() == 2022
    assert any("not a real fall" in f["statement"] for f in figures["findings"])
    for name in ("asb_categories", "asb_repeat_callers", "asb_day_hour"):
        assert not (report / "tables" / f"{SECTIONS[0]}__{name}.csv").exists()
    wards = pd.read_csv(report / "tables" / f"{SECTIONS[0]}__asb_wards.csv")
    assert wards["2021"].isna().all() and wards["2022"].sum() > 0
    html = (report / f"{SECTIONS[0]}.html").read_text(encoding="utf-8")
    assert "police.uk does not publish ASB categories" in html


def test_vawg_and_hate_say_what_needs_the_extract(report: Path) -> None:
    for section, key, words in ((SECTIONS[1], "da_available", "has no domestic-abuse flag"),
                                (SECTIONS[2], "hate_available", "has no hate-crime flag")):
        figures = _figures(report, section)
        assert figures[key] is False
        assert len(figures["findings"]) == 1
        html = (report / f"{section}.html").read_text(encoding="utf-8")
        assert words in html
        assert not list((report / "tables").glob(f"{section}__*.csv"))
