"""What a section module hands its notebook: tables and charts ready to show, with the
disclosure class of their numbers declared where the numbers are made.

A section module (``analysis.sections.asb``, ``analysis.sections.places``, ...) returns
:class:`Table` and
:class:`Chart` objects; the notebook shows them with ``section.show(item)``, which writes the
table file, applies the area's disclosure rule and renders the HTML (see
:meth:`analysis.present.page.Section.table` and :meth:`~analysis.present.page.Section.chart` for
what each
declaration means). The notebook is then left with what it is for: calling and explaining.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


COLUMN_HEADINGS: Mapping[str, str] = {
    "blank_location": "Blank location", "cell_id": "Grid square (BNG)",
    "crime_type": "Crime type", "current": "This period", "diff": "# diff.",
    "duplicates_dropped": "Duplicates dropped", "falls_within": "Falls within",
    "first_month": "First month", "gini": "Gini coefficient", "home_pfa_code": "Home force code",
    "hotspot_class": "Hotspot class", "last_month": "Last month", "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA name", "out_of_area": "Outside the area", "pct_diff": "% diff.",
    "previous": "Previous period", "previous_month": "Previous month",
    "rate": "Rate per 1,000", "rate_lower": "Rate: lower 95 %", "rate_upper": "Rate: upper 95 %",
    "reason_code": "Reason code", "rows_loaded": "Rows loaded",
    "rows_quarantined": "Rows quarantined", "rows_read": "Rows read", "sha256": "SHA-256",
    "share_percent": "% share", "source_file": "Source file", "street": "Street (most records)",
    "top_percent": "Busiest % of places", "top_places": "Places in the busiest",
    "ward_code": "Ward code", "ward_name": "Ward",
}
"""The heading a page shows for a machine column name (the table file keeps the name)."""

_MACHINE_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def heading(column: Hashable) -> Hashable:
    """The heading a page shows for ``column``: its entry in :data:`COLUMN_HEADINGS`, else a
    machine name (lower case, words joined by '_') as words with a capital letter
    ("top_places" -> "Top places"); any other heading (e.g. '2024/25', 'Ward') as it is."""
    if not isinstance(column, str) or not _MACHINE_NAME.match(column):
        return column
    return COLUMN_HEADINGS.get(column, column.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Table:
    """A table for the page, its file name, caption and declared disclosure class.

    ``source`` is 'partner', 'open' or 'process'; ``counts``, ``derived``, ``kept``,
    ``labels``, ``measure`` and ``order`` declare its numbers as
    :meth:`analysis.present.page.Section.table` requires; ``formats`` maps a column to a format
    string.
    """

    frame: pd.DataFrame
    name: str
    caption: str
    source: str
    counts: Sequence[Hashable] = ()
    derived: Mapping[Any, Sequence[Hashable]] | None = None
    kept: Mapping[Any, str] | None = None
    labels: Sequence[Hashable] = ()
    measure: str | None = None
    order: str | None = None
    formats: Mapping[str, str] = field(default_factory=dict)
    total_row: Hashable | None = None
    total_column: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart drawn from ``data`` by ``draw`` (a function of the published data, so a partner
    chart shows no more than its table file), with its table file name and alt text."""

    draw: Callable[[pd.DataFrame], Figure]
    data: pd.DataFrame
    name: str
    source: str
    counts: Sequence[Hashable] = ()
    derived: Mapping[Any, Sequence[Hashable]] | None = None
    kept: Mapping[Any, str] | None = None
    labels: Sequence[Hashable] = ()
    measure: str | None = None
    alt: str | None = None


if TYPE_CHECKING:
    from IPython.display import HTML, Markdown

    PageItem = Table | Chart | Markdown | HTML
    """Anything a section hands its notebook to show, in page order."""
