"""Executive summary: reading the sections' key figures, the findings table and its
direction and significance columns, headline figures and section titles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import executive_summary as es
from analysis.errors import InputError


def _write(folder: Path, section: str, figures: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"section": section, "area": "demo", "period": "2024/25", "figures": figures}
    (folder / f"{section}.json").write_text(json.dumps(payload), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    key_figures = tmp_path / "key_figures"
    _write(key_figures, "10_crime_overview", {
        "findings": {"value": [
            "All crime rose by 1,196 offences (6.1 %), a statistically significant increase.",
            "Anti-social behaviour fell by 61 incidents (1.4 %), not a statistically "
            "significant change."], "label": "Key findings"},
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
    assert es.section_title(folder, "10_crime_overview") == "Crime overview"
    assert es.section_title(folder, "85_public_perception") == "Public perception"


def test_findings_table_keeps_sentences_verbatim(folder: Path) -> None:
    sections = es.load_key_figures(folder / "key_figures", exclude="99_key_findings")
    titles = {s: es.section_title(folder, s) for s in sections}
    table = es.findings_table(sections, titles)
    assert table["finding"].tolist() == sections["10_crime_overview"]["findings"]["value"]
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
    from analysis.report import Section

    section = Section.open("99_test", "demo", "2024-25", str(folder / "out"))
    sections = es.load_key_figures(folder / "key_figures", exclude="99_key_findings")
    shown = section.table(es.headline_figures(sections, {}), "headline", "Headline",
                          source="process").data
    row = shown.split("All crime 2023/24 (no data)")[1].split("</tr>")[0]
    assert "–" in row and ">0<" not in row and "None" not in row


def test_a_finding_with_no_change_given_is_not_assessed() -> None:
    finding = "All crime: no change is given (not compared: 2021 holds no month of data)."
    assert es.significance_of(finding) == es.NOT_ASSESSED
    assert es.direction_of(finding) == "–"


@pytest.mark.parametrize(("sentence", "significance"), [
    ("Robbery fell by 13 offences (5.3 %), not a statistically significant change.",
     es.NOT_SIGNIFICANT),
    ("Kingsmere 2022-23 against 2021-22: no significant change (z-test).", es.NOT_SIGNIFICANT),
    ("Kingsmere against the force: not significantly different.", es.NOT_SIGNIFICANT),
    ("Crime was significantly higher than the peer average of 99.9.", es.SIGNIFICANT),
    ("Rape rose by 28 offences; one period is missing months, so this change should not be "
     "relied on.", es.NOT_ASSESSED),
    ("77 % of victims were female.", es.NOT_TESTED),
])
def test_significance_is_read_only_from_test_wording(sentence: str, significance: str) -> None:
    assert es.significance_of(sentence) == significance


@pytest.mark.parametrize(("sentence", "direction"), [
    ("All crime rose by 1,196 offences; the force fell 2 %.", "increase"),
    ("33 % agree, down from 38 % in 2023-24.", "decrease"),
    ("Burglary was unchanged at 1,091 offences.", "no change"),
    ("Kingsmere's crime rate is the highest of 4.", "above comparators"),
    ("Kingsmere is lowest of 4 (worst of 4).", "below comparators"),
    ("Kingsmere is second highest of 4.", "–"),
    ("Against England: significantly higher (exact test).", "above comparators"),
    ("Every quality check ran.", "–"),
])
def test_direction_is_the_first_stated(sentence: str, direction: str) -> None:
    assert es.direction_of(sentence) == direction


def test_section_links_are_relative_and_escaped() -> None:
    links = es.section_links({"10_crime_overview": "Crime <overview>"})
    assert 'href="10_crime_overview.html"' in links and "Crime &lt;overview&gt;" in links


def test_findings_table_reads_the_statement_of_a_recorded_finding() -> None:
    from analysis.findings import DECREASE, Finding

    recorded = Finding("Burglary fell by 3 offences (10.0 %).", DECREASE).as_record()
    sections = {"10_crime_overview": {"findings": {"value": ["Robbery rose by 2 offences.",
                                                             recorded]}}}
    table = es.findings_table(sections, {"10_crime_overview": "Crime overview"})
    assert table["finding"].tolist() == ["Robbery rose by 2 offences.",
                                         "Burglary fell by 3 offences (10.0 %)."]
    assert table["direction"].tolist() == ["increase", "decrease"]
    assert es.statement_of("Plain.") == "Plain."
