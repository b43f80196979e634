"""The disclosure register: declarations that fail safe, published tables, and the checks
across files (hidden in one file, shown or recoverable in another; revealing differences)."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ConfigError, InputError
from analysis.present.disclosure_register import (
    Declaration,
    change_columns,
    disclosure_statement,
    merged_register,
    publish,
    verify_register,
    write_section_register,
)
from analysis.present.page import Section
from analysis.stats.disclosure import DisclosureRule

ROOT = Path(__file__).resolve().parents[2]
ONS = DisclosureRule.named("ons")


def declare(frame: pd.DataFrame, **kwargs: object) -> Declaration:
    return Declaration.of(frame, **{"source": "partner", "order": "labels", **kwargs})


# --- declarations fail safe ------------------------------------------------------------------
def test_partner_table_without_counts_is_an_error() -> None:
    frame = pd.DataFrame({"Ward": ["North"], "Crimes": [3]})
    with pytest.raises(ConfigError, match="declare its count columns"):
        declare(frame)


def test_partner_numeric_column_left_undeclared_is_an_error() -> None:
    frame = pd.DataFrame({"Ward": ["North"], "2024/25": [3], "2023/24": [4], "# diff.": [-1]})
    with pytest.raises(ConfigError, match="neither a count, derived nor kept") as error:
        declare(frame, counts=["2024/25", "2023/24"])
    assert "# diff." in str(error.value)
    declare(frame, counts=["2024/25", "2023/24"], derived={"# diff.": ("difference",
                                                                       "2024/25", "2023/24")})


def test_partner_table_must_declare_its_order_and_source_must_be_known() -> None:
    frame = pd.DataFrame({"Ward": ["North"], "Crimes": [3]})
    with pytest.raises(ConfigError, match="row order"):
        Declaration.of(frame, source="partner", counts=["Crimes"])
    with pytest.raises(ConfigError, match="unknown source class"):
        Declaration.of(frame, source="secret", counts=["Crimes"])
    assert Declaration.of(frame, source="open").labels == ("Ward",)


# --- publishing a partner table --------------------------------------------------------------
def test_differences_and_percentages_are_worked_out_from_published_counts() -> None:
    # True: A 14 and 3 (diff +11), B 23 and 11 (diff +12, +109.1 %).
    frame = pd.DataFrame({"Group": ["A", "B"], "2023/24": [3, 11], "2024/25": [14, 23],
                          "# diff.": [11, 12], "% diff.": [366.7, 109.1]})
    declaration = declare(frame, counts=["2023/24", "2024/25"],
                          derived=change_columns("2024/25", "2023/24"))
    published, _ = publish(frame, declaration, ONS)
    assert published["2023/24"].tolist() == ["[c]", 10]
    assert published["2024/25"].tolist() == [15, 25]
    assert published["# diff."].tolist() == ["[c]", 15]  # 25 - 10, never the true 12
    assert published["% diff."].tolist() == ["[c]", 150.0]


def test_share_of_known_flags_uses_every_record_when_the_blanks_are_hidden() -> None:
    frame = pd.DataFrame({"Period": ["a", "b"], "Crimes": [2000, 2000], "Flagged": [241, 241],
                          "Flag blank": [4, 400], "%": [12.2, 15.2]})
    declaration = declare(frame, counts=["Crimes", "Flagged", "Flag blank"],
                          derived={"%": ("share", "Flagged", "Crimes", "Flag blank")})
    published, _ = publish(frame, declaration, ONS)
    assert published["%"].tolist() == [12.0, 15.0]  # 240 / 2000; 240 / (2000 - 400)


def test_rows_sorted_by_published_value_never_by_the_hidden_count() -> None:
    # True order by count: D 41, B 40, C 12, E 4, A 3. Published: 40, 40, 10, [c], [c].
    frame = pd.DataFrame({"Ward": ["D", "B", "C", "E", "A", "All wards"],
                          "Crimes": [41, 40, 12, 4, 3, 100]})
    declaration = declare(frame, counts=["Crimes"], order="Crimes")
    published, total = publish(frame, declaration, ONS, total_row=5)
    # Ties and hidden cells by label: B before D, A before E (true 3 < 4 would put E first).
    assert published["Ward"].tolist() == ["B", "D", "C", "A", "E", "All wards"]
    assert total == 5 and published.loc[5, "Crimes"] == 100


def test_unknown_months_stay_missing_in_published_chart_data() -> None:
    frame = pd.DataFrame({"month": ["2024-04", "2024-05", "2024-06"],
                          "count": [np.nan, 5.0, 27.0]})
    published, _ = publish(frame, declare(frame, counts=["count"]), ONS)
    assert pd.isna(published.loc[0, "count"]) and published["count"].tolist()[1:] == ["[c]", 25]


def test_chart_counts_that_are_not_whole_numbers_are_refused() -> None:
    frame = pd.DataFrame({"month": ["2024-04", "2024-05"], "count": [np.nan, 5.5]})
    with pytest.raises(InputError, match="whole-number counts"):
        publish(frame, declare(frame, counts=["count"]), ONS)


# --- through a section -----------------------------------------------------------------------
@pytest.fixture
def section(tmp_path: Path) -> Section:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return Section.open("40_test", "demo", "2024-25", str(tmp_path / "out"))


def test_partner_chart_drawn_from_published_data_and_ready_figures_refused(
        section: Section) -> None:
    data = pd.DataFrame({"month": ["2024-04", "2024-05"], "count": [5, 42]})
    seen = {}

    def draw(published: pd.DataFrame) -> plt.Figure:
        seen["values"] = published["count"].tolist()
        return plt.figure()

    section.chart(draw, data, "trend", source="partner", counts=["count"])
    assert pd.isna(seen["values"][0]) and seen["values"][1] == 40
    written = (section.output_dir / "tables" / "40_test__trend.csv").read_text()
    assert "[c]" in written and ",5\n" not in written and ",42\n" not in written
    with pytest.raises(ConfigError, match="drawn from its published data"):
        section.chart(plt.figure(), data, "trend_figure", source="partner", counts=["count"])


def test_the_same_count_gets_the_same_decision_in_every_table(section: Section) -> None:
    section.table(pd.DataFrame({"Offence code": ["8P", "5D"], "Offences": [3, 44]}), "gaps",
                  "Gaps", source="partner", counts=["Offences"], order="labels")
    section.table(pd.DataFrame({"Offence": ["8P", "All"], "2024/25": [3, 60]}), "hate",
                  "Hate", source="partner", counts=["2024/25"], order="labels")
    tables = section.output_dir / "tables"
    assert pd.read_csv(tables / "40_test__gaps.csv")["Offences"].tolist() == ["[c]", "45"]
    assert pd.read_csv(tables / "40_test__hate.csv")["2024/25"].tolist() == ["[c]", "60"]
    assert verify_register(section.output_dir, ONS).empty
    register = merged_register(section.output_dir, "ons")
    assert register["totals"] == {"files": 2, "controlled_files": 2, "hidden_cells": 2}


# --- verification with hand-made tables and register entries --------------------------------
def hand_made(out: Path, tables: dict[str, tuple[pd.DataFrame, dict]]) -> None:
    """Write table files as given (no rule applied) and their register entries."""
    (out / "tables").mkdir(parents=True, exist_ok=True)
    files = {}
    for name, (frame, spec) in tables.items():
        frame.to_csv(out / "tables" / name, index=False)
        files[f"tables/{name}"] = {
            "file": f"tables/{name}", "kind": "table", "source": "partner", "controlled": True,
            "derived": {}, "kept": {}, "labels": ["Ward"], "measure": None, "order": "labels",
            "rule": "ons", "total_row": None, "total_column": None, "hidden_cells": 0, **spec}
    write_section_register(out, "60_test", "demo", "2024/25", "ons", files)


def test_difference_column_revealing_a_hidden_count_is_a_breach(tmp_path: Path) -> None:
    # 2024/25 is hidden; the exact difference from the published 2023/24 gives it back.
    frame = pd.DataFrame({"Ward": ["North", "South"], "2023/24": ["20", "30"],
                          "2024/25": ["[c]", "35"], "# diff.": ["-16", "5"]})
    hand_made(tmp_path, {"t.csv": (frame, {
        "counts": ["2023/24", "2024/25"],
        "derived": {"# diff.": {"kind": "difference", "of": ["2024/25", "2023/24"]}}})})
    breaches = verify_register(tmp_path, ONS)
    assert breaches[["file", "row", "column", "value"]].values.tolist() == [
        ["tables/t.csv", 0, "# diff.", "-16"]]
    frame.loc[0, "# diff."] = "[c]"
    hand_made(tmp_path, {"t.csv": (frame, {
        "counts": ["2023/24", "2024/25"],
        "derived": {"# diff.": {"kind": "difference", "of": ["2024/25", "2023/24"]}}})})
    assert verify_register(tmp_path, ONS).empty


def test_cell_hidden_in_one_file_and_shown_in_another_is_a_breach(tmp_path: Path) -> None:
    wards = pd.DataFrame({"Ward": ["North", "South", "All"], "2024/25": ["[c]", "[c]", "20"]})
    other = pd.DataFrame({"Ward": ["North", "East"], "2024/25": ["5", "40"]})
    hand_made(tmp_path, {
        "a.csv": (wards, {"counts": ["2024/25"], "total_row": 2, "measure": "hate by ward"}),
        "b.csv": (other, {"counts": ["2024/25"], "measure": "hate by ward"})})
    breaches = verify_register(tmp_path, ONS)
    shown = breaches[breaches["problem"].str.startswith("shows a count hidden")]
    assert shown[["file", "row", "column", "value"]].values.tolist() == [
        ["tables/b.csv", 0, "2024/25", "5"]]
    assert "tables/a.csv" in shown["problem"].iloc[0]


def test_hidden_cells_recoverable_from_totals_in_other_files(tmp_path: Path) -> None:
    # Each file alone hides two cells under one total: safe. Together X + Y = 20,
    # X + V = 15 and Y + V = 25 fix X = 5, Y = 15 and V = 10.
    def pair(first: str, second: str, total: str) -> pd.DataFrame:
        return pd.DataFrame({"Ward": [first, second, "All"], "2024/25": ["[c]", "[c]", total]})

    spec = {"counts": ["2024/25"], "total_row": 2, "measure": "hate by ward"}
    hand_made(tmp_path, {"a.csv": (pair("X", "Y", "20"), spec),
                         "b.csv": (pair("X", "V", "15"), spec)})
    assert verify_register(tmp_path, ONS).empty
    hand_made(tmp_path, {"a.csv": (pair("X", "Y", "20"), spec),
                         "b.csv": (pair("X", "V", "15"), spec),
                         "c.csv": (pair("Y", "V", "25"), spec)})
    breaches = verify_register(tmp_path, ONS)
    assert len(breaches) == 3
    assert breaches["problem"].str.contains("totals of the report's files").all()
    # Without a shared measure the files are unrelated, and nothing can be worked out.
    hand_made(tmp_path, {name: (frame, {**spec, "measure": None}) for name, frame in
                         {"a.csv": pair("X", "Y", "20"), "b.csv": pair("X", "V", "15"),
                          "c.csv": pair("Y", "V", "25")}.items()})
    assert verify_register(tmp_path, ONS).empty


def test_small_count_and_unregistered_file_are_breaches(tmp_path: Path) -> None:
    hand_made(tmp_path, {"a.csv": (pd.DataFrame({"Ward": ["North"], "n": ["3"]}),
                                   {"counts": ["n"]})})
    pd.DataFrame({"x": [1]}).to_csv(tmp_path / "tables" / "stray.csv", index=False)
    breaches = verify_register(tmp_path, ONS)
    stray = breaches[breaches["file"] == "tables/stray.csv"]
    assert stray["problem"].tolist() == ["no disclosure register entry: declare its source"]
    assert ["tables/a.csv", "n", "3"] in breaches[["file", "column", "value"]].values.tolist()


def test_statement_says_what_is_controlled_and_what_is_exempt() -> None:
    text = disclosure_statement("ons")
    assert "Controlled: every count from partner extracts" in text
    assert "data.police.uk publishes every record" in text
    assert "Counts of 0 to 9 are suppressed" in text
    assert disclosure_statement("none").startswith("No disclosure control")


def test_register_json_lists_every_file(section: Section) -> None:
    section.table(pd.DataFrame({"Ward": ["North"], "Crimes": [7]}), "open_wards", "Open",
                  source="open", counts=["Crimes"])
    register = merged_register(section.output_dir, "ons")
    (entry,) = register["files"]
    assert entry["file"] == "tables/40_test__open_wards.csv" and entry["rule"] is None
    assert register["classes"]["open"]["files"] == 1
    assert json.dumps(register)  # machine-readable as it stands


# --- every notebook declares its outputs, also in branches the demo does not run -------------
def _output_calls() -> list[tuple[str, ast.Call, str]]:
    """Every table and chart the report shows: ``section.table``/``section.chart`` calls in
    the notebooks and the package, and the ``Table``/``Chart`` objects section modules make
    for ``section.show`` (kind 'table' or 'chart' with each)."""
    sources = [(nb.stem, "\n".join("".join(c["source"]) for c in json.loads(
        nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"))
        for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    sources += [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
                for folder in ("sections", "present")
                for path in sorted((ROOT / "src" / "analysis" / folder).glob("*.py"))]
    calls = []
    for where, source in sources:
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            if (isinstance(node.func, ast.Attribute) and node.func.attr in ("table", "chart")
                    and getattr(node.func.value, "id", None) == "section"):
                calls.append((where, node, node.func.attr))
            elif isinstance(node.func, ast.Name) and node.func.id in ("Table", "Chart"):
                calls.append((where, node, node.func.id.lower()))
    return calls


def test_every_table_and_chart_declares_its_source_class() -> None:
    calls = _output_calls()
    assert len(calls) > 80  # every output of the twelve sections is found
    for place, call, kind in calls:
        keywords = {k.arg: k.value for k in call.keywords}
        where = f"{place} line {call.lineno}"
        objects = isinstance(call.func, ast.Name)  # Table(frame, name, caption, source, ...)
        if objects and len(call.args) >= 4:
            keywords.setdefault("source", call.args[3])
        assert "source" in keywords, where
        source = keywords["source"]
        named = {"PARTNER": "partner", "OPEN": "open", "PROCESS": "process"}  # the register's
        value = (named.get(source.id) if isinstance(source, ast.Name)
                 else source.value if isinstance(source, ast.Constant) else None)
        assert value in ("partner", "open", "process"), where
        if value == "partner":
            assert "counts" in keywords or "kept" in keywords, where
            if kind == "table":
                assert "order" in keywords, where
            elif not objects:  # a Chart's draw is a function by its type
                assert isinstance(call.args[0], ast.Lambda), where  # drawn from published data


def test_moving_ranges_are_recomputed_between_points_of_one_phase_only() -> None:
    from analysis.present.disclosure_register import recompute

    # A gap (NaN) at the 2nd point and a phase break (0 -> 1) before the 5th point.
    chart = pd.DataFrame({"value": [20, np.nan, 35, 40, 50, 65], "phase": [0, 0, 0, 0, 1, 1]})
    ranges = recompute(chart, "moving_range", ["value"], ONS).tolist()
    assert [pd.isna(r) for r in ranges] == [True, True, True, False, True, False]
    assert (ranges[3], ranges[5]) == (5, 15)
    # Without the break the 5th point has a range from the 4th.
    one_phase = chart.assign(phase=0)
    assert recompute(one_phase, "moving_range", ["value"], ONS).tolist()[4] == 10
