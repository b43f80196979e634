"""Executive summary: reading the sections' key figures, the findings table and its
direction and significance columns (the recorded Findings' fields, never the wording),
headline figures and section titles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.core.findings import Finding
from analysis.sections import executive_summary as es


def _write(folder: Path, section: str, figures: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"section": section, "area": "demo", "period": "2024/25", "figures": figures}
    (folder / f"{section}.json").write_text(json.dumps(payload), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    key_figures = tmp_path / "key_figures"
    _write(key_figures, "10_crime_overview", {
        "findings": {"value": [
            Finding("All crime rose by 1,196 offences (6.1 %), a statistically significant "
                    "increase.", "increase", "significant").as_record(),
            Finding("Anti-social behaviour fell by 61 incidents (1.4 %), not a statistically "
                    "significant change.", "decrease", "not significant").as_record()],
            "label": "Key findings"},
        "all_crime_current": {"value": 20947, "label": "All crime 2024/25"},
        "all_crime_significance": {"value": "significant increase", "label": "All crime change"},
        "all_crime_previous": {"value": None, "label": "All crime 2023/24 (no data)"},
    })
    _write(key_figures, "85_public_perception", {
        "survey:crime_asb_more_problem": {"value": 33.0, "label": "Concern, 2024-25"},
        "flag": {"value": True, "label": "a flag"},
        "list": {"value": [1, 2], "label": "a list"},
    })
    _write(key_figures, "99_key_findings", {"findings": {"value": ["itself"]}})
    (tmp_path / "10_crime_overview.html").write_text(
        "<html><head><title>Crime overview</title></head></html>", encoding="utf-8")
    return tmp_path


def test_load_key_figures_in_section_order_excluding_the_summary(folder: Path) -> None:
    sections = es.load_key_figures(folder / "key_figures", exclude="99_key_findings")
    assert list(sections) == ["10_crime_overview", "85_public_perception"]


def test_no_section_built_yet_is_empty_not_an_error(tmp_path: Path) -> None:
    assert es.load_key_figures(tmp_path / "key_figures") == {}


def test_a_broken_key_figures_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "10_x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        es.load_key_figures(tmp_path)
    assert "10_x.json" in str(caught.value)


def test_section_title_from_the_page_or_the_name(folder: Path) -> None:
    assert es.page_title(folder, "10_crime_overview") == "Crime overview"
    assert es.page_title(folder, "85_public_perception") == "Public perception"


def test_findings_table_keeps_sentences_verbatim(folder: Path) -> None:
    sections = es.load_key_figures(folder / "key_figures", exclude="99_key_findings")
    titles = {s: es.page_title(folder, s) for s in sections}
    table = es.findings_table(sections, titles)
    assert table["finding"].tolist() == [
        f["statement"] for f in sections["10_crime_overview"]["findings"]["value"]]
    assert table["direction"].tolist() == ["increase", "decrease"]
    assert table["significance"].tolist() == ["significant", "not significant"]
    assert set(table["theme"]) == {"Crime overview"}
    assert set(table["section"]) == {"10_crime_overview.html"}


def test_headline_figures_leave_out_findings_flags_and_lists(folder: Path) -> None:
    sections = es.load_key_figures(folder / "key_figures", exclude="99_key_findings")
    table = es.headline_figures(sections, {})
    assert table["key"].tolist() == ["all_crime_current", "all_crime_significance",
                                     "all_crime_previous", "survey:crime_asb_more_problem"]
    assert table["value"].tolist()[:2] == [20947, "significant increase"]
    assert pd.isna(table["value"].iloc[2]) and table["value"].iloc[3] == 33.0


def test_an_unknown_headline_figure_is_shown_as_a_dash_not_zero(folder: Path) -> None:
    from analysis.present.page import Section

    section = Section.open("99_test", "demo", "2024-25", str(folder / "out"))
    sections = es.load_key_figures(folder / "key_figures", exclude="99_key_findings")
    shown = section.table(es.headline_figures(sections, {}), "headline", "Headline",
                          source="process").data
    row = shown.split("All crime 2023/24 (no data)")[1].split("</tr>")[0]
    assert "–" in row and ">0<" not in row and "None" not in row


def test_section_links_are_relative_and_escaped() -> None:
    links = es.section_links({"10_crime_overview": "Crime <overview>"})
    assert 'href="10_crime_overview.html"' in links and "Crime &lt;overview&gt;" in links


def _finding(statement: str, direction: str, significance: str) -> dict:
    """A finding as a section records it (Finding.as_record)."""
    return Finding(statement, direction, significance, ("robbery_current",),
                   "Robbery").as_record()


def test_findings_table_takes_direction_and_significance_from_recorded_findings() -> None:
    # Both sentences would mislead a reading of the wording: the first says "rose" before
    # "unchanged", neither names a test.
    misleading = [
        _finding("While the force rose 5 %, robbery in Kingsmere was unchanged at 240 "
                 "offences.", "no change", "not significant"),
        _finding("Robbery was unchanged, though the force rose 5 %.", "no change",
                 "not significant"),
    ]
    sections = {"10_crime_overview": {"findings": {"value": misleading}}}
    table = es.findings_table(sections, {"10_crime_overview": "Crime overview"})
    assert table.to_dict("records") == [
        {"theme": "Crime overview", "finding": misleading[0]["statement"],
         "direction": "no change", "significance": "not significant", "table": "",
         "key_findings_row": "", "section": "10_crime_overview.html"},
        {"theme": "Crime overview", "finding": "Robbery was unchanged, though the force rose 5 %.",
         "direction": "no change", "significance": "not significant", "table": "",
         "key_findings_row": "", "section": "10_crime_overview.html"},
    ]


def test_recorded_findings_in_section_order() -> None:
    sections = {
        "10_crime_overview": {"findings": {"value": [
            _finding("All crime rose by 1,196 offences (6.1 %).", "increase", "significant")]}},
        "85_public_perception": {"findings": {"value": [
            _finding("Kingsmere is lowest of 4.", "–", "no test stated"),
            _finding("Concern went from 22 % to 33 %.", "increase", "significant")]}},
        "90_priorities": {"matrix_version": {"value": "1.0"}},  # no findings recorded
    }
    table = es.findings_table(sections, {})
    # "lowest of 4" would read as below comparators; the recorded field says no direction.
    assert table[["direction", "significance"]].values.tolist() == [
        ["increase", "significant"], ["–", "no test stated"], ["increase", "significant"]]
    assert table["theme"].tolist() == ["10_crime_overview", "85_public_perception",
                                       "85_public_perception"]


def test_recorded_finding_from_a_record() -> None:
    record = _finding("Robbery fell.", "decrease", "not assessed")
    assert es.recorded_finding(record, "10_crime_overview") == Finding(
        "Robbery fell.", "decrease", "not assessed", ("robbery_current",), "Robbery")


@pytest.mark.parametrize("recorded", [
    "Robbery rose by 5 offences.",  # a plain sentence: its wording is never parsed
    {"direction": "increase"},  # no statement
    {"statement": "Robbery rose.", "direction": "up"},  # not a direction
    ["Robbery rose."],  # not a record
])
def test_a_recorded_finding_sections_do_not_write_is_named(recorded: object) -> None:
    with pytest.raises(InputError, match="not a Finding record") as raised:
        es.recorded_finding(recorded, "10_crime_overview")  # type: ignore[arg-type]
    assert raised.value.file == "key_figures/10_crime_overview.json"


# --- the key findings as a board reads them (hand-made findings) ---------------------------
def _f(statement: str, direction: str = "–", significance: str = "no test stated", *,
       theme: str = "", measure: str = "", signal: str = "", effect: float | None = None,
       table: str = "10_crime_overview__t") -> Finding:
    return Finding(statement, direction, significance, (), theme, table=table,
                   measure=measure, signal=signal, effect=effect)


def test_salience_classes_follow_the_documented_order() -> None:
    ranked = [
        _f("sig change", "increase", "significant"),
        _f("peer outlier", "above comparators", "significant"),
        _f("concentrated", signal="concentration"),
        _f("jump", signal="special cause"),
        _f("highest of 4", "above comparators", "no test stated"),
        _f("no significant change", "decrease", "not significant"),
        _f("context"),
        _f("could not be assessed", significance="not assessed"),
    ]
    assert [es.salience_class(f) for f in ranked] == list(range(8))
    assert len(es.SALIENCE) == 8
    assert es.salience_order(list(reversed(ranked))) == ranked


def test_within_a_class_the_larger_effect_first_then_recorded_order() -> None:
    small = _f("small", "increase", "significant", theme="a", effect=5.0)
    large = _f("large", "decrease", "significant", theme="b", effect=40.0)
    unknown = _f("no effect", "increase", "significant", theme="c")
    later_unknown = _f("no effect either", "increase", "significant", theme="d")
    assert es.salience_order([unknown, small, later_unknown, large]) == [
        large, small, unknown, later_unknown]


def test_a_theme_shows_at_most_four_lines_one_per_subject() -> None:
    findings = [_f(f"finding {i}", "increase", "significant", theme=f"subject {i}",
                   effect=float(i)) for i in range(6)]
    # the same subject twice (a level and its test): only the more salient line is kept
    findings.append(_f("subject 5 again", "above comparators", "significant",
                       theme="subject 5", effect=99.0))
    [row] = es.board_rows({"10_crime_overview": findings})
    assert row.theme == "Crime overview" and len(row.lines) == 4
    assert [f.statement for f in row.lines] == ["finding 5", "finding 4", "finding 3",
                                                "finding 2"]


def test_a_measure_two_sections_record_is_shown_once_where_it_ranks_highest() -> None:
    asb_overview = _f("ASB fell (overview)", "decrease", "not significant",
                      measure="police.uk change: Anti-social behaviour")
    asb_page = _f("ASB fell (ASB page)", "decrease", "not significant",
                  measure="police.uk change: Anti-social behaviour")
    weapons_violence = _f("Weapons rose (violence)", "increase", "not significant",
                          measure="police.uk change: Possession of weapons")
    weapons_drugs = _f("Weapons rose (drugs)", "increase", "not significant",
                       measure="police.uk change: Possession of weapons")
    sections = {
        "10_crime_overview": [_f("All crime rose", "increase", "significant"), asb_overview],
        "20_anti_social_behaviour": [asb_page],
        # the violence page has more salient lines, so weapons ranks higher on drugs
        "50_serious_violence": [_f("Knife rose", "increase", "significant", theme="knife"),
                                weapons_violence],
        "70_exploitation_drugs": [weapons_drugs],
    }
    rows = {row.section_id: [f.statement for f in row.lines]
            for row in es.board_rows(sections)}
    # ASB ranks second in the overview, first on the ASB page: kept on the ASB row
    assert rows["10_crime_overview"] == ["All crime rose"]
    assert rows["20_anti_social_behaviour"] == ["ASB fell (ASB page)"]
    assert rows["50_serious_violence"] == ["Knife rose"]
    assert rows["70_exploitation_drugs"] == ["Weapons rose (drugs)"]
    statements = [s for lines in rows.values() for s in lines]
    assert len(statements) == len(set(statements))


def test_an_equal_rank_goes_to_the_later_section() -> None:
    first = _f("in overview", measure="m")
    second = _f("on the ASB page", measure="m")
    rows = es.board_rows({"10_crime_overview": [first],
                          "20_anti_social_behaviour": [second]})
    assert [(r.section_id, r.lines) for r in rows] == [
        ("20_anti_social_behaviour", (second,))]


def test_rows_follow_the_board_themes_and_are_at_most_twelve() -> None:
    sections = {f"{n:02d}_extra_{n}": [_f(f"extra {n}")] for n in range(91, 99)}
    sections = {"00_data_and_methods": [_f("checks")], **sections,
                "85_public_perception": [_f("survey")], "30_places": [_f("concentrated")],
                "40_vawg_domestic_abuse": [], "10_crime_overview": [_f("crime")],
                "20_anti_social_behaviour": [_f("asb")], "50_serious_violence": [_f("sv")]}
    rows = es.board_rows(sections, {"91_extra_91": "Extra ninety-one"})
    assert len(rows) == es.MAX_ROWS == 12
    assert [r.theme for r in rows][:7] == [
        "Crime overview", "Anti-social behaviour", "Places", "Serious violence",
        "Public perception", "Data quality", "Extra ninety-one"]
    assert "40_vawg_domestic_abuse" not in {r.section_id for r in rows}  # no finding, no row


def test_board_html_links_each_line_to_its_table_file_and_escapes(tmp_path: Path) -> None:
    (tmp_path / "10_crime_overview__crime_rates.csv").write_text("x\n1\n")
    rows = es.board_rows({"10_crime_overview": [
        _f("Ward <b>A</b> & B rose", "increase", "significant",
           table="10_crime_overview__crime_rates"),
        _f("no table written", table="10_crime_overview__missing")]})
    shown = es.board_html(rows, tmp_path)
    assert "Ward &lt;b&gt;A&lt;/b&gt; &amp; B rose" in shown
    assert 'href="tables/10_crime_overview__crime_rates.csv"' in shown
    assert 'href="10_crime_overview.html#csp-10_crime_overview__crime_rates"' in shown
    assert "__missing" not in shown  # a table the section did not write is not linked


def test_the_full_list_marks_the_row_each_finding_is_shown_in() -> None:
    chosen = _f("All crime rose", "increase", "significant")
    sections = {"10_crime_overview": {"findings": {"value": [
        chosen.as_record(), _f("context").as_record()]}}}
    board = es.board_rows(es.section_findings(sections))
    table = es.findings_table(sections, {}, board)
    assert table["key_findings_row"].tolist() == ["Crime overview", "Crime overview"]
    assert table["table"].tolist() == ["tables/10_crime_overview__t.csv"] * 2


def test_a_finding_keeps_its_new_fields_through_its_record() -> None:
    finding = _f("x", signal="concentration", effect=21.2, measure="m", table="30_places__c")
    assert Finding.from_record(finding.as_record()) == finding
    old = {"statement": "x", "direction": "–", "significance": "no test stated"}
    assert Finding.from_record(old).table == "" and Finding.from_record(old).effect is None
