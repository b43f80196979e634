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

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


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
