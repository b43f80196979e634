"""Where the backtest snapshot lives and how it is read (shared by both backtest modules)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "snapshot"
KEY_FIGURES_FILE = SNAPSHOT / "key_figures.json"
TABLES_DIR = SNAPSHOT / "tables"

TABLES = (
    "10_crime_overview__crime_type_change",
    "20_anti_social_behaviour__asb_change",
    "20_anti_social_behaviour__asb_categories",
    "20_anti_social_behaviour__asb_wards",
    "30_places__top_squares_crime",
    "30_places__ward_profile",
    "40_vawg_domestic_abuse__da_change",
    "40_vawg_domestic_abuse__da_wards",
    "50_serious_violence__measures_change",
    "60_hate_crime__hate_strands",
    "60_hate_crime__hate_total_change",
    "60_hate_crime__hate_wards",
    "70_exploitation_drugs__measures_change",
    "70_exploitation_drugs__wards",
    "80_offending_reoffending__reoffending_latest",
    "80_offending_reoffending__rj_referrals",
    "85_public_perception__survey_latest",
    "90_priorities__ranking",
)
"""The headline tables of each section (files under the report's ``tables/``)."""

LEFT_OUT_FIGURES = {"findings"}
"""Key figures not in the snapshot: sentences, not numbers (the report comparison covers them)."""


def read_table(path: Path) -> list[dict[str, str]]:
    """A CSV table as a list of rows (column -> text exactly as written)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def snapshot_key_figures() -> dict[str, dict[str, dict[str, object]]]:
    """The committed key figures: section -> figure id -> {"value", "label"}."""
    return json.loads(KEY_FIGURES_FILE.read_text(encoding="utf-8"))


def snapshot_table(name: str) -> list[dict[str, str]]:
    """One committed table, e.g. ``snapshot_table("10_crime_overview__crime_type_change")``."""
    return read_table(TABLES_DIR / f"{name}.csv")


def snapshot_table_names() -> list[str]:
    """Names (file stems) of the committed tables."""
    return sorted(path.stem for path in TABLES_DIR.glob("*.csv"))


def built_key_figures(report: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Section -> figure id -> {"value", "label"} from the report's ``key_figures/*.json``."""
    figures = {}
    for path in sorted((report / "key_figures").glob("*.json")):
        section = json.loads(path.read_text(encoding="utf-8"))
        kept = {name: {"value": figure["value"], "label": figure["label"]}
                for name, figure in section["figures"].items() if name not in LEFT_OUT_FIGURES}
        if kept:
            figures[section["section"]] = kept
    return figures


def write_snapshot(report: Path) -> None:
    """Replace the committed snapshot with the built report's key figures and tables."""
    KEY_FIGURES_FILE.write_text(
        json.dumps(built_key_figures(report), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    shutil.rmtree(TABLES_DIR, ignore_errors=True)
    TABLES_DIR.mkdir(parents=True)
    for name in TABLES:
        shutil.copyfile(report / "tables" / f"{name}.csv", TABLES_DIR / f"{name}.csv")
