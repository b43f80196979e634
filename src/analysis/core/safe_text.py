"""Text from data or configuration made safe for where it goes: a page, or a spreadsheet cell.

Ward and LSOA names, area titles, police.uk locations, partner ASB types and indicator notes
come from files the toolkit does not control. Put into a page as they are, ``<img src=x
onerror=...>`` in a ward name runs as script when a partner opens the page; put into a CSV as
they are, ``=HYPERLINK(...)`` runs as a formula when a partner opens it in a spreadsheet.
This module is the one place both are prevented:

* :func:`escape_html` and :func:`html_from` for HTML (tables, headers, the index, alt text);
* :func:`escape_markdown` and :func:`markdown_from` for Markdown cells a notebook displays
  (nbconvert passes raw HTML in Markdown through to the page, so Markdown needs both HTML
  escaping and escaping of Markdown's own punctuation);
* :func:`neutralise_cell`, :func:`neutralise_table` and :func:`write_csv` for spreadsheets:
  a text cell starting ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is stored with a
  leading apostrophe, so a spreadsheet shows it as text instead of running it.

Templates (the wording in a notebook or helper) are trusted; only the values put into them
are escaped, so ``**{ward}**`` stays bold and the ward name stays text.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet cell that Excel, LibreOffice or Google Sheets would run can begin."""
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")
"""Characters with a meaning in (Jupyter's) Markdown, math ``$`` included; ``& < > " '``
are left to :func:`escape_html`, because a backslash before them would show the entity."""
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f]+")


def escape_html(value: object) -> str:
    """``value`` as text for HTML content or a quoted attribute: ``& < > " '`` escaped."""
    return html.escape(str(value), quote=True)


def escape_markdown(value: object) -> str:
    """``value`` as literal text inside Markdown: no formatting, link, math or HTML in it.

    Line breaks become spaces, because a new line could start a heading or a list.
    """
    text = _LINE_BREAKS.sub(" ", str(value))
    return escape_html(_MARKDOWN_PUNCTUATION.sub(r"\\\1", text))


class _EscapingFormatter(string.Formatter):
    """``str.format`` that escapes each value after applying its format spec."""

    def __init__(self, escape: Callable[[object], str]) -> None:
        super().__init__()
        self._escape = escape

    def format_field(self, value: Any, format_spec: str) -> str:
        return self._escape(super().format_field(value, format_spec))


_HTML = _EscapingFormatter(escape_html)
_MARKDOWN = _EscapingFormatter(escape_markdown)


def html_from(template: str, **values: object) -> str:
    """``template.format(**values)`` with every value HTML-escaped (the template is not).

    Format specs work as usual: ``html_from("<b>{n:,}</b> in {ward}", n=1200, ward=name)``.
    """
    return _HTML.format(template, **values)


def markdown_from(template: str, **values: object) -> str:
    """``template.format(**values)`` with every value Markdown- and HTML-escaped.

    The template's own Markdown (``**bold**``, headings) is kept; values show literally.
    Do not put a value inside a code span (backticks): entities are not decoded there.
    """
    return _MARKDOWN.format(template, **values)


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text.

    Numbers are left alone, also negative ones and ones written as text (e.g. '-61',
    '+1,145'): a spreadsheet reads those as numbers, not formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells (and headers) neutralised."""
    safe = frame.copy()
    for position in range(safe.shape[1]):  # by position: column names may repeat
        column = safe.iloc[:, position]
        if _holds_text(column):
            safe.isetitem(position, column.map(neutralise_cell))
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return safe


def _holds_text(column: pd.Series) -> bool:
    """Whether a column can hold text (object, string or categorical); numbers, booleans and
    dates are written as they are."""
    return (pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)
            or isinstance(column.dtype, pd.CategoricalDtype))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as formula-safe CSV (no index): the one CSV writer."""
    neutralise_table(frame).to_csv(path, index=False)
