"""The built pages in a real browser (headless Chromium): offline, no errors, images load, at
screen and A4 print width; every image described, every chart checked for overlapping text
and no machine column name in a table heading."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from analysis.present.page import TEXT_OVERLAPS

pytestmark = [pytest.mark.build, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (make test installs Debian's chromium as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def test_every_page_offline_without_errors(browser, built_demo_report: Path) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(built_demo_report.glob("*.html"))
    assert len(pages) >= 3
    for path in pages:
        page = browser.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.on("console", lambda message, seen=errors: message.type == "error"
                and seen.append(message.text))
        page.on("pageerror", lambda error, seen=errors: seen.append(str(error)))
        page.goto(path.as_uri(), wait_until="load")
        outside = [u for u in requests if not u.startswith(("file://", "data:"))]
        assert outside == [], f"{path.name} asked the network for {outside}"
        assert errors == [], f"{path.name}: {errors}"
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.src.slice(0, 40))")
        assert broken == [], f"{path.name}: images not loaded {broken}"
        page.close()


def test_index_links_every_section_and_screenshot(browser, built_demo_report: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto((built_demo_report / "index.html").as_uri())
    links = page.eval_on_selector_all("ol a", "links => links.map(a => a.getAttribute('href'))")
    built = {p.name for p in built_demo_report.glob("*.html")} - {"index.html"}
    assert set(links) == built
    shot = built_demo_report / "_build" / "index.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_tables_sort_when_a_heading_is_clicked(browser, built_demo_report: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto((built_demo_report / "10_crime_overview.html").as_uri())
    table = "table#csp-10_crime_overview__crime_type_change"  # police.uk, after table 3.1
    first_column = f"Array.from(document.querySelector('{table}').tBodies[0].rows)" \
        ".map(r => r.cells[0].textContent.trim())"
    page.click(f"{table} thead th >> nth=0")
    names = page.evaluate(first_column)
    # Every row but the total is sorted by name (ASB included); "All crime" stays last.
    assert names[-1] == "All crime"
    assert names[:-1] == sorted(names[:-1], key=str.lower)
    assert "Anti-social behaviour" in names[:-1]
    page.close()


SCREEN_WIDTH = 1280
A4_WIDTH = 794  # 210 mm at 96 CSS pixels per inch: the width Chromium prints an A4 page at
MACHINE_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")  # rate_lower, cell_id, rank


def test_every_page_screenshots_at_screen_and_a4_print_width(browser, built_demo_report: Path  # type: ignore[no-untyped-def]
                                                             ) -> None:
    """Each page at 1280 px on screen and at A4 width as printed (print media): the
    screenshots are kept in _build/screens for looking at, and no image is wider than the
    page it is printed on."""
    shots = built_demo_report / "_build" / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    for path in sorted(built_demo_report.glob("*.html")):
        for width, media in ((SCREEN_WIDTH, "screen"), (A4_WIDTH, "print")):
            page = browser.new_page(viewport={"width": width, "height": 1100})
            page.emulate_media(media=media)
            page.goto(path.as_uri(), wait_until="load")
            shot = shots / f"{path.stem}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000, shot.name
            too_wide = page.evaluate(
                "Array.from(document.images).filter(i => i.getBoundingClientRect().right "
                "> window.innerWidth + 1).map(i => i.alt.slice(0, 60))")
            assert too_wide == [], f"{path.name} at {width} px: images wider than the page"
            page.close()


def test_every_image_has_a_description_not_the_nbconvert_default(browser,  # type: ignore[no-untyped-def]
                                                                 built_demo_report: Path) -> None:
    described = 0
    for path in sorted(built_demo_report.glob("*.html")):
        page = browser.new_page()
        page.goto(path.as_uri(), wait_until="load")
        alts = page.eval_on_selector_all("img", "images => images.map(i => i.getAttribute('alt'))")
        for alt in alts:
            assert alt and "No description has been provided" not in alt, path.name
            assert len(alt) > 60 and "The numbers are in tables/" in alt, (path.name, alt)
        described += len(alts)
        page.close()
    assert described >= 20  # every section's charts and maps


def test_every_chart_passed_the_layout_check_when_it_was_drawn(built_demo_report: Path) -> None:
    """The browser cannot see inside a PNG, so the check runs as each chart is drawn
    (Section.chart) and its findings travel with the image in the executed notebook: every
    image there was checked and none has overlapping text."""
    checked, problems = 0, []
    for notebook in sorted((built_demo_report / "_executed").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if "image/png" not in output.get("data", {}):
                    continue
                found = output.get("metadata", {}).get("image/png", {}).get(TEXT_OVERLAPS)
                assert found is not None, f"{notebook.name}: an image drawn without the check"
                checked += 1
                problems += [f"{notebook.stem}: {problem}" for problem in found]
    assert checked >= 20
    assert problems == []


def test_no_presented_table_has_a_machine_column_name(browser, built_demo_report: Path) -> None:  # type: ignore[no-untyped-def]
    """Every page but the methods page, whose tables document file columns by their names."""
    found = []
    pages = set(built_demo_report.glob("*.html")) - {built_demo_report / "methods.html"}
    for path in sorted(pages):
        page = browser.new_page()
        page.goto(path.as_uri(), wait_until="load")
        headings = page.eval_on_selector_all("th", "cells => cells.map(c => c.textContent)")
        found += [f"{path.name}: {text.strip()}" for text in headings
                  if MACHINE_NAME.match(text.strip())]
        page.close()
    assert found == []
