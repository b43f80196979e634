"""The methods page of a report: ``docs/methods.md`` as ``methods.html`` beside the sections.

Partners receive the pages, not the repository, so a page that says "see docs/methods.md"
points at nothing they have. Every report therefore carries the methods as a page of its
own, written with the index from the methods document of the code that built it (so the
methods described are the methods used), in the report's style, and the pages link to it.
The document is the project's own text; its raw HTML is escaped all the same.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from analysis.core.errors import BuildError
from analysis.core.files import atomic_write, standalone_page

METHODS_PAGE = "methods.html"
METHODS_SOURCE = Path(__file__).resolve().parents[3] / "docs" / "methods.md"
"""The methods document of the checkout the package runs from."""


def methods_html(markdown: str, title: str) -> str:
    """The methods document as a self-contained page (CommonMark with tables, no raw HTML)."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return standalone_page(title, '<div class="csp-index csp-methods">\n<nav class="csp-nav">'
                           f'<a href="index.html">All sections</a></nav>\n{body}</div>')


def write_methods_page(out: Path, report_title: str, source: Path = METHODS_SOURCE) -> Path:
    """Write ``out/methods.html`` from ``source``; a missing document is a build error (a
    report whose pages link to a methods page must have one)."""
    if not source.is_file():
        raise BuildError("the methods document is missing, so the report has no methods page",
                         file=source, hint="restore docs/methods.md from the repository")
    page = out / METHODS_PAGE
    atomic_write(page, methods_html(source.read_text(encoding="utf-8"),
                                    f"Methods: {report_title}"))
    return page
