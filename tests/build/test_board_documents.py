"""The board documents of the full demo report: the A4 PDF and the Word file.

Each is opened the way a reader's software would (pypdf text extraction, python-docx) and
searched for every section title and the headline figures; the PDF's contents must give the
page each section really starts on. The documents are removed afterwards, so the other tests
of the shared demo report see it as the build left it.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from analysis.core.errors import BuildError
from analysis.publish.document import page_heading, write_docx, write_pdf
from analysis.publish.share import build_share_pack

pytestmark = [pytest.mark.build, pytest.mark.browser]


@pytest.fixture(scope="module")
def documents(built_demo_report: Path) -> Iterator[tuple[Path, Path]]:
    """The demo's PDF and Word document, written once for this module, then removed."""
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("Chromium is not installed (make test installs Debian's chromium as root)")
    root = built_demo_report.parents[2]
    written = write_pdf("demo", "2024-25", root), write_docx("demo", "2024-25", root)
    yield written
    for path in written:
        path.unlink(missing_ok=True)


def _squeezed(text: str) -> str:
    """Text without white space (extracted PDF text wraps titles anywhere) and with the
    typographic ligatures Chromium prints ('ﬁ', 'ﬀ') as plain letters."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _titles(report: Path) -> list[str]:
    return [page_heading(page) for page in sorted(report.glob("[0-9][0-9]_*.html"))]


def _headline_figures(report: Path) -> list[str]:
    """The all-crime counts of both periods, as the key figures hold them."""
    figures = json.loads((report / "key_figures.json").read_text())["10_crime_overview"]
    return [str(figures[key]["value"]) for key in ("all_crime_current", "all_crime_previous")]


def _contains_number(text: str, number: str) -> bool:
    return number in text or f"{int(number):,}" in text


def test_pdf_has_cover_contents_page_numbers_and_every_section(
        documents: tuple[Path, Path], built_demo_report: Path) -> None:
    reader = PdfReader(documents[0])
    pages = [page.extract_text() for page in reader.pages]
    assert "strategic assessment 2024/25" in pages[0] and "Demoshire Police" in pages[0]
    assert f"page 1 of {len(pages)}" in pages[0]
    contents = unicodedata.normalize("NFKC", pages[1])
    assert contents.startswith("Contents")
    bookmarks = {_squeezed(str(mark.title)): reader.get_destination_page_number(mark) + 1
                 for mark in reader.outline if not isinstance(mark, list)}
    for title in _titles(built_demo_report):
        listed = re.search(re.escape(title) + r"\s+(\d+)", contents)
        assert listed, f"{title} is not in the contents"
        start = int(listed.group(1))
        assert bookmarks[_squeezed(title)] == start, f"{title} does not start on page {start}"
        assert _squeezed(title) in _squeezed(pages[start - 1])
    text = unicodedata.normalize("NFKC", "\n".join(pages))
    for number in _headline_figures(built_demo_report):
        assert _contains_number(text, number)
    assert "<script" not in text and "tables/" in text  # the pages' table-file notes travel


def test_docx_carries_key_findings_and_plan_in_word_styles(
        documents: tuple[Path, Path], built_demo_report: Path) -> None:
    document = docx.Document(str(documents[1]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Key findings" and "Priorities" in headings
    assert "Plan on a page" in headings and not any("¶" in h for h in headings)
    assert document.paragraphs[0].style.name == "Title"
    details = [p.text for p in document.paragraphs if p.text.startswith("Disclosure control: ")]
    assert len(details) == 1  # stated once, not on every page
    cells = "\n".join(cell.text for table in document.tables for row in table.rows
                      for cell in row.cells)
    for number in _headline_figures(built_demo_report):
        assert _contains_number(cells, number)
    assert all(table.style.name == "Table Grid" for table in document.tables)


def test_partner_pack_carries_current_documents_and_refuses_stale_ones(
        documents: tuple[Path, Path], built_demo_report: Path) -> None:
    root = built_demo_report.parents[2]
    with zipfile.ZipFile(build_share_pack("demo", "2024-25", root)) as archive:
        names = archive.namelist()
        assert {path.name for path in documents} <= set(names)
        readme = archive.read("README.txt").decode()
    assert "strategic-assessment.pdf" in readme
    PdfReader(io.BytesIO(documents[0].read_bytes()))  # a valid PDF went in
    built = (built_demo_report / "index.html").stat().st_mtime
    os.utime(documents[1], (built - 60, built - 60))
    try:
        with pytest.raises(BuildError, match="older than the report"):
            build_share_pack("demo", "2024-25", root)
    finally:
        os.utime(documents[1], (built + 1, built + 1))
        build_share_pack("demo", "2024-25", root)  # leave a current pack behind


def test_docx_takes_a_council_template(documents: tuple[Path, Path], built_demo_report: Path,
                                       tmp_path: Path) -> None:
    template = docx.Document()
    template.styles["Normal"].font.name = "Arial"
    template.save(str(tmp_path / "council.docx"))
    root = built_demo_report.parents[2]
    written = write_docx("demo", "2024-25", root, template=tmp_path / "council.docx")
    assert docx.Document(str(written)).styles["Normal"].font.name == "Arial"
    with pytest.raises(BuildError, match="template does not exist"):
        write_docx("demo", "2024-25", root, template=tmp_path / "missing.docx")
