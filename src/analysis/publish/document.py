"""The assessment as one document for a board pack: an A4 PDF of every page, and a Word file.

Partners who sit on a board want one file, not a folder of web pages. Both documents are made
from the built pages, never from the store, so they carry exactly what the pages carry: the
numbers after disclosure control, the escaped text from data, the analyst's commentary. Before
either is written the report passes the partner pack's disclosure checks
(:func:`analysis.publish.share.verify_before_sharing`); a breach refuses the document.

* :func:`write_pdf`: a cover, a contents list with page numbers, the front page (headline
  figures and completeness, from ``index.html``) and every section in reading order, each
  starting on a new page, with page numbers in the footer and PDF bookmarks. Printed by
  headless Chromium (the browser the tests already use), in two passes: the first finds the page
  each section starts on from the PDF's bookmarks, the second prints the contents with those
  numbers. The contents has one line per section in both passes, so it fills the same pages.
* :func:`write_docx`: the executive summary and key findings (section 99) and the plan on a page
  (section 90) as a Word document whose headings, lists and tables use Word's built-in styles
  (Title, Heading 1-3, List Bullet, Table Grid), so a council's template restyles it: start from
  that template with ``template=``.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from docx.document import Document as DocxDocument
from docx.shared import Cm
from lxml import html as lxml_html

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import BuildError, storage_error
from analysis.core.files import (
    SUMMARY_SECTION,
    atomic_write,
    canonical_period,
    document_name,
    reading_order,
    report_dir,
    section_notebooks,
    section_title,
)
from analysis.inputs.areas import load_area
from analysis.publish.methods_page import METHODS_PAGE
from analysis.publish.share import verify_before_sharing
from analysis.stats.disclosure import DisclosureRule

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

logger = logging.getLogger(__name__)

PLAN_SECTION = "90_priorities"
BOARD_SECTIONS = (SUMMARY_SECTION, PLAN_SECTION)
"""The sections the Word document carries: what a board discusses and minutes."""
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
PAGE_MARGIN: PdfMargins = {"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
          '<span class="title"></span> &middot; page <span class="pageNumber"></span> of '
          '<span class="totalPages"></span></div>')
DOCUMENT_CSS = """
.csp-doc-cover { break-after: page; padding-top: 60mm; }
.csp-doc-cover .csp-doc-title { font-size: 26pt; font-weight: bold; margin-bottom: 8mm; }
.csp-doc-cover p { font-size: 12pt; }
.csp-doc-contents { break-after: page; }
.csp-doc-contents ol { list-style: none; padding: 0; font-size: 12pt; }
.csp-doc-contents li { display: flex; border-bottom: 1px dotted #999; margin: 2mm 0; }
.csp-doc-contents li a { flex: 1; color: inherit; text-decoration: none; }
.csp-doc-section { break-before: page; }
.csp-nav, nav.csp-section-links { display: none; }
"""
_PAGE_LINK = re.compile(r"^([0-9]{2}_[a-z0-9_]+|index|methods)\.html(#.*)?$")


@dataclass(frozen=True)
class ReportPage:
    """One built page of the report: its file stem, title in the contents, path, and the
    level-1 heading it opens with (what its PDF bookmark is found by)."""

    stem: str
    title: str
    path: Path
    heading: str


def report_pages(out: Path, root: Path) -> list[ReportPage]:
    """Every section page of the built report, in the order partners read them.

    Raises :class:`BuildError` if a section's page is missing: a document with a section left
    out would look complete to a reader who cannot tell.
    """
    notebooks = {notebook.stem: notebook for notebook in section_notebooks(root)}
    pages = []
    for stem in reading_order(list(notebooks)):
        path = out / f"{stem}.html"
        if not path.is_file():
            raise BuildError("a section page is missing, so the document would be incomplete",
                             file=path, hint="run `make report` for this area and period first")
        heading = page_heading(path)
        pages.append(ReportPage(stem, heading or section_title(notebooks[stem]), path, heading))
    return pages


def document_parts(out: Path, pages: list[ReportPage]) -> list[ReportPage]:
    """The document's parts in order: the report's index as the front page (headline figures
    and completeness), the sections, and the methods page as an appendix."""
    front = out / "index.html"
    methods = out / METHODS_PAGE
    appendix = ([ReportPage("methods", "Appendix: methods", methods, page_heading(methods))]
                if methods.is_file() else [])
    return [ReportPage("index", "At a glance: headline figures and completeness", front,
                       page_heading(front)), *pages, *appendix]


def page_heading(path: Path) -> str:
    """A page's level-1 heading as a browser shows it: the title its PDF bookmark carries."""
    heading = _parse(path).find(".//h1")
    return _cell_text(heading) if heading is not None else ""


def _parse(path: Path) -> lxml_html.HtmlElement:
    """A built page as an element tree (pages are UTF-8, written by the build)."""
    return lxml_html.document_fromstring(path.read_bytes())


def _to_anchors(element: lxml_html.HtmlElement) -> None:
    """Links between report pages point at the sections (or the tables) inside the document;
    links to files beside the pages (``tables/x.csv``) become plain text, because a printed
    relative link turns into this computer's absolute path, which leads nowhere for a reader
    (and the partner pack refuses it)."""
    for link in element.iter("a"):
        href = link.get("href", "")
        match = _PAGE_LINK.match(href)
        if match:
            link.set("href", match.group(2) or f"#{match.group(1)}")
        elif href and not href.startswith(("#", "http://", "https://", "mailto:")):
            del link.attrib["href"]


def _page_body(path: Path, stem: str) -> str:
    """A page's content (its ``<main>``, or ``<body>`` for the index) as one document part."""
    tree = _parse(path)
    content = tree.find(".//main")
    if content is None:
        content = tree.find(".//body")
    for nav in content.xpath(".//nav[contains(@class, 'csp-nav')]"):
        nav.drop_tree()
    _to_anchors(content)
    inner = "".join(lxml_html.tostring(child, encoding="unicode") for child in content)
    return f'<section class="csp-doc-section" id="{stem}">{inner}</section>'


def _head(path: Path) -> str:
    """The styles of the report's pages (every page shares the one template), plus print CSS."""
    head = _parse(path).find(".//head")
    styles = "".join(lxml_html.tostring(style, encoding="unicode")
                     for style in head.iter("style"))
    return f'<meta charset="utf-8">{styles}<style>{DOCUMENT_CSS}</style>'


def _escape(text: str) -> str:
    """Text for the cover and contents, which the document writes itself."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def built_on(out: Path) -> date:
    """The day the report was built (its manifest's ``built_at``), printed on the cover."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return datetime.fromisoformat(manifest["built_at"]).date()


def assessment_html(config: AreaConfig, period: str, out: Path, pages: list[ReportPage],
                    start_pages: dict[str, int] | None = None) -> str:
    """The whole assessment as one printable HTML document.

    ``start_pages`` gives the page each part starts on (the contents shows them); without it
    the contents shows a placeholder of the same width, for the first printing pass.
    """
    title = f"{config.title}: strategic assessment {period.replace('-', '/')}"
    parts = document_parts(out, pages)
    entries = "".join(
        f'<li><a href="#{part.stem}">{_escape(part.title)}</a>'
        f'<span>{(start_pages or {}).get(part.stem, "00")}</span></li>' for part in parts)
    built_text = built_on(out).strftime("%-d %B %Y")
    cover = (f'<div class="csp-doc-cover"><div class="csp-doc-title">{_escape(title)}</div>'
             f"<p>{_escape(config.csp_name)} ({config.csp_code}), {_escape(config.force.name)}"
             f"</p><p>Built on {built_text} from the report's pages. The tables behind every "
             "figure are in the partner pack.</p></div>")
    contents = f'<div class="csp-doc-contents"><h2>Contents</h2><ol>{entries}</ol></div>'
    body = "".join(_page_body(part.path, part.stem) for part in parts)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><title>{_escape(title)}</title>"
            f"{_head(pages[0].path)}</head><body>{cover}{contents}{body}</body></html>")


def find_chromium() -> str:
    """The headless Chromium that prints the PDF (``make browser`` installs Debian's)."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BuildError("Chromium is not installed, so the PDF cannot be printed",
                     hint="run `make browser` (installs Debian's chromium) or install Chromium")


def _print(document: Path, chromium: str) -> bytes:
    """One printing of the document by headless Chromium: A4, page numbers, bookmarks."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(document.as_uri(), wait_until="load")
            return page.pdf(format="A4", margin=PAGE_MARGIN, print_background=True,
                            display_header_footer=True, header_template="<div></div>",
                            footer_template=FOOTER, outline=True, tagged=True)
        finally:
            browser.close()


def _squeezed(title: str) -> str:
    """A title without white space: Chromium drops the space where a heading wraps when it
    makes the heading's bookmark ('...girls anddomestic abuse')."""
    return "".join(title.split())


def bookmark_pages(pdf: bytes) -> dict[str, int]:
    """The page (from 1) of each top-level bookmark, by :func:`_squeezed` title, first kept."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}
    for item in reader.outline:
        if isinstance(item, list):  # the headings below the last top-level one
            continue
        number = reader.get_destination_page_number(item)
        if number is not None:
            pages.setdefault(_squeezed(str(item.title)), number + 1)
    return pages


def start_pages(pdf: bytes, parts: list[ReportPage]) -> dict[str, int]:
    """The page each part starts on, found from the first printing's bookmarks.

    Every page opens with a level-1 heading (:func:`page_heading`), which Chromium makes a
    top-level bookmark.
    """
    marks = bookmark_pages(pdf)
    found = {part.stem: marks[_squeezed(part.heading)] for part in parts
             if _squeezed(part.heading) in marks}
    missing = [part.title for part in parts if part.stem not in found]
    if missing:
        raise BuildError("the PDF has no bookmark for some sections, so the contents cannot "
                         "give their pages", found=", ".join(missing),
                         hint="each page must open with its title as a level-1 heading")
    return found


def _checked_report(area: str, period: str, root: Path) -> tuple[AreaConfig, Path]:
    """The area's config and built report folder, after the partner pack's disclosure checks."""
    config = load_area(area, root)
    out = report_dir(area, period, root)
    if not (out / "index.html").is_file():
        raise BuildError("the report has not been built", file=out,
                         hint=f"run `make report AREA={area} PERIOD={period}` first")
    if config.disclosure != "none":
        verify_before_sharing(out, DisclosureRule.named(config.disclosure))
    return config, out


def write_pdf(area: str, period: str, root: Path | None = None) -> Path:
    """Print the built assessment to ``<report>/<area>-<period>-strategic-assessment.pdf``."""
    root = root or project_root()
    period = canonical_period(period)
    config, out = _checked_report(area, period, root)
    pages = report_pages(out, root)
    chromium = find_chromium()
    target = out / document_name(area, period, ".pdf")
    draft = out / f".{target.stem}.print.html"
    try:
        atomic_write(draft, assessment_html(config, period, out, pages))
        first = _print(draft, chromium)
        atomic_write(draft, assessment_html(config, period, out, pages,
                                            start_pages(first, document_parts(out, pages))))
        atomic_write(target, _print(draft, chromium))
    except OSError as error:
        raise storage_error(error, "writing the PDF", target, kept="no PDF was written") from error
    finally:
        draft.unlink(missing_ok=True)
    logger.info("PDF of %s %s: %s", area, period, target)
    return target


def _cell_text(element: lxml_html.HtmlElement) -> str:
    """An element's text with runs of white space as single spaces (as a browser shows it)."""
    return " ".join(element.text_content().split())


def _add_table(document: DocxDocument, table: lxml_html.HtmlElement) -> None:
    """An HTML table as a Word table in the built-in 'Table Grid' style, heading row bold."""
    rows = [[_cell_text(cell) for cell in row.xpath("./th|./td")]
            for row in table.xpath(".//tr")]
    rows = [row for row in rows if row]
    if not rows:
        return
    grid = document.add_table(rows=0, cols=max(len(row) for row in rows))
    grid.style = "Table Grid"
    heading_rows = len(table.xpath("./thead/tr"))
    for number, row in enumerate(rows):
        # Row by row: python-docx's table.cell(r, c) walks the whole table on every call.
        for cell, text in zip(grid.add_row().cells, row, strict=False):
            run = cell.paragraphs[0].add_run(text)
            run.bold = number < heading_rows
    document.add_paragraph()


def _add_image(document: DocxDocument, image: lxml_html.HtmlElement) -> None:
    """An embedded PNG chart, 16 cm wide, keeping the page's alt text for screen readers."""
    source = image.get("src", "")
    prefix = "data:image/png;base64,"
    if not source.startswith(prefix):
        return
    shape = document.add_picture(io.BytesIO(base64.b64decode(source[len(prefix):])),
                                 width=Cm(16))
    alt = image.get("alt")
    if alt:
        shape._inline.docPr.set("descr", alt)


BLOCKS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3}
SKIPPED_CLASSES = {"csp-table-file", "csp-meta"}
"""Left out of the Word document: paths into the report folder and each page's header details
(area, period, sources, disclosure), which the document states once at the top."""


def _add_content(document: DocxDocument, element: lxml_html.HtmlElement) -> None:
    """Headings, paragraphs, lists, tables and charts of a page, in page order.

    Navigation and :data:`SKIPPED_CLASSES` are left out; anything else is walked into.
    """
    classes = set(element.get("class", "").split())
    if element.tag in ("nav", "script", "style") or classes & SKIPPED_CLASSES:
        return
    if element.tag in BLOCKS:
        document.add_heading(_cell_text(element), level=BLOCKS[element.tag])
    elif element.tag in ("p", "figcaption", "dt", "dd"):
        text = _cell_text(element)
        if text:
            paragraph = document.add_paragraph(text)
            if element.tag in ("figcaption", "dt"):
                for run in paragraph.runs:
                    run.bold = True
    elif element.tag == "li":
        document.add_paragraph(_cell_text(element), style="List Bullet")
    elif element.tag == "table":
        _add_table(document, element)
    elif element.tag == "img":
        _add_image(document, element)
    else:
        for child in element:
            if isinstance(child.tag, str):
                _add_content(document, child)


DETAILS = ("Period", "Disclosure control")
"""The page-header details the Word document states once, below its title."""


def page_details(path: Path) -> dict[str, str]:
    """The :data:`DETAILS` of a page's header (its ``dl.csp-meta``), by label."""
    details: dict[str, str] = {}
    for term in _parse(path).xpath("//dl[contains(@class, 'csp-meta')]/dt"):
        label = _cell_text(term)
        value = term.getnext()
        if label in DETAILS and value is not None:
            details[label] = _cell_text(value)
    return details


def board_document(config: AreaConfig, period: str, out: Path, pages: list[ReportPage],
                   template: Path | None = None) -> bytes:
    """The Word document's bytes: a title, then the board sections' pages as Word content."""
    from docx import Document

    document = Document(str(template)) if template else Document()
    document.add_heading(f"{config.title}: strategic assessment {period.replace('-', '/')}",
                         level=0)
    document.add_paragraph(f"{config.csp_name} ({config.csp_code}), {config.force.name}. "
                           f"Built on {built_on(out).strftime('%-d %B %Y')}. The full "
                           "assessment, with every section and the tables behind each figure, "
                           "is in the partner pack.")
    board_pages = [page for page in pages if page.stem in BOARD_SECTIONS]
    for label, text in page_details(board_pages[0].path).items():
        document.add_paragraph().add_run(f"{label}: ").bold = True
        document.paragraphs[-1].add_run(text)
    for page in board_pages:
        tree = _parse(page.path)
        for anchor in tree.xpath("//a[contains(@class, 'anchor-link')]"):
            anchor.drop_tree()  # the pilcrow beside each heading, a web page's own link
        content = tree.find(".//main")
        _add_content(document, content if content is not None else tree)
    document.core_properties.title = f"{config.title}: strategic assessment"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(area: str, period: str, root: Path | None = None,
               template: Path | None = None) -> Path:
    """Write ``<report>/<area>-<period>-board-summary.docx``: key findings and plan on a page.

    ``template`` is a council's own .docx (its styles and headers are kept; its body text too,
    so use an empty one).
    """
    root = root or project_root()
    period = canonical_period(period)
    config, out = _checked_report(area, period, root)
    if template is not None and not template.is_file():
        raise BuildError("the Word template does not exist", file=template,
                         hint="give the path of a .docx file")
    target = out / document_name(area, period, ".docx")
    content = board_document(config, period, out, report_pages(out, root), template)
    try:
        atomic_write(target, content)
    except OSError as error:
        raise storage_error(error, "writing the Word document", target,
                            kept="no document was written") from error
    logger.info("Word document of %s %s: %s", area, period, target)
    return target
