"""A small, safe Markdown to HTML converter for text an analyst writes (the commentary).

An analyst's commentary (``config/narrative/<area>/<section>.md``) goes into pages emailed to
partners, so it is treated as untrusted: every character is HTML-escaped, and only a small
subset of Markdown becomes markup: paragraphs (blank-line separated), bulleted (``-``, ``*``,
``+``) and numbered (``1.``) lists, ``**bold**``/``__bold__``, ``*italic*``/``_italic_`` and
``[links](https://...)`` to ``http``, ``https`` or ``mailto`` addresses or relative ones. Raw
HTML shows as text; a link to anything else (``javascript:``, ``data:``, ``//host``) keeps its
text and loses its address. Headings, images, code and tables are not in the subset: their
characters show as written. A general Markdown library passes raw HTML through by design,
so this converter is deliberately small enough to read in full.
"""

from __future__ import annotations

import html
import re

SAFE_SCHEMES = ("http", "https", "mailto")
"""The only URL schemes a commentary link may use (relative links have none)."""

_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_EMPHASIS = (
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), "strong"),
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), "strong"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), "em"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), "em"),
)


def safe_url(url: str) -> str | None:
    """``url`` if a commentary may link to it: an ``http``, ``https`` or ``mailto`` address,
    or a relative one (not ``//host``); None for anything else, including a URL with control
    characters, spaces or backslashes, which browsers strip or rewrite before reading the
    scheme (``java\\tscript:``)."""
    if not url or any(ord(c) < 0x21 or c == "\\" or ord(c) == 0x7f for c in url):
        return None
    scheme = _SCHEME.match(url)
    if scheme is None:
        return None if url.startswith("//") else url
    return url if scheme.group(1).lower() in SAFE_SCHEMES else None


def _emphasis(escaped: str) -> str:
    """Bold and italic on already-escaped text (it holds no ``<`` or ``>`` of its own)."""
    for pattern, tag in _EMPHASIS:
        escaped = pattern.sub(rf"<{tag}>\1</{tag}>", escaped)
    return escaped


def inline_html(text: str) -> str:
    """One line or paragraph of commentary as HTML: escaped, with links and emphasis."""
    parts, at = [], 0
    for match in _LINK.finditer(text):
        parts.append(_emphasis(html.escape(text[at:match.start()])))
        label = _emphasis(html.escape(match.group(1)))
        url = safe_url(match.group(2))
        parts.append(f'<a href="{html.escape(url)}" rel="noopener noreferrer">{label}</a>'
                     if url else label)
        at = match.end()
    parts.append(_emphasis(html.escape(text[at:])))
    return "".join(parts)


def markdown_html(text: str) -> str:
    """The commentary ``text`` as HTML blocks: paragraphs and lists (see the module's doc)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def close() -> None:
        nonlocal kind
        if paragraph:
            blocks.append(f"<p>{inline_html(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            blocks.append(f"<{kind}>{''.join(f'<li>{inline_html(i)}</li>' for i in items)}"
                          f"</{kind}>")
            items.clear()
        kind = ""

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        item = bullet or numbered
        if not line.strip():
            close()
        elif item:
            wanted = "ul" if bullet else "ol"
            if paragraph or (items and kind != wanted):
                close()
            kind = wanted
            items.append(item.group(1).strip())
        elif items:  # a continuation line of the last item
            items[-1] = f"{items[-1]} {line.strip()}"
        else:
            paragraph.append(line.strip())
    close()
    return "".join(blocks)
