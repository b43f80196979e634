"""Published Home Office recorded crime (PRC) tables: reading, label drift, quarter sums and
the most similar group comparison, against hand-computed fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.inputs.recorded_crime import (
    group_of,
    parse_financial_year,
    read_most_similar_groups,
    read_recorded_crime,
    read_recorded_crime_tables,
)
from analysis.stats.recorded_crime import (
    financial_year_for,
    force_in_table,
    msg_comparison,
    recorded_crime_table,
    yearly_counts,
)

HEADER = ("Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,"
          "Offence Group,Offence Subgroup,Offence Code,Offence Count\n")


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def row(year: str, quarter: int, csp: str, group: str, subgroup: str, code: str, count: int,
        force: str = "Demo Police", description: str = "x") -> str:
    return f"{year},{quarter},{force},{csp},{description},{group},{subgroup},{code},{count}"


def test_years_are_read_in_the_published_forms() -> None:
    assert parse_financial_year("2024/25") == "2024/25"
    assert parse_financial_year("2024-25") == "2024/25"
    assert parse_financial_year("2024_25") == "2024/25"
    assert parse_financial_year("2024/2025") == "2024/25"
    assert parse_financial_year("1999/00") == "1999/00"
    assert parse_financial_year("2024/26") is None
    assert parse_financial_year("2024") is None


def test_label_drift_maps_older_names_to_current_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "old.csv", [
        row("2016_17", 1, "Kingsmere", "Theft Offences", "Other theft offences", "49", 5),
        row("2016_17", 1, "Kingsmere", "Sexual offences", "Rape offences", "19C", 2),
        row("2016_17", 1, '"London, City of"', "Theft Offences", "Theft from a vehicle", "45",
            1, force='"London, City of"'),
    ])
    table = read_recorded_crime(path)
    assert list(table["offence_group"]) == ["Theft offences", "Sexual offences",
                                            "Theft offences"]
    assert list(table["offence_subgroup"]) == ["All other theft offences", "Rape",
                                               "Vehicle offences"]
    assert table.loc[2, "csp_name"] == "City of London"
    assert table.loc[2, "force_name"] == "City of London"
    assert list(table["financial_year"]) == ["2016/17"] * 3
    assert list(table["source_line"]) == [2, 3, 4]


def test_an_unknown_label_is_an_error_naming_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", [
        row("2024/25", 1, "Kingsmere", "Theft offences", "Shoplifting", "46", 5),
        row("2024/25", 1, "Kingsmere", "Theft offences", "Shop theft", "46", 5),
    ])
    with pytest.raises(InputError) as error:
        read_recorded_crime(path)
    assert error.value.line == 3
    assert error.value.column == "Offence Subgroup"
    assert error.value.found == "Shop theft"
    assert str(path) in str(error.value)


def test_a_deliberately_unmapped_label_says_why(tmp_path: Path) -> None:
    path = write(tmp_path / "burglary.csv", [
        row("2015/16", 1, "Kingsmere", "Theft offences", "Domestic burglary", "28", 5)])
    with pytest.raises(InputError, match="not mapped") as error:
        read_recorded_crime(path)
    assert "April 2017" in str(error.value)


def test_a_subgroup_in_the_wrong_group_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "wrong.csv", [
        row("2024/25", 1, "Kingsmere", "Robbery", "Shoplifting", "46", 5)])
    with pytest.raises(InputError, match="not part of the row's offence group"):
        read_recorded_crime(path)


@pytest.mark.parametrize(("cell", "column"), [
    ("2024/25,5", "Financial Quarter"), ("2024/26,1", "Financial Year"),
])
def test_bad_years_and_quarters_are_errors(tmp_path: Path, cell: str, column: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(HEADER + f"{cell},Demo Police,Kingsmere,x,Robbery,"
                    "Robbery of personal property,34B,1\n")
    with pytest.raises(InputError) as error:
        read_recorded_crime(path)
    assert (error.value.line, error.value.column) == (2, column)


def test_a_count_that_is_not_a_whole_number_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "count.csv", [
        row("2024/25", 1, "Kingsmere", "Robbery", "Robbery of personal property", "34B", 1),
    ]).read_text().replace(",1\n", ",1.5\n")
    (tmp_path / "count.csv").write_text(path)
    with pytest.raises(InputError, match="whole number") as error:
        read_recorded_crime(tmp_path / "count.csv")
    assert (error.value.line, error.value.column) == (2, "Offence Count")


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("Financial Year,Financial Quarter\n2024/25,1\n")
    with pytest.raises(InputError, match="missing") as error:
        read_recorded_crime(path)
    assert error.value.column == "Force Name"


def test_the_same_offence_twice_in_a_quarter_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "twice.csv", [
        row("2024/25", 1, "Kingsmere", "Robbery", "Robbery of personal property", "34B", 1),
        row("2024/25", 1, "Kingsmere", "Robbery", "Robbery of personal property", "34B", 2),
    ])
    with pytest.raises(InputError, match="twice") as error:
        read_recorded_crime(path)
    assert error.value.line == 3


def test_a_newer_vintage_replaces_the_quarters_it_holds(tmp_path: Path) -> None:
    old = write(tmp_path / "old.csv", [
        row("2023/24", 4, "Kingsmere", "Robbery", "Robbery of personal property", "34B", 10),
        row("2024/25", 1, "Kingsmere", "Robbery", "Robbery of personal property", "34B", 20),
    ])
    new = write(tmp_path / "new.csv", [
        row("2024/25", 1, "Kingsmere", "Robbery", "Robbery of personal property", "34B", 21),
    ])
    table = read_recorded_crime_tables([old, new])
    assert sorted(zip(table["financial_year"], table["count"], strict=True)) == [
        ("2023/24", 10), ("2024/25", 21)]


def quarters(rows: list[tuple[str, int, str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["financial_year", "quarter", "csp_name", "offence_group",
                                       "offence_subgroup", "count"]).assign(
        force_name="Demo Police")


def test_quarters_sum_to_years_and_an_incomplete_year_is_unknown() -> None:
    data = quarters([
        ("2023/24", 1, "A", "Robbery", "Robbery of personal property", 3),
        ("2023/24", 2, "A", "Robbery", "Robbery of personal property", 4),
        ("2023/24", 3, "A", "Robbery", "Robbery of personal property", 5),
        ("2023/24", 4, "A", "Robbery", "Robbery of personal property", 6),
        ("2024/25", 1, "A", "Robbery", "Robbery of personal property", 7),
        ("2024/25", 2, "A", "Robbery", "Robbery of personal property", 8),
        ("2024/25", 3, "A", "Robbery", "Robbery of business property", 1),
    ])
    yearly = yearly_counts(data, ["csp_name", "offence_subgroup"]).set_index(
        ["financial_year", "offence_subgroup"])
    full = yearly.loc[("2023/24", "Robbery of personal property")]
    assert (full["count"], full["complete"], full["quarters_held"]) == (18, True, "Q1–Q4")
    partial = yearly.loc[("2024/25", "Robbery of personal property")]
    assert pd.isna(partial["count"])
    assert (partial["held_count"], partial["complete"]) == (15, False)
    # Q3 is held for the area (a business robbery), so personal robbery's Q3 is 0, not missing
    assert partial["quarters_held"] == "Q1–Q3"


def test_msg_comparison_against_hand_computed_values() -> None:
    # 40 offences in 20,000 residents: 2.0 per 1,000. Byar, z = 1.96: lower
    # 40 (1 - 1/360 - 1.96/(3 sqrt 40))^3 = 28.573, upper 41 (1 - 1/369 + 1.96/(3 sqrt 41))^3
    # = 54.470, i.e. 1.4287..2.7235 per 1,000.
    result = msg_comparison(40, 20_000, [1.0, 1.2, 1.1])
    assert result["rate"] == pytest.approx(2.0)
    assert result["lower"] == pytest.approx(1.42866, abs=1e-4)
    assert result["upper"] == pytest.approx(2.72350, abs=1e-4)
    assert result["msg_mean"] == pytest.approx(1.1)
    assert (result["members"], result["significance"]) == (3, "significantly higher")
    assert msg_comparison(40, 20_000, [3.0, 3.2])["significance"] == "significantly lower"
    assert msg_comparison(40, 20_000, [2.5, 1.5])["significance"] == "not significantly different"
    assert msg_comparison(40, 20_000, [float("nan")])["significance"] == "not assessed"


def full_year(year: str, csp: str, counts: dict[str, int]) -> list[tuple]:
    subgroups = {"Robbery of personal property": "Robbery", "Shoplifting": "Theft offences"}
    out = []
    for quarter in (1, 2, 3, 4):
        for subgroup, total in counts.items():
            out.append((year, quarter, csp, subgroups[subgroup], subgroup, total // 4))
    return out


def test_table_31_with_force_and_msg_columns() -> None:
    data = quarters([
        *full_year("2023/24", "A", {"Robbery of personal property": 40, "Shoplifting": 80}),
        *full_year("2024/25", "A", {"Robbery of personal property": 60, "Shoplifting": 80}),
        *full_year("2024/25", "B", {"Robbery of personal property": 20, "Shoplifting": 40}),
        *full_year("2024/25", "C", {"Robbery of personal property": 8, "Shoplifting": 120}),
    ])
    data.loc[data["csp_name"] == "C", "force_name"] = "Other Police"
    # D is in the group but has only three quarters: not averaged
    data = pd.concat([data, quarters([("2024/25", q, "D", "Robbery",
                                       "Robbery of personal property", 9) for q in (1, 2, 3)])
                      .assign(force_name="Other Police")])
    # E has a full year but no population estimate: listed, not averaged, never guessed
    data = pd.concat([data, quarters(full_year("2024/25", "E", {"Shoplifting": 400}))
                      .assign(force_name="Other Police")])
    members = pd.DataFrame({"csp_code": ["E22000001", "E22000002", "E22000003", "E22000004",
                                         "E22000005"],
                            "csp_name": ["A", "B", "C", "D", "E"]})
    populations = pd.Series({"E22000001": 20_000, "E22000002": 10_000, "E22000003": 8_000,
                             "E22000004": 9_000})
    table = recorded_crime_table(
        data, area_code="E22000001", area_name="A", force_name="Demo Police",
        area_population=20_000, force_population=30_000, members=members,
        populations=populations, current_year="2024/25", previous_year="2023/24")
    rows = table.set_index("offence_subgroup")
    robbery = rows.loc["Robbery of personal property"]
    assert (robbery["previous"], robbery["current"], robbery["diff"]) == (40, 60, 20)
    assert robbery["pct_diff"] == 50.0
    assert robbery["rate"] == pytest.approx(3.0)              # 60 / 20,000 x 1,000
    assert robbery["force_rate"] == pytest.approx(80 / 30)     # (60 + 20) / 30,000 x 1,000
    assert robbery["msg_mean"] == pytest.approx((2.0 + 1.0) / 2)  # B: 20/10k, C: 8/8k
    assert robbery["msg_members"] == 2
    assert robbery["against_msg"] == "significantly higher"
    shop = rows.loc["Shoplifting"]
    assert shop["msg_mean"] == pytest.approx((4.0 + 15.0) / 2)  # B: 40/10k, C: 120/8k
    assert shop["against_msg"] == "significantly lower"        # 4.0, interval 3.17..4.98
    group = table[(table["offence_group"] == "Robbery") & (table["row_kind"] == "group")].iloc[0]
    assert group["current"] == 60
    total = table[table["row_kind"] == "total"].iloc[0]
    assert (total["previous"], total["current"]) == (120, 140)
    assert list(table["row_kind"]) == ["group", "subgroup", "group", "subgroup", "total"]
    status = table.attrs["members"].set_index("csp_name")["status"]
    assert status["D"] == "incomplete year: Q1–Q3 held"
    assert status["A"] == "the area"
    assert status["E"] == "no population estimate held"


def test_an_incomplete_area_year_gives_no_change_and_no_rate() -> None:
    data = quarters([
        *full_year("2023/24", "A", {"Robbery of personal property": 40}),
        *[("2024/25", q, "A", "Robbery", "Robbery of personal property", 10) for q in (1, 2)],
    ])
    members = pd.DataFrame({"csp_code": ["E22000001"], "csp_name": ["A"]})
    table = recorded_crime_table(
        data, area_code="E22000001", area_name="A", force_name="Demo Police",
        area_population=20_000, force_population=30_000, members=members,
        populations=pd.Series({"E22000001": 20_000}), current_year="2024/25",
        previous_year="2023/24")
    row = table.iloc[1]
    assert row["previous"] == 40
    assert pd.isna(row["current"]) and pd.isna(row["diff"]) and pd.isna(row["rate"])
    assert row["significance"] == "not assessed"
    assert row["against_msg"] == "not assessed"
    assert table.attrs["quarters_held"]["2024/25"] == "Q1–Q2"


def test_msg_file_and_the_area_group(tmp_path: Path) -> None:
    path = tmp_path / "msg.csv"
    path.write_text("group,csp_code,csp_name\n1,E22000001,A\n1,E22000002,B\n2,E22000003,C\n")
    groups = read_most_similar_groups(path)
    assert list(group_of(groups, "E22000002")["csp_name"]) == ["A", "B"]
    with pytest.raises(InputError, match="exactly one"):
        group_of(groups, "E22000009")
    path.write_text("group,csp_code,csp_name\n1,E2200001,A\n")
    with pytest.raises(InputError, match="not a CSP code") as error:
        read_most_similar_groups(path)
    assert error.value.line == 2


def test_financial_year_for_a_period_end() -> None:
    assert financial_year_for(2025, 3) == "2024/25"
    assert financial_year_for(2024, 12) == "2023/24"
    assert financial_year_for(2025, 2) == "2023/24"


def test_without_a_published_table_the_page_says_how_to_add_it(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from analysis.present.recorded_crime import HOW_TO_ADD, published_crime

    section = SimpleNamespace(store_dir=tmp_path, config=None, period=None, root=tmp_path)
    result = published_crime(section)  # type: ignore[arg-type]
    assert [item.data for item in result.items] == [HOW_TO_ADD]
    assert "sources.recorded_crime" in HOW_TO_ADD and "#" not in HOW_TO_ADD  # no heading
    assert (result.sources, result.findings, result.key_figures) == ([], [], [])


def test_msg_findings_one_per_higher_group_naming_its_higher_subgroups() -> None:
    from analysis.present.recorded_crime import msg_findings, presentable_table

    table = pd.DataFrame({
        "offence_group": ["Theft offences", "Theft offences", "Theft offences", "Drug offences",
                          "Drug offences", "All crime"],
        "offence_subgroup": ["All", "Vehicle offences", "Shoplifting", "All",
                             "Trafficking of drugs", "All crime"],
        "row_kind": ["group", "subgroup", "subgroup", "group", "subgroup", "total"],
        "rate": [37.0, 9.9, 7.6, 3.2, 0.78, 120.0],
        "msg_mean": [34.1, 6.35, 7.4, 3.2, 0.62, 100.0],
        "msg_members": 8,
        "against_msg": ["significantly higher", "significantly higher",
                        "not significantly different", "not significantly different",
                        "significantly higher", "significantly higher"],
    })
    findings = msg_findings(table, area_name="Kingsmere", year="2024/25")
    assert [f.theme for f in findings] == ["Theft offences", "Trafficking of drugs"]
    assert "vehicle offences 9.90 against 6.35" in findings[0].statement
    assert "shoplifting" not in findings[0].statement
    assert {(f.direction, f.significance) for f in findings} == {("above comparators",
                                                                  "significant")}
    table = table.assign(previous=pd.NA, current=pd.NA, diff=pd.NA, pct_diff=float("nan"),
                         significance="not assessed", force_rate=float("nan"))
    table.attrs.update(previous_year="2023/24", current_year="2024/25",
                       quarters_held={"2023/24": "Q1–Q4", "2024/25": "Q1–Q3"})
    shown = presentable_table(table)
    assert list(shown.columns[2:4]) == ["2023/24", "2024/25 (incomplete: Q1–Q3 held)"]


def test_the_force_is_named_as_the_table_names_it() -> None:
    data = quarters([("2024/25", 1, "Thurrock", "Robbery", "Robbery of personal property", 1)])
    data["force_name"] = "Essex"
    assert force_in_table(data, "Thurrock", "Essex Police") == "Essex"
    assert force_in_table(data, "Basildon", "Essex Police") == "Essex Police"
