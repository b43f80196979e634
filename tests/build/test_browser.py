"""The built pages in a real browser (headless Chromium): offline, no errors, images load."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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
    first_column = "Array.from(document.querySelector('table.csp-table').tBodies[0].rows)" \
        ".map(r => r.cells[0].textContent.trim())"
    page.click("table.csp-table thead th >> nth=0")
    names = page.evaluate(first_column)
    # Every row but the total is sorted by name (ASB included); "All crime" stays last.
    assert names[-1] == "All crime"
    assert names[:-1] == sorted(names[:-1], key=str.lower)
    assert "Anti-social behaviour" in names[:-1]
    page.close()
