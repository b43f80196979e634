"""The analyst's commentary converter: a small Markdown subset, everything else inert text."""

from __future__ import annotations

import pytest

from analysis.core.safe_markdown import inline_html, markdown_html, safe_url


def test_paragraphs_emphasis_and_lists() -> None:
    text = ("Crime **rose** and *violence* rose most.\nSecond line of the same paragraph.\n\n"
            "- first point\n- second __point__\n\n1. one\n2. two _items_")
    assert markdown_html(text) == (
        "<p>Crime <strong>rose</strong> and <em>violence</em> rose most. Second line of the "
        "same paragraph.</p><ul><li>first point</li><li>second <strong>point</strong></li>"
        "</ul><ol><li>one</li><li>two <em>items</em></li></ol>")


def test_a_list_directly_after_a_paragraph_and_a_continued_item() -> None:
    assert markdown_html("Points:\n- a\n  continued\n* b") == (
        "<p>Points:</p><ul><li>a continued</li><li>b</li></ul>")


def test_safe_links_keep_their_address_and_get_rel() -> None:
    assert inline_html("see [the Places page](30_places.html)") == (
        'see <a href="30_places.html" rel="noopener noreferrer">the Places page</a>')
    assert inline_html("[ONS](https://www.ons.gov.uk/a_b_c?x=1&y=2)") == (
        '<a href="https://www.ons.gov.uk/a_b_c?x=1&amp;y=2" rel="noopener noreferrer">ONS</a>')


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
    "vbscript:x", "//evil.example/x", "file:///etc/passwd", " javascript:alert(1)",
    "java\\script:x",
])
def test_unsafe_links_lose_their_address(url: str) -> None:
    assert safe_url(url) is None
    shown = markdown_html(f"[click]({url})")
    assert "href" not in shown and "click" in shown


def test_raw_html_and_script_show_as_text() -> None:
    hostile = ('<script>alert(1)</script> <img src=x onerror=alert(1)> '
               '[x](javascript:alert(1)) "quoted" & <b>bold</b>')
    shown = markdown_html(hostile)
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "href" not in shown and "&quot;quoted&quot; &amp;" in shown


def test_an_attribute_cannot_be_broken_out_of() -> None:
    shown = inline_html('[x](https://a.example/"onmouseover="alert`1`)')
    assert shown == ('<a href="https://a.example/&quot;onmouseover=&quot;alert`1`" '
                     'rel="noopener noreferrer">x</a>')


def test_headings_images_and_code_are_not_in_the_subset() -> None:
    assert markdown_html("# Title\n\n![alt](https://x/y.png) `code`") == (
        '<p># Title</p><p>!<a href="https://x/y.png" rel="noopener noreferrer">alt</a> '
        "`code`</p>")


def test_empty_text_gives_nothing() -> None:
    assert markdown_html("") == "" and markdown_html("  \n\n ") == ""
