"""The partner pack of the full demo report: no cell below the disclosure threshold anywhere.

The demo plants small counts (the transgender hate-crime strand: 2 to 5 a year, homicide:
3 to 4), so the pack must show them suppressed and the checker must pass every file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.publish.share import build_share_pack, disclosure_breaches
from analysis.stats.disclosure import DisclosureRule

pytestmark = pytest.mark.build


def test_demo_pack_passes_disclosure_control(built_demo_report: Path) -> None:
    root = built_demo_report.parents[2]
    assert disclosure_breaches(built_demo_report, DisclosureRule.named("ons")).empty
    pack = build_share_pack("demo", "2024-25", root)
    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
        strands = next(n for n in names if n.startswith("tables/60_hate_crime")
                       and "strand" in n and n.endswith(".csv"))
        table = pd.read_csv(io.BytesIO(archive.read(strands)), dtype=str)
        sheets = pd.read_excel(io.BytesIO(archive.read("tables.xlsx")), sheet_name=None)
    transgender = table[table.iloc[:, 0].str.lower().str.contains("transgender")]
    assert not transgender.empty
    numbers = transgender.iloc[0, 1:]
    assert numbers.isin(["[c]"]).any() and not numbers.isin([str(n) for n in range(1, 10)]).any()
    assert len(sheets) == 1 + len([n for n in names if n.startswith("tables/")])  # + Contents
    assert not any(n.endswith(".ipynb") for n in names)
