"""What a board reads, on the built demo: the key findings page (at most twelve themed rows,
each line linked to a table file of the report), the plan on a page with the partnership's
columns from ``config/plan/demo.yaml``, the analyst's commentary box from
``config/narrative/demo/`` and the index as a front page."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.plan import OWNER_FIELDS

pytestmark = pytest.mark.build
ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r'<tr><th scope="row">(.*?)</th><td><ul>(.*?)</ul></td></tr>', re.DOTALL)
LINE = re.compile(r"<li>(.*?)</li>", re.DOTALL)
BOX = re.compile(r'<aside[^>]*class="csp-commentary"[^>]*>')


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _board(report: Path) -> dict[str, list[str]]:
    """Theme -> its evidence lines as HTML, from the key findings page."""
    page = (report / "99_key_findings.html").read_text(encoding="utf-8")
    table = page[page.index('<table class="csp-table csp-key-findings">'):]
    table = table[:table.index("</table>")]
    return {_text(theme): LINE.findall(lines) for theme, lines in ROW.findall(table)}


def test_key_findings_are_at_most_twelve_themed_rows_of_two_to_four_lines(
        built_demo_report: Path) -> None:
    board = _board(built_demo_report)
    assert 10 <= len(board) <= 12
    assert {"Crime overview", "Anti-social behaviour", "Places", "Serious violence",
            "Hate crime", "Reoffending", "Public perception", "Data quality"} <= set(board)
    assert all(1 <= len(lines) <= 4 for lines in board.values())
    statements = [_text(re.sub(r'<span class="csp-evidence-links">.*?</span>', "", line))
                  for lines in board.values() for line in lines]
    assert len(statements) == len(set(statements))  # no finding twice
    weapons = [s for s in statements if s.startswith("Possession of weapons")]
    asb = [s for s in statements if "ASB incidents recorded on police.uk" in s
           or s.startswith("Anti-social behaviour fell")]
    assert len(weapons) <= 1 and len(asb) <= 1


def test_every_key_finding_line_links_to_a_table_file_of_the_report(
        built_demo_report: Path) -> None:
    for theme, lines in _board(built_demo_report).items():
        for line in lines:
            links = re.findall(r'href="([^"]+)"', line)
            tables = [link for link in links if link.startswith("tables/")]
            assert tables, f"{theme}: a line without its table: {_text(line)[:80]}"
            assert all((built_demo_report / link).is_file() for link in tables)
            pages = [link.split("#")[0] for link in links if ".html" in link]
            assert all((built_demo_report / page).is_file() for page in pages)


def test_places_and_data_quality_rows_say_what_was_found(built_demo_report: Path) -> None:
    board = {theme: [_text(line) for line in lines]
             for theme, lines in _board(built_demo_report).items()}
    assert any("busiest 10 % of LSOAs" in line for line in board["Places"])
    quality = " ".join(board["Data quality"])
    assert "Every quality check ran" not in quality
    assert "12 of 12 months held" in quality and "had no location" in quality
    assert not re.search(r"\d\.\d{4,}|\d{4}-\d\d-\d\d|00:00:00", quality)


def test_every_finding_stays_listed_with_the_row_it_is_shown_in(
        built_demo_report: Path) -> None:
    every = pd.read_csv(built_demo_report / "tables" / "99_key_findings__key_findings.csv")
    shown = sum(len(lines) for lines in _board(built_demo_report).values())
    assert len(every) > shown
    assert every["Key findings row"].notna().sum() == shown


def test_plan_on_a_page_carries_the_partnership_columns_and_the_evidence(
        built_demo_report: Path) -> None:
    plan = pd.read_csv(built_demo_report / "tables" / "90_priorities__plan_on_a_page.csv")
    assert {"Rank", "Priority", *OWNER_FIELDS.values(), "Legal duty", "Measures to watch",
            "Why (evidence)", "Stability"} <= set(plan.columns)
    vso = plan.set_index("Priority").loc["Violence and sexual offences"]
    assert vso["Lead partner"] == "Director of Public Health"  # config/plan/demo.yaml
    assert vso["Legal duty"].startswith("Serious Violence Duty")  # reference default
    types = pd.read_csv(built_demo_report / "tables" / "10_crime_overview__crime_type_change.csv"
                        ).set_index("Crime type")
    rise = types.loc["Violence and sexual offences", "% diff."]
    assert f"({rise:.1f} %), significant increase" in vso["Why (evidence)"]  # from the build
    page = (built_demo_report / "90_priorities.html").read_text(encoding="utf-8")
    assert "config/plan/demo.yaml" in page


def test_the_commentary_box_is_on_its_page_only(built_demo_report: Path) -> None:
    page = (built_demo_report / "10_crime_overview.html").read_text(encoding="utf-8")
    [opening] = BOX.findall(page)  # nbconvert may reorder the attributes
    box = page[page.index(opening):]
    box = box[:box.index("</aside>")]
    assert "Analyst&#x27;s commentary" in box or "Analyst's commentary" in box
    narrative = (ROOT / "config" / "narrative" / "demo" / "10_crime_overview.md").read_text()
    assert "most of the rise is violence" in narrative
    assert "<strong>most of the rise is violence and sexual offences</strong>" in box
    assert page.index("</header>") < page.index(opening)
    other = (built_demo_report / "20_anti_social_behaviour.html").read_text(encoding="utf-8")
    assert not BOX.findall(other)


def test_the_index_is_a_front_page(built_demo_report: Path) -> None:
    index = (built_demo_report / "index.html").read_text(encoding="utf-8")
    assert "Completeness of the data" in index and "Headline figures, 2024/25" in index
    overview = pd.read_csv(built_demo_report / "tables" / "10_crime_overview__crime_type_change.csv"
                           ).set_index("Crime type").loc["All crime"]
    change = f"{'up' if overview['% diff.'] > 0 else 'down'} {abs(overview['% diff.']):.1f} %"
    assert f"{int(overview['2024/25']):,} offences</span>{change}, significant" in index
    today = date.today()
    assert f"<dt>Built</dt><dd>{today.day} {today:%B %Y}</dd>" in index
    assert all(f'href="{p.name}"' in index for p in built_demo_report.glob("[0-9]*.html"))
