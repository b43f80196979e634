"""The demo pack checked from its disclosure register: every partner-derived count column of
every CSV, the derived columns beside them, and hidden cells against other files' totals.

The checks here are written independently of :func:`analysis.present.disclosure_register.
verify_register` (which the pack also passes), so a fault in the verifier cannot hide a leak.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.present.disclosure_register import recoverable_keys, verify_register
from analysis.publish.share import build_share_pack
from analysis.stats.disclosure import DisclosureRule, recoverable_cells

pytestmark = pytest.mark.build

ONS = DisclosureRule.named("ons")


@pytest.fixture(scope="module")
def pack(built_demo_report: Path) -> dict[str, bytes]:
    """Every file of the demo's partner pack, by name."""
    path = build_share_pack("demo", "2024-25", built_demo_report.parents[2])
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv(pack: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(pack[name]), dtype=str, keep_default_na=False)


def test_every_csv_of_the_pack_is_in_the_register(pack: dict[str, bytes]) -> None:
    register = json.loads(pack["disclosure_register.json"])
    files = {entry["file"] for entry in register["files"]}
    tables = {name for name in pack if name.startswith("tables/")}
    assert tables == files
    assert register["totals"]["controlled_files"] == sum(
        entry["source"] == "partner" for entry in register["files"]) > 20
    assert register["totals"]["hidden_cells"] > 0


def test_no_partner_count_of_1_to_9_and_every_count_rounded(pack: dict[str, bytes]) -> None:
    register = json.loads(pack["disclosure_register.json"])
    checked = 0
    for entry in register["files"]:
        if entry["source"] != "partner":
            continue
        table = csv(pack, entry["file"])
        for column in entry["counts"]:
            for value in table[column]:
                if value in ("", "[c]"):
                    continue
                number = float(value)
                assert number.is_integer() and number >= 10 and number % 5 == 0, (
                    entry["file"], column, value)
                checked += 1
    assert checked > 500


def test_derived_columns_never_reveal_a_hidden_count(pack: dict[str, bytes]) -> None:
    register = json.loads(pack["disclosure_register.json"])
    for entry in register["files"]:
        table = csv(pack, entry["file"])
        for column, derived in entry["derived"].items():
            inputs = derived["of"]
            for _, row in table.iterrows():
                values = [row[c] for c in inputs]
                if derived["kind"] in ("difference", "percent_change") and "[c]" in values:
                    assert row[column] == "[c]", (entry["file"], column)
                if derived["kind"] == "difference" and "" not in values and "[c]" not in values:
                    assert float(row[column]) == float(values[0]) - float(values[1])


def test_no_hidden_cell_recoverable_from_totals_in_its_file_or_others(
        pack: dict[str, bytes]) -> None:
    register = json.loads(pack["disclosure_register.json"])
    equations, hidden, shown = [], set(), set()
    for entry in register["files"]:
        if entry["source"] != "partner":
            continue
        table = csv(pack, entry["file"])
        counts = entry["counts"]
        mask = table[counts] == "[c]"
        assert recoverable_cells(mask, total_row=entry["total_row"],
                                 total_column=entry["total_column"]) == [], entry["file"]
        keys = {(r, c): (entry["measure"] or entry["file"],
                         tuple(table.loc[r, label] for label in entry["labels"]), c)
                for r in table.index for c in counts}
        hidden |= {keys[cell] for cell in keys if table.loc[cell] == "[c]"}
        shown |= {keys[cell] for cell in keys if table.loc[cell] not in ("", "[c]")}
        if entry["total_row"] is not None:
            body = [r for r in table.index if r != entry["total_row"]]
            equations += [([keys[(r, c)] for r in body], keys[(entry["total_row"], c)])
                          for c in counts]
    assert hidden and not hidden & shown
    assert recoverable_keys(hidden, equations) == []


def test_holes_found_before_are_closed(built_demo_report: Path, pack: dict[str, bytes]) -> None:
    register = {e["file"]: e for e in json.loads(pack["disclosure_register.json"])["files"]}
    for name in ("40_vawg_domestic_abuse__da_by_offence_group",
                 "40_vawg_domestic_abuse__vawg_offences", "50_serious_violence__severity_gaps",
                 "30_places__day_hour_crimes", "30_places__day_hour_asb",
                 "50_serious_violence__knife_monthly", "70_exploitation_drugs__drugs_monthly",
                 "60_hate_crime__hate_quarterly_trend"):
        assert register[f"tables/{name}.csv"]["source"] == "partner", name
    vawg = register["tables/40_vawg_domestic_abuse__vawg_offences.csv"]
    assert "Of which domestic abuse, 2024/25" in vawg["counts"]
    # Hate crime by ward: numbers largest first, then the hidden cells in label order.
    wards = csv(pack, "tables/60_hate_crime__hate_wards.csv").iloc[:-1]
    current = wards["2024/25"]
    numbers = [int(v) for v in current if v != "[c]"]
    assert numbers == sorted(numbers, reverse=True)
    hidden = wards.loc[current == "[c]", "Ward"].tolist()
    assert hidden == sorted(hidden) and len(hidden) > 1
    assert (current == "[c]").tolist() == sorted((current == "[c]").tolist())
    # Every page states what is controlled and what is exempt, from the register.
    for page in ("index.html", "40_vawg_domestic_abuse.html", "30_places.html"):
        text = pack[page].decode()
        assert "data.police.uk publishes every record" in text
        assert "Applied to tables about victims and to tables below partnership" not in text
    assert verify_register(built_demo_report, ONS).empty
