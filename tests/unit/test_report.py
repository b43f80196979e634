"""Section output helpers: tables written beside the page, disclosure applied before writing."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from IPython.display import Markdown
from matplotlib.figure import Figure

from analysis.core.findings import Finding
from analysis.present.page import Section, shown_path
from analysis.present.presentable import Chart, Table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def section(tmp_path: Path) -> Section:
    return Section.open("40_test", "demo", "2024-25", str(tmp_path))


def test_table_written_as_csv_with_stable_name(section: Section, tmp_path: Path) -> None:
    frame = pd.DataFrame({"Ward": ["North", "South"], "Crimes": [1234, None],
                          "Previous": pd.array([5, None], dtype="Int64")})
    shown = section.table(frame, "by_ward", "Crimes by ward", source="open",
                          formats={"Crimes": "{:,.0f}"})
    written = pd.read_csv(tmp_path / "tables" / "40_test__by_ward.csv")
    assert written["Crimes"].tolist()[0] == 1234 and pd.isna(written["Crimes"].iloc[1])
    assert "1,234" in shown.data and "–" in shown.data and "nan" not in shown.data
    assert "&lt;NA&gt;" not in shown.data and "<NA>" not in shown.data


def test_disclosure_applied_before_anything_is_written(section: Section, tmp_path: Path) -> None:
    # ONS rule: 1-9 suppressed, others rounded to 5. Row total 3 + 12 + 40 = 55.
    frame = pd.DataFrame({"Strand": ["Race", "Disability", "Transgender", "Total"],
                          "Crimes": [40, 12, 3, 55]})
    shown = section.table(frame, "by_strand", "Hate crime by strand",
                          formats={"Crimes": "{:,}"}, source="partner", counts=["Crimes"],
                          order="labels", total_row=3)
    written = (tmp_path / "tables" / "40_test__by_strand.csv").read_text()
    assert ",3\n" not in written and ",12\n" not in written  # true small counts never written
    cells = pd.read_csv(tmp_path / "tables" / "40_test__by_strand.csv")["Crimes"].tolist()
    assert cells[2] == "[c]"
    assert cells[1] == "[c]"  # secondary: 55 - 40 - [c] would reveal it otherwise
    assert cells[0] == "40" and cells[3] == "55"
    assert "[c]" in shown.data
    record = json.loads((tmp_path / "disclosure" / "40_test.json").read_text())
    entry = record["files"]["tables/40_test__by_strand.csv"]
    assert entry["counts"] == ["Crimes"] and entry["source"] == "partner"
    assert entry["rule"] == "ons" and entry["hidden_cells"] == 2


def test_key_figures_and_findings_accumulate(section: Section, tmp_path: Path) -> None:
    section.findings([Finding("First.", "increase", "significant")])
    section.findings([Finding("Second.")])
    section.record("total", 12)
    saved = json.loads((tmp_path / "key_figures" / "40_test.json").read_text())["figures"]
    assert [f["statement"] for f in saved["findings"]["value"]] == ["First.", "Second."]
    assert saved["findings"]["value"][0]["direction"] == "increase"
    assert saved["total"]["value"] == 12


def test_shown_path_never_absolute() -> None:
    assert shown_path(str(ROOT / "data" / "raw" / "x.csv"), ROOT) == "data/raw/x.csv"
    assert shown_path("data/raw/a.zip!2024-01/b.csv", ROOT) == "data/raw/a.zip!2024-01/b.csv"


def _strict_loads(text: str) -> object:
    """json.loads that refuses NaN, Infinity and -Infinity, as JavaScript and jq do."""
    def refuse(constant: str) -> object:
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


def test_strict_json_writes_missing_values_as_null() -> None:
    import datetime

    import numpy as np

    from analysis.core.files import strict_json

    content = {"nan": float("nan"), "na": pd.NA, "nat": pd.NaT, "inf": np.inf,
               "np_int": np.int64(7), "np_float": np.float64(2.5), "np_nan": np.float64("nan"),
               "np_bool": np.bool_(True), "when": datetime.date(2024, 1, 1),
               "nested": [{"x": float("nan")}, (1, None)]}
    parsed = _strict_loads(strict_json(content))
    assert parsed == {"nan": None, "na": None, "nat": None, "inf": None, "np_int": 7,
                      "np_float": 2.5, "np_nan": None, "np_bool": True, "when": "2024-01-01",
                      "nested": [{"x": None}, [1, None]]}
    with pytest.raises(ValueError):
        _strict_loads('{"a": NaN}')  # the check itself rejects what json.dumps used to write


def test_key_figures_with_unknown_values_are_strict_json(section: Section,
                                                         tmp_path: Path) -> None:
    section.record("all_crime_pct_diff", float("nan"))
    section.record("all_crime_previous", pd.NA)
    saved = _strict_loads((tmp_path / "key_figures" / "40_test.json").read_text())
    assert saved["figures"]["all_crime_pct_diff"]["value"] is None
    assert saved["figures"]["all_crime_previous"]["value"] is None


def test_header_states_the_comparison_rule(section: Section) -> None:
    header = section.header("Test", sources=[], caveats=[]).data
    assert "2024/25 compared with 2023/24 (the 12 months before)" in header


def test_partner_counts_in_key_figures_are_published_under_the_rule(section: Section,
                                                                     tmp_path: Path) -> None:
    section.record("small", 4, source="partner")
    section.record("large", 2514, source="partner")
    section.record("open", 2514)  # published open data: as it is
    section.record("share", 12.34, source="partner")  # not a count: as given
    figures = json.loads((tmp_path / "key_figures" / "40_test.json").read_text())["figures"]
    assert [figures[k]["value"] for k in ("small", "large", "open", "share")] == [
        "[c]", 2515, 2514, 12.34]


def test_a_partner_change_is_worked_out_again_from_the_published_counts(
        section: Section) -> None:
    shown = section.published_change({"current": 2514, "previous": 2012, "pct_diff": 24.95,
                                      "significance": "significant increase"})
    # 2515 against 2010: 505 more on 2010 is 25.1 %, the % a reader gets from the table.
    assert shown == {"current": 2515, "previous": 2010, "pct_diff": 25.1,
                     "significance": "significant increase"}
    hidden = section.published_change({"current": 7, "previous": 30, "pct_diff": -76.7,
                                       "significance": "significant decrease"})
    assert hidden["current"] == "[c]" and hidden["pct_diff"] is None
    assert hidden["significance"] == "not shown, a count is under 10 (disclosure control)"
    unknown = section.published_change({"current": 40, "previous": None, "pct_diff": None,
                                        "significance": "not assessed"})
    assert unknown == {"current": 40, "previous": None, "pct_diff": None,
                       "significance": "not assessed"}


def test_findings_are_written_from_the_published_change(section: Section) -> None:
    from analysis.present.narrative import describe_change

    table = pd.DataFrame({"measure": ["Knife crime", "Rape"], "current": [212, 8],
                          "previous": [148, 12], "diff": [64, -4], "pct_diff": [43.2, -33.3],
                          "pct_reliable": [True, True],
                          "significance": ["significant increase", "no significant change"]})
    shown = section.published_changes(table)
    # 210 against 150: 60 more, 40.0 % - what a reader works out from the table.
    knife = shown.iloc[0]
    assert (knife["current"], knife["previous"], knife["diff"], knife["pct_diff"]) == (
        210, 150, 60, 40.0)
    assert describe_change(knife, "Knife crime").startswith(
        "Knife crime rose by 60 offences (40.0 %)")
    rape = shown.iloc[1]  # 8 is hidden: no count, difference or test result is stated
    assert pd.isna(rape["current"]) and pd.isna(rape["diff"]) and pd.isna(rape["pct_diff"])
    assert describe_change(rape, "Rape") == (
        "Rape: not shown, a count is under 10 (disclosure control).")
    assert table.loc[0, "current"] == 212  # the true table is left as it was
    # A period the extract does not cover stays unknown beside a published count.
    one_side = section.published_row({"current": float("nan"), "previous": 148,
                                      "significance": "not assessed"})
    assert pd.isna(one_side["current"]) and one_side["previous"] == 150
    assert pd.isna(one_side["pct_diff"]) and one_side["withheld"] is None


def test_show_renders_a_table_object_as_section_table_does(section: Section,
                                                           tmp_path: Path) -> None:
    frame = pd.DataFrame({"Strand": ["Race", "Disability", "Transgender", "Total"],
                          "Crimes": [40, 12, 3, 55]})
    declared = {"source": "partner", "counts": ["Crimes"], "order": "labels", "total_row": 3}
    direct = section.table(frame, "direct", "Hate crime", formats={"Crimes": "{:,}"}, **declared)
    shown = section.show(Table(frame, "shown", "Hate crime", formats={"Crimes": "{:,}"},
                               **declared))
    assert shown.data == direct.data.replace("40_test__direct", "40_test__shown")
    assert ((tmp_path / "tables" / "40_test__shown.csv").read_text()
            == (tmp_path / "tables" / "40_test__direct.csv").read_text())


def test_show_draws_a_partner_chart_from_its_published_data(section: Section,
                                                            tmp_path: Path) -> None:
    data = pd.DataFrame({"Month": ["Jan", "Feb"], "Crimes": [3, 40]})
    drawn: list[list[float]] = []

    def draw(published: pd.DataFrame) -> Figure:
        drawn.append(published["Crimes"].tolist())
        fig, ax = plt.subplots()
        ax.bar(published["Month"], published["Crimes"].fillna(0))
        return fig

    image = section.show(Chart(draw, data, "monthly", source="partner", counts=["Crimes"],
                               alt="Crimes by month"))
    assert image.alt == "Crimes by month"
    assert pd.isna(drawn[0][0]) and drawn[0][1] == 40  # the 3 is hidden before drawing


def test_display_shows_items_in_order_and_passes_text_through(
        section: Section, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[object] = []
    monkeypatch.setattr("analysis.present.page.display", shown.append)
    note = Markdown("A note.")
    section.display([note, Table(pd.DataFrame({"Ward": ["North"], "Crimes": [12]}), "wards",
                                 "Crimes by ward", source="open")])
    assert shown[0] is note and "csp-table" in shown[1].data


def test_record_all_keeps_each_figure_with_its_label(section: Section, tmp_path: Path) -> None:
    section.record_all([("crimes", 120, "Crimes 2024/25"), ("share", 12.5, "% at night")])
    saved = json.loads((tmp_path / "key_figures" / "40_test.json").read_text())["figures"]
    assert saved["crimes"] == {"value": 120, "label": "Crimes 2024/25"}
    assert saved["share"] == {"value": 12.5, "label": "% at night"}


def test_table_shows_human_headings_and_its_file_keeps_the_names(section: Section,
                                                                 tmp_path: Path) -> None:
    frame = pd.DataFrame({"cell_id": ["E500000N200000"], "rate_lower": [1.25]})
    shown = section.table(frame, "squares", "Squares", source="open",
                          formats={"rate_lower": "{:.1f}"})
    assert "<th>Grid square (BNG)</th>" in shown.data and "<th>Rate: lower 95 %</th>" in shown.data
    assert "cell_id" not in shown.data.replace("40_test__squares", "")
    assert ">1.2<" in shown.data or ">1.3<" in shown.data  # formatted under its machine name
    written = pd.read_csv(tmp_path / "tables" / "40_test__squares.csv")
    assert written.columns.tolist() == ["cell_id", "rate_lower"]


def test_chart_keeps_its_layout_check_and_a_described_alt_text(section: Section) -> None:
    from analysis.present.charts import monthly_trend
    from analysis.present.page import TEXT_OVERLAPS

    data = pd.DataFrame({"month": pd.date_range("2024-04-01", periods=3, freq="MS"),
                         "Crimes": [10.0, 12.0, 9.0]})
    image = section.show(Chart(lambda published: monthly_trend(
        published, value_cols=["Crimes"], title="Crimes per month", ylabel="crimes"),
        data, "trend", source="open", counts=["Crimes"]))
    assert image.metadata[TEXT_OVERLAPS] == []
    assert image.alt == ("Crimes per month. Line chart of crimes, April 2024 to June 2024. "
                         "Crimes: 10 in April 2024, 9 in June 2024; highest 12 (May 2024), "
                         "lowest 9 (June 2024). The numbers are in tables/40_test__trend.csv.")
