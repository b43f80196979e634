"""Script and formula payloads in every text field from data or configuration stay inert.

A copy of the demo project gets ``<script>``, ``<img onerror>``, ``"><svg onload>`` and
spreadsheet-formula payloads in the area's title and CSP name (config), ward, LSOA, local
authority and CSP names (ONS lookups and boundary files), police.uk ``Location`` and LSOA names,
the partner ASB extract's incident types and the indicators sheet's source and notes. The
sections that show those fields, the index and the partner pack are built from it, and then:
headless Chromium fires no dialog on any page, no payload tag is in any HTML file, the payloads
are shown as text, and no cell of any CSV or of the XLSX workbook starts a live formula.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis.core.files import report_dir
from analysis.core.safe_text import FORMULA_STARTS
from analysis.demo import DemoSpec, generate
from analysis.inputs.areas import load_area
from analysis.publish.build import build_areas
from analysis.publish.share import build_share_pack
from analysis.store.area import ingest_area

pytestmark = [pytest.mark.build, pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2024-25"
SECTIONS = ["00_data_and_methods", "10_crime_overview", "20_anti_social_behaviour",
            "30_places", "40_vawg_domestic_abuse", "60_hate_crime",
            "80_offending_reoffending", "99_key_findings"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']
FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd|' /C calc'!A0"]
PAYLOADS = MARKUP + FORMULAS
CSP_NAME = f'{FORMULAS[0]} Kingsmere {MARKUP[1]}'
TAG = re.compile(r"<\s*(script>\s*alert|img\s+src=x|svg\s+onload)", re.IGNORECASE)
NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?([eE][+-]?\d+)?$")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


NARRATIVE = (f"The analyst writes **{MARKUP[0]}** and {MARKUP[1]}.\n\n"
             "- [a javascript link](javascript:alert(1))\n- [another](JavaScript:alert`1`)\n"
             f"- {MARKUP[2]}\n")
"""A hostile analyst's commentary (config/narrative/demo/10_crime_overview.md)."""
JS_LINK = re.compile(r"""href\s*=\s*["']?\s*javascript""", re.IGNORECASE)


def _payload(index: int) -> str:
    """A different payload for each place, numbered so names stay unique."""
    return f"{PAYLOADS[index % len(PAYLOADS)]} {index + 1}"


def _rewrite_csv(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False)


def _plant_payloads(root: Path) -> None:
    """Put the payloads into the generated demo's files and the area config (in place)."""
    config_path = root / "config" / "areas" / "demo.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.update(title=f"{MARKUP[0]} Kingsmere {MARKUP[2]} CSP", csp_name=CSP_NAME)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (root / "config" / "narrative" / "demo" / "10_crime_overview.md").write_text(
        NARRATIVE, encoding="utf-8")
    raw = root / "data" / "raw" / "demo"
    lookups = raw / "lookups"
    wards = pd.read_csv(lookups / "lsoa21_ward_lad.csv", dtype=str)
    kingsmere = wards[wards["LAD23CD"] == config["lad_codes"][0]]
    ward_names = {code: _payload(i) for i, code in enumerate(sorted(set(kingsmere["WD23CD"])))}
    lsoa_names = {code: _payload(i) for i, code in enumerate(sorted(set(kingsmere["LSOA21CD"])))}
    lad = config["lad_codes"][0]

    def names(frame: pd.DataFrame, year: str) -> None:
        lsoa, ward = f"LSOA{year}", f"WD{'19' if year == '11' else '23'}"
        frame[f"{lsoa}NM"] = frame[f"{lsoa}CD"].map(lsoa_names).fillna(frame[f"{lsoa}NM"])
        frame[f"{ward}NM"] = frame[f"{ward}CD"].map(ward_names).fillna(frame[f"{ward}NM"])
        lad_column = f"LAD{'19' if year == '11' else '23'}"
        frame.loc[frame[f"{lad_column}CD"] == lad, f"{lad_column}NM"] = CSP_NAME

    _rewrite_csv(lookups / "lsoa11_ward_lad.csv", lambda f: names(f, "11"))
    _rewrite_csv(lookups / "lsoa21_ward_lad.csv", lambda f: names(f, "21"))

    def csp(frame: pd.DataFrame) -> None:
        frame.loc[frame["LAD19CD"] == lad, ["LAD19NM", "CSP19NM"]] = CSP_NAME

    _rewrite_csv(lookups / "lad_csp_pfa.csv", csp)
    for name, code, label in (("wards", "WD25CD", "WD25NM"), ("lsoa21", "LSOA21CD", "LSOA21NM")):
        path = raw / "boundaries" / f"{name}.geojson"
        shapes = json.loads(path.read_text(encoding="utf-8"))
        renamed = ward_names if name == "wards" else lsoa_names
        for feature in shapes["features"]:
            properties = feature["properties"]
            properties[label] = renamed.get(properties[code], properties[label])
        path.write_text(json.dumps(shapes), encoding="utf-8")

    def street(frame: pd.DataFrame) -> None:
        frame["Location"] = [_payload(i) for i in range(len(frame))]
        frame["LSOA name"] = frame["LSOA code"].map(lsoa_names).fillna(frame["LSOA name"])

    for path in sorted((raw / "police_uk").glob("*/*.csv")):
        _rewrite_csv(path, street)

    def prc(frame: pd.DataFrame) -> None:
        frame.loc[frame["CSP Name"] == "Kingsmere", "CSP Name"] = CSP_NAME
        frame["Offence Description"] = [_payload(i) for i in range(len(frame))]

    for path in sorted((raw / "prc").glob("prc-*.csv")):
        _rewrite_csv(path, prc)

    def msg(frame: pd.DataFrame) -> None:
        frame.loc[frame["csp_name"] == "Kingsmere", "csp_name"] = CSP_NAME

    _rewrite_csv(raw / "prc" / "most_similar_groups.csv", msg)
    partner = raw / "partner"

    def asb_types(frame: pd.DataFrame) -> None:
        types = {t: _payload(i) for i, t in enumerate(sorted(set(frame["Incident Type"])))}
        frame["Incident Type"] = frame["Incident Type"].map(types)

    _rewrite_csv(partner / "asb.csv", asb_types)

    def notes(frame: pd.DataFrame) -> None:
        frame["Source"] = [_payload(i) for i in range(len(frame))]
        frame["Notes"] = [_payload(i + 1) for i in range(len(frame))]

    _rewrite_csv(partner / "indicators.csv", notes)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The affected sections, index and partner pack built from the demo with payloads."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    generate(root / "data" / "raw" / "demo", DemoSpec(first_month=date(2022, 4, 1), n_months=36))
    _plant_payloads(root)
    ingest_area(load_area("demo", root), root)
    build_areas(["demo"], PERIOD, sections=SECTIONS, jobs=2, root=root)  # the index too
    return report_dir("demo", PERIOD, root), build_share_pack("demo", PERIOD, root)


def _live_formula(cell: object) -> bool:
    """A text cell a spreadsheet would run: it starts a formula and is not a plain number."""
    return isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not NUMBER.match(cell)


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_no_payload_markup_in_any_page(hostile_report: tuple[Path, Path]) -> None:
    out, pack = hostile_report
    pages = sorted(out.glob("*.html"))
    assert {p.stem for p in pages} == {*SECTIONS, "index", "methods"}
    with zipfile.ZipFile(pack) as archive:
        packed = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".html")}
    for name, text in [*((p.name, p.read_text(encoding="utf-8")) for p in pages),
                       *packed.items()]:
        found = TAG.search(text) or JS_LINK.search(text)
        assert found is None, f"{name}: unescaped {text[found.start():found.start() + 60]!r}"
    places = (out / "30_places.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in places  # the payloads reached the page
    overview = (out / "10_crime_overview.html").read_text(encoding="utf-8")
    opening = re.search(r'<aside[^>]*class="csp-commentary"[^>]*>', overview)
    assert opening is not None
    box = overview[opening.start():]
    box = box[:box.index("</aside>")]  # the commentary, its payloads as text
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in box
    assert "a javascript link" in box and "href" not in box


def test_no_dialog_in_chromium_and_payloads_shown_as_text(
        hostile_report: tuple[Path, Path]) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (make test installs Debian's chromium as root)")
    from playwright.sync_api import sync_playwright

    out, _ = hostile_report
    shown: set[str] = set()
    titled = False  # a chart titled with the area's name carries it, as text, in its alt text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for path in sorted(out.glob("*.html")):
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda dialog, seen=dialogs: (seen.append(dialog.message),
                                                            dialog.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(100)  # let onerror/onload handlers run, were there any
            assert dialogs == [], f"{path.name} ran script from data: {dialogs}"
            assert page.evaluate("document.querySelectorAll('svg[onload], img[onerror], "
                                 "a[href^=\"javascript\" i]').length") == 0, path.name
            text = page.inner_text("body")
            shown.update(p for p in PAYLOADS if p in text)
            alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
            assert all(alt and not alt.startswith("No description") for alt in alts), path.name
            shown.update(p for p in PAYLOADS if any(p in alt for alt in alts))
            titled |= any(CSP_NAME in alt for alt in alts)
            page.close()
        browser.close()
    assert shown == set(PAYLOADS)  # every payload was on a page, as text
    assert titled


def test_no_live_formula_in_any_csv_or_workbook(hostile_report: tuple[Path, Path]) -> None:
    out, pack = hostile_report
    tables = {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "tables").glob("*.csv"))}
    with zipfile.ZipFile(pack) as archive:
        tables.update({name: archive.read(name).decode() for name in archive.namelist()
                       if name.endswith(".csv")})
        workbook = openpyxl.load_workbook(io.BytesIO(archive.read("tables.xlsx")))
    cells_by_file = {name: _csv_cells(text) for name, text in tables.items()}
    live = [(name, cell) for name, cells in cells_by_file.items() for cell in cells
            if _live_formula(cell)]
    assert live == []
    every_cell = [cell for cells in cells_by_file.values() for cell in cells]
    for formula in FORMULAS:  # the payloads were written, as text
        assert any(cell.startswith(f"'{formula}") for cell in every_cell), formula
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if _live_formula(c.value)] == []
