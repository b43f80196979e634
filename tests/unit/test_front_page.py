"""The index as a front page: headline figures with direction and significance."""

from __future__ import annotations

from analysis.publish.index_page import headline_figures, headlines_html


def _figures() -> dict:
    return {
        "10_crime_overview": {
            "all_crime_current": {"value": 20947}, "all_crime_pct_diff": {"value": 6.1},
            "all_crime_significance": {"value": "significant increase"}},
        "20_anti_social_behaviour": {
            "asb_incidents_current": {"value": 4270}, "asb_pct_diff": {"value": -1.4},
            "asb_significance": {"value": "no significant change"}},
        "60_hate_crime": {  # a partner count shown as the disclosure rule's symbol
            "hate_total_current": {"value": "*"}, "hate_pct_diff": {"value": None},
            "hate_significance": {"value": "not shown, a count is under 10"}},
    }


def test_headline_figures_are_formatted_for_people_with_their_test() -> None:
    cards = headline_figures(_figures())
    assert cards == [
        {"label": "All crime", "value": "20,947 offences", "change": "up 6.1 %",
         "significance": "significant increase", "page": "10_crime_overview.html"},
        {"label": "Anti-social behaviour (police.uk)", "value": "4,270 incidents",
         "change": "down 1.4 %", "significance": "no significant change",
         "page": "20_anti_social_behaviour.html"},
        {"label": "Hate crime", "value": "* offences", "change": "",
         "significance": "not shown, a count is under 10", "page": "60_hate_crime.html"},
    ]  # sections not built (no DA, knife or violence figures) are left out, never 0


def test_headlines_html_escapes_and_is_empty_without_figures() -> None:
    assert headlines_html([], "2024/25") == ""
    shown = headlines_html([{"label": "<b>x</b>", "value": "1 offences", "change": "up 1.0 %",
                             "significance": "significant increase", "page": "10_a.html"}],
                           "2024/25")
    assert "&lt;b&gt;x&lt;/b&gt;" in shown and "Headline figures, 2024/25" in shown
    assert "up 1.0 %, significant increase" in shown and 'href="10_a.html"' in shown
