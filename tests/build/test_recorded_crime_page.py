"""The demo's published Home Office recorded crime tables: consistent with its police.uk
files, and leading the crime overview as table 3.1 with the most similar group column."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.vocabulary import ASB

pytestmark = pytest.mark.build


def test_demo_prc_counts_equal_its_located_police_uk_crimes(demo_project: Path) -> None:
    raw = demo_project / "data" / "raw" / "demo"
    prc = pd.concat([pd.read_csv(p) for p in sorted((raw / "prc").glob("prc-*.csv"))])
    kingsmere = prc[(prc["CSP Name"] == "Kingsmere") & (prc["Financial Year"] == "2024/25")
                    & (prc["Financial Quarter"] == 1)]
    street = pd.concat([pd.read_csv(raw / "police_uk" / m / f"{m}-demoshire-street.csv",
                                    dtype=str, keep_default_na=False)
                        for m in ("2024-04", "2024-05", "2024-06")])
    located = street[street["LSOA name"].str.startswith("Kingsmere ")
                     & (street["Crime type"] != ASB)]
    assert kingsmere["Offence Count"].sum() == len(located)
    # the older vintage is written with the older labels, read back as the current ones
    older = pd.read_csv(raw / "prc" / "prc-csp-demo-older-vintage.csv")
    assert "Theft Offences" in set(older["Offence Group"])
    assert "Theft offences" not in set(older["Offence Group"])
    members = pd.read_csv(raw / "prc" / "most_similar_groups.csv")
    assert len(members) >= 8


def _table_after(page: str, caption_start: str) -> str:
    start = page.index(caption_start)
    return page[start:page.index("</table>", start)]


def test_overview_leads_with_table_31_and_the_msg_column(built_demo_report: Path) -> None:
    page = (built_demo_report / "10_crime_overview.html").read_text(encoding="utf-8")
    published = page.index("Police recorded crime by Home Office offence group")
    assert published < page.index("Recorded crime by type, Kingsmere")  # police.uk follows
    table = _table_after(page, "Police recorded crime by Home Office offence group")
    for heading in ("Offence group", "Offence subgroup", "2023/24", "2024/25", "# diff.",
                    "% diff.", "Force rate per 1,000", "MSG average per 1,000",
                    "Against MSG"):
        assert f"<th>{heading}</th>" in table
    for group in ("Violence against the person", "Theft offences", "Vehicle offences",
                  "All other theft offences"):  # older labels were mapped, not lost
        assert f"<td>{group}</td>" in table
    csv = pd.read_csv(built_demo_report / "tables"
                      / "10_crime_overview__published_crime_by_group.csv")
    vehicle = csv[csv["Offence subgroup"] == "Vehicle offences"].iloc[0]
    assert vehicle["Against MSG"] == "significantly higher"  # planted in the demo
    assert vehicle["Rate per 1,000"] > vehicle["MSG average per 1,000"]
    total = csv[csv["Offence group"] == "All crime"].iloc[0]
    groups = csv[csv["Offence subgroup"] == "All"]
    assert total["2024/25"] == groups["2024/25"].sum()
    members = pd.read_csv(built_demo_report / "tables"
                          / "10_crime_overview__most_similar_group.csv")
    assert (members["In the MSG average"] == "in the MSG average").sum() == 8
    assert re.search(r"Vehicle offences|vehicle offences \d", page)
