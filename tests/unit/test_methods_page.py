"""The report's methods page: the methods document rendered, its raw HTML escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import BuildError
from analysis.publish.methods_page import METHODS_SOURCE, methods_html, write_methods_page


def test_methods_page_renders_headings_and_tables_and_escapes_html() -> None:
    page = methods_html("# Methods\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x()</script>\n",
                        "Methods: Area <A>")
    assert "<h1>Methods</h1>" in page and "<td>1</td>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>Methods: Area &lt;A&gt;</title>" in page
    assert 'href="index.html"' in page


def test_write_methods_page_uses_the_checkout_document_and_refuses_a_missing_one(
        tmp_path: Path) -> None:
    page = write_methods_page(tmp_path, "Area")
    assert page == tmp_path / "methods.html"
    assert METHODS_SOURCE.read_text().splitlines()[0].lstrip("# ") in page.read_text()
    with pytest.raises(BuildError, match="methods document is missing"):
        write_methods_page(tmp_path, "Area", source=tmp_path / "missing.md")
