"""What a section notebook needs around its figures: context, page header, tables and charts.

A notebook opens a :class:`Section` once, from its parameters, and then only calls
``section.table(...)`` and ``section.chart(...)``. Those show the result in the page *and* write
the numbers behind it to ``reports/<area>/<period>/tables/`` under a stable name, so every
figure in the HTML has its table beside it. Headline numbers go to ``key_figures/``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Image, Markdown, display
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import ConfigError, DataCoverageError
from analysis.core.files import (
    comparison_label,
    reading_order,
    report_dir,
    section_notebooks,
    section_title,
    store_dir,
    strict_json,
)
from analysis.core.findings import Finding
from analysis.core.lab import lab_dir, working_area
from analysis.core.periods import Period, compared_months, comparison_period, months_between
from analysis.core.safe_text import escape_html, html_from, markdown_from, write_csv
from analysis.inputs.areas import load_area
from analysis.present.cell_format import human_cells
from analysis.present.chart_layout import overlapping_text
from analysis.present.chart_text import description
from analysis.present.commentary import commentary_html
from analysis.present.disclosure_register import (
    OPEN,
    PARTNER,
    Declaration,
    change_columns,
    disclosure_statement,
    entry,
    numeric_view,
    publish,
    write_section_register,
)
from analysis.present.presentable import Chart, Table, heading
from analysis.stats.disclosure import DisclosureRule
from analysis.stats.measures import RELIABLE_BASE, percent_change
from analysis.store import query

_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
Shown = HTML | Image | Markdown  # what a notebook displays
TEXT_OVERLAPS = "csp_text_overlaps"
"""The image metadata key holding a chart's layout-check findings (a list of sentences)."""


def area_partner_table(config: AreaConfig, folder: Path, kind: str) -> pd.DataFrame | None:
    """The area's own partner extract of ``kind`` from the store at ``folder``, or None.

    None unless the area's config names that extract: a shared store may hold another
    partnership's extracts, and using them (or reading their absence as zero) would be wrong.
    """
    partner = config.sources.partner
    if partner is None or getattr(partner, kind) is None:
        return None
    return query.partner_table(folder, kind)


@dataclass
class Section:
    """The running context of one section notebook."""

    section_id: str
    config: AreaConfig
    period: Period
    output_dir: Path
    root: Path
    period_text: str
    key_figures: dict[str, Any] = field(default_factory=dict)
    _register: dict[str, Any] = field(default_factory=dict)
    _last_table: str = ""

    @classmethod
    def open(cls, section_id: str, area: str = "", period: str = "",
             output_dir: str = "") -> Section:
        """Load the area config and period named by the notebook's parameters.

        The build always passes all three. A notebook run by hand (JupyterLab) leaves them
        empty: the area and period are then the working area (:mod:`analysis.core.lab`: the
        ``CSP_AREA``/``CSP_PERIOD`` variables or ``.csp-lab.yaml``; the period defaults to
        the area's own), and the section writes to the scratch folder
        ``reports/_lab/<area>/<period>/``, never to the published report.
        """
        if not _NAME.match(section_id):
            raise ConfigError("section id must be lower case letters, digits and '_'",
                              found=section_id)
        root = project_root()
        if not area:
            working = working_area(root)
            area, period = working.area, period or working.period or ""
        config = load_area(area, root)
        period = period or config.default_period
        parsed = Period.parse(period)
        out = Path(output_dir) if output_dir else lab_dir(area, period, root)
        out = out if out.is_absolute() else root / out
        (out / "tables").mkdir(parents=True, exist_ok=True)
        return cls(section_id, config, parsed, out, root, period)

    @property
    def previous(self) -> Period:
        """The comparison period, under the area's ``comparison`` rule
        (:func:`analysis.core.periods.comparison_period`)."""
        return comparison_period(self.period, self.config.comparison)

    def period_line(self) -> str:
        """The header's period line: the comparison, its rule and the months each period holds
        of the force's police.uk data (e.g. '2018/19: 9 of 12 months held (missing: ...)')."""
        line = comparison_label(self.period, self.config.comparison)
        try:
            months = query.force_months(self.store_dir, self.config.force.name)
        except DataCoverageError:
            return f"{line}. No data.police.uk months have been ingested for this area."
        return " ".join([f"{line}. data.police.uk months held:",
                         *compared_months(self.period, self.previous, months).completeness()])

    @property
    def store_dir(self) -> Path:
        """Where this area's canonical store lives."""
        return store_dir(self.config, self.root)

    def navigation(self) -> str:
        """Links to the index and to the previous and next sections in reading order."""
        notebooks = {nb.stem: nb for nb in section_notebooks(self.root)}
        order = reading_order(list(notebooks))
        links = ['<a href="index.html">All sections</a>']
        if self.section_id in order:
            at = order.index(self.section_id)
            if at > 0:
                before = order[at - 1]
                links.insert(0, f'<a href="{before}.html">&larr; '
                                f"{escape_html(section_title(notebooks[before]))}</a>")
            if at + 1 < len(order):
                after = order[at + 1]
                links.append(f'<a href="{after}.html">'
                             f"{escape_html(section_title(notebooks[after]))} &rarr;</a>")
        return " | ".join(links)

    def partner(self, kind: str) -> pd.DataFrame | None:
        """This area's partner extract ('crimes', 'asb', 'indicators'), or None."""
        return area_partner_table(self.config, self.store_dir, kind)

    def header(self, title: str, *, sources: list[str], caveats: list[str]) -> HTML:
        """The block every page opens with: area, period, sources, caveats, disclosure rule;
        then the analyst's commentary on the page when the area has one
        (:func:`analysis.present.commentary.commentary_html`)."""
        items = "".join(f"<li>{escape_html(s)}</li>" for s in sources)
        notes = "".join(f"<li>{escape_html(c)}</li>" for c in caveats)
        return HTML(
            f"""<header class="csp-page-header">
<nav class="csp-nav">{self.navigation()}</nav>
<h1>{escape_html(title)}</h1>
<dl class="csp-meta">
<dt>Area</dt><dd>{escape_html(self.config.title)} ({self.config.csp_code})</dd>
<dt>Period</dt><dd>{escape_html(self.period_line())}</dd>
<dt>Data sources</dt><dd><ul>{items}</ul></dd>
<dt>Caveats</dt><dd><ul>{notes}</ul></dd>
<dt>Disclosure control</dt><dd>{escape_html(disclosure_statement(self.config.disclosure))}</dd>
<dt>Built</dt><dd>{date.today():%d %B %Y}</dd>
</dl></header>{commentary_html(self.config.name, self.section_id, self.root)}"""
        )

    def _table_path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ConfigError("table names are lower case letters, digits and '_'", found=name)
        return self.output_dir / "tables" / f"{self.section_id}__{name}.csv"

    def table(self, frame: pd.DataFrame, name: str, caption: str, *, source: str,
              counts: Sequence[Hashable] = (),
              derived: Mapping[Hashable, Sequence[Hashable]] | None = None,
              kept: Mapping[Hashable, str] | None = None, labels: Sequence[Hashable] = (),
              measure: str | None = None, order: str | None = None,
              formats: dict[str, str] | None = None,
              total_row: Hashable | None = None, total_column: str | None = None) -> HTML:
        """Write ``frame`` as ``tables/<section>__<name>.csv`` and return it as an HTML table.

        ``source`` is the numbers' class in the disclosure register ('partner', 'open' or
        'process', see :mod:`analysis.present.disclosure_register`) and ``counts`` the columns of
        true
        counts. For a partner table the area's rule applies to ``counts`` (suppressed and
        rounded, with secondary suppression against ``total_row`` (an index label) and
        ``total_column``) *before* anything is written, so no file of the report holds the
        true small counts; ``derived`` columns (e.g. ``change_columns(...)``) are recomputed
        from the published counts, ``kept`` numeric columns are published as they are with a
        stated reason, and ``order`` says how rows are ordered: 'labels' (the rows are in label
        order), a count column (sorted by published value, hidden cells last, ties by label)
        or '<count column> within <label column>' (the same inside each run of that label,
        whose first row, a subtotal, stays first). A partner table that leaves any of these
        undeclared is an error. ``labels`` (default: the first other column) and ``measure``
        give each count cell its key in the register. ``formats`` maps a column to a format
        string (e.g. ``"{:,.0f}"``); missing values show as an en dash, never as 0 or 'nan';
        a suppressed cell shows the rule's symbol. The page shows each machine column name
        (``rate_lower``) under its human heading
        (:func:`analysis.present.presentable.heading`); the table file keeps the names.
        """
        frame, declaration, total_row = self._disclose(
            frame, name, "table", source=source, counts=counts, derived=derived, kept=kept,
            labels=labels, measure=measure, order=order, total_row=total_row,
            total_column=total_column)
        controlled = declaration.source == PARTNER and self.config.disclosure != "none"
        disclose = list(declaration.counts) if controlled else []
        write_csv(frame, self._table_path(name))
        shown = human_cells(frame, set(formats or {}))
        for column, fmt in (formats or {}).items():
            shown[column] = [("–" if pd.isna(v) else fmt.format(v) if _is_number(v)
                              else str(v)) for v in shown[column]]
        shown = shown.astype(object).mask(shown.isna(), "–")  # NaN, None and <NA> alike
        shown.columns = [heading(column) for column in shown.columns]  # the file keeps names
        classes = "csp-table csp-controlled" if disclose else "csp-table"
        table_id = f"csp-{self._table_path(name).stem}"
        body = shown.to_html(index=False, na_rep="–", border=0, classes=classes, escape=True,
                             table_id=table_id)
        numeric = [i + 1 for i, column in enumerate(frame.columns)
                   if column in disclose or column in (formats or {})
                   or pd.api.types.is_numeric_dtype(frame[column])]
        if numeric:  # numbers right-aligned so digits line up; text stays left
            cells = ", ".join(f"#{table_id} td:nth-child({i}), #{table_id} th:nth-child({i})"
                              for i in numeric)
            body = f"<style>{cells} {{ text-align: right; }}</style>{body}"
        return HTML(f'<figure class="csp-figure"><figcaption>{escape_html(caption)}'
                    f"</figcaption>{body}<p class='csp-table-file'>Table file: "
                    f"tables/{self._table_path(name).name}</p></figure>")

    def change_columns(self, headings: tuple[str, str] | None = None
                       ) -> dict[str, tuple[str, str, str]]:
        """``derived=`` for a change table of this period against the previous one: '# diff.'
        and '% diff.' recomputed from the published counts of both periods.

        ``headings`` are the (previous, current) count columns when they are not the plain
        period labels (:func:`analysis.stats.measures.count_headings`, e.g. '2023/24 (no data)').
        """
        previous, current = headings or (self.previous.label, self.period.label)
        return change_columns(current, previous)

    def chart(self, fig: Figure | Callable[[pd.DataFrame], Figure], data: pd.DataFrame,
              name: str, *, source: str, counts: Sequence[Hashable] = (),
              derived: Mapping[Hashable, Sequence[Hashable]] | None = None,
              kept: Mapping[Hashable, str] | None = None, labels: Sequence[Hashable] = (),
              measure: str | None = None, alt: str | None = None) -> Image:
        """Write the numbers drawn in ``fig`` as ``tables/<section>__<name>.csv``; show ``fig``.

        ``source``, ``counts``, ``derived``, ``kept``, ``labels`` and ``measure`` are declared
        as for :meth:`table`; rows keep their order (months, days). A partner chart passes
        ``fig`` as a function of the published data (hidden cells as NaN), so the picture
        shows no more than its table file; a ready-made figure of partner counts is refused.
        The figure is rendered to PNG here (no timestamp or software tag in the file), so the
        page shows it whatever matplotlib backend the kernel runs and rebuilds are identical.
        ``alt`` is the image's text for screen readers (plain text: the page template escapes
        it); by default it is the chart's title, the description its drawing function made
        from the data (:mod:`analysis.present.chart_text`) and the name of its table file.
        Text in the figure is drawn as written: a ``$`` from a name never starts mathtext.
        The house-style layout check (:func:`analysis.present.chart_layout.overlapping_text`)
        runs on the drawn figure and its findings (an empty list when none) go with the image
        in the output's metadata under :data:`TEXT_OVERLAPS`, so a build can prove every
        chart passed.
        """
        if source == PARTNER and not callable(fig):
            plt.close(fig)
            raise ConfigError("a partner chart must be drawn from its published data",
                              file=f"tables/{self._table_path(name).name}",
                              hint="pass fig as a function of the published data, e.g. "
                              "lambda published: monthly_trend(published, ...)")
        data, declaration, _ = self._disclose(
            data, name, "chart", source=source, counts=counts, derived=derived, kept=kept,
            labels=labels, measure=measure, order="labels")
        if callable(fig):
            rule = self._rule() if declaration.source == PARTNER else None
            fig = fig(numeric_view(data, declaration, rule))
        write_csv(data, self._table_path(name))
        for text in fig.findobj(Text):  # a '$' in a name is a dollar sign, not mathtext
            text.set_parse_math(False)
        overlaps = overlapping_text(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None},
                    dpi="figure")
        described = alt if alt is not None else chart_description(fig, self._table_path(name).name)
        plt.close(fig)
        return Image(data=buffer.getvalue(), format="png", alt=described,
                     metadata={TEXT_OVERLAPS: overlaps})

    def show(self, item: Table | Chart | Shown) -> Shown:
        """Show a :class:`~analysis.present.presentable.Table` or
        :class:`~analysis.present.presentable.Chart`
        made by a section module, exactly as :meth:`table` or :meth:`chart` would; text
        already made for the page (``Markdown``, ``HTML``) is returned as it is."""
        if isinstance(item, Table):
            return self.table(item.frame, item.name, item.caption, source=item.source,
                              counts=item.counts, derived=item.derived, kept=item.kept,
                              labels=item.labels, measure=item.measure, order=item.order,
                              formats=dict(item.formats), total_row=item.total_row,
                              total_column=item.total_column)
        if isinstance(item, Chart):
            return self.chart(item.draw, item.data, item.name, source=item.source,
                              counts=item.counts, derived=item.derived, kept=item.kept,
                              labels=item.labels, measure=item.measure, alt=item.alt)
        return item

    def display(self, items: Iterable[Table | Chart | Shown]) -> None:
        """Show each of ``items`` in the page, in order (see :meth:`show`)."""
        for item in items:
            display(self.show(item))

    def text(self, template: str, **values: object) -> Markdown:
        """A Markdown paragraph: the notebook's ``template`` with data ``values`` escaped.

        Use it for every sentence that includes a name or figure from data or configuration
        (``section.text("Busiest: **{ward}** ({n:,})", ward=name, n=count)``): the values show
        as literal text, so a name holding Markdown or HTML cannot format or script the page.
        """
        return Markdown(markdown_from(template, **values))

    def html(self, template: str, **values: object) -> HTML:
        """An HTML block: the notebook's ``template`` with data ``values`` HTML-escaped."""
        return HTML(html_from(template, **values))

    def _disclose(self, frame: pd.DataFrame, name: str, kind: str, *,
                  total_row: Hashable | None = None, total_column: str | None = None,
                  **declared: Any) -> tuple[pd.DataFrame, Declaration, int | None]:
        """Declare one output in the register and apply the area's rule if it is partner data.

        Returns the frame to write, the declaration and the total row's position in it. The
        section's register (``disclosure/<section>.json``) is rewritten after each output.
        """
        file = f"tables/{self._table_path(name).name}"
        self._last_table = self._table_path(name).stem
        declaration = Declaration.of(frame, file=file, **declared)
        rule = self._rule()
        if declaration.source == PARTNER and rule is not None:
            frame, total_row = publish(frame, declaration, rule, total_row=total_row,
                                       total_column=total_column)
        elif total_row is not None:
            total_row = list(frame.index).index(total_row)
        self._register[file] = entry(file, kind, declaration, self.config.disclosure, frame,
                                     total_row, total_column,
                                     rule.symbol if rule is not None else None)
        write_section_register(self.output_dir, self.section_id, self.config.name,
                               self.period.label, self.config.disclosure, self._register)
        return frame, declaration, total_row

    def findings(self, findings: Sequence[Finding]) -> HTML:
        """Show findings and add them, with their direction and significance, to the
        section's list for the executive summary (``key_figures/<section>.json``).

        Each finding is kept with the file stem of the table behind it
        (:meth:`finding_table`), so the key-findings page can link it to its numbers."""
        kept = self.key_figures.get("findings", {}).get("value", [])
        placed = [replace(f, table=self.finding_table(f.table)) for f in findings]
        self.record("findings", [*kept, *(f.as_record() for f in placed)],
                    label="Key findings")
        items = "".join(f"<li>{escape_html(f.statement)}</li>" for f in findings)
        return HTML(f'<section class="csp-findings"><h2>Key findings</h2><ul>{items}</ul>'
                    "</section>")

    def finding_table(self, table: str) -> str:
        """The file stem (``<section>__<name>``) of a finding's ``table``: a name of this
        section's tables, a whole stem as it is, or, empty, the table this page showed last
        (findings follow the table they summarise); '' before any table was shown."""
        if not table:
            return self._last_table
        return table if "__" in table else self._table_path(table).stem

    def record(self, key: str, value: Any, *, label: str | None = None,
               source: str = OPEN) -> None:
        """Keep a headline figure for the executive summary (``key_figures/<section>.json``).

        ``source="partner"`` marks a count of partner records: it is kept as the area's
        disclosure rule shows it in a table (the rule's symbol for a small count, otherwise
        rounded), so ``key_figures.json`` and the executive summary never say more than the
        tables do. Percentages and labels are kept as given (see :meth:`published_change`).
        """
        rule = self._rule()
        if (source == PARTNER and rule is not None and isinstance(value, int | np.integer)
                and not isinstance(value, bool)):
            value = rule.publish(int(value))
        self.key_figures[key] = {"value": value, "label": label or key}
        self._write_json("key_figures", "figures", self.key_figures)

    def record_all(self, figures: Iterable[tuple[str, Any, str]]) -> None:
        """Record each ``(key, value, label)`` headline figure (see :meth:`record`)."""
        for key, value, label in figures:
            self.record(key, value, label=label)

    def published_change(self, figures: Mapping[str, Any]) -> dict[str, Any]:
        """A partner change (``current``, ``previous``, ``pct_diff``, ``significance``, as
        :func:`analysis.stats.partner_counts.headline` gives it) for the key figures: both counts as
        the tables show them (the rule's symbol for a hidden one) and the % change of
        :meth:`published_row`; a hidden count hides the change and its test result too."""
        rule = self._rule()
        if rule is None:
            return dict(figures)
        row = self.published_row(figures)
        counts = {key: None if pd.isna(figures[key]) else rule.publish(int(figures[key]))
                  for key in ("current", "previous")}
        return {**figures, **counts,
                "pct_diff": None if pd.isna(row["pct_diff"]) else float(row["pct_diff"]),
                "significance": row["withheld"] or figures["significance"]}

    def published_changes(self, table: pd.DataFrame | None) -> pd.DataFrame | None:
        """A partner change table (:func:`analysis.stats.measures.change_table` rows) as the tables
        publish it, for the sentences and key figures written from it.

        ``current`` and ``previous`` are kept as the area's rule shows them (rounded), and
        ``diff``, ``pct_diff`` and ``pct_reliable`` are worked out again from those, as the
        tables' derived columns are. A row with a hidden count has both counts and the change
        unknown and a ``withheld`` reason, so no finding states it
        (:func:`analysis.present.narrative.describe_change` prints the reason instead).
        """
        rule = self._rule()
        if rule is None or table is None:
            return table
        shown = table.copy()  # keeps attrs such as the months compared
        published = {column: [None if pd.isna(v) else rule.publish(int(v))
                              for v in shown[column]] for column in ("current", "previous")}
        hidden = [rule.symbol in pair for pair in zip(*published.values(), strict=True)]
        for column, values in published.items():
            shown[column] = [float("nan") if hide or value is None else float(value)
                             for value, hide in zip(values, hidden, strict=True)]
        shown["diff"] = shown["current"] - shown["previous"]
        shown["pct_diff"] = [
            float("nan") if pd.isna(current) or pd.isna(previous) or previous == 0
            else percent_change(int(current), int(previous))
            for current, previous in zip(shown["current"], shown["previous"], strict=True)]
        shown["pct_reliable"] = shown["previous"].fillna(0) >= RELIABLE_BASE
        shown["withheld"] = [f"not shown, a count is under {rule.suppress_max + 1} "
                             "(disclosure control)" if hide else None for hide in hidden]
        return shown

    def published_row(self, row: Mapping[str, Any]) -> pd.Series:
        """One change (a row or a dict such as :func:`analysis.stats.indicators.change_between`
        gives) as :meth:`published_changes` publishes it."""
        published = cast(pd.DataFrame, self.published_changes(pd.DataFrame([dict(row)])))
        return published.iloc[0]  # a frame in gives a frame out

    @property
    def disclosure_rule(self) -> DisclosureRule | None:
        """The area's disclosure rule, or None when the area publishes counts as they are."""
        return self._rule()

    def _rule(self) -> DisclosureRule | None:
        """The area's disclosure rule, or None when the area publishes counts as they are."""
        return (None if self.config.disclosure == "none"
                else DisclosureRule.named(self.config.disclosure))

    def _write_json(self, folder_name: str, key: str, content: dict[str, Any]) -> None:
        """``<folder_name>/<section>.json`` in the output folder (key figures, disclosure)."""
        folder = self.output_dir / folder_name
        folder.mkdir(exist_ok=True)
        payload = {"section": self.section_id, "area": self.config.name,
                   "period": self.period.label, key: content}
        (folder / f"{self.section_id}.json").write_text(strict_json(payload), encoding="utf-8")

    @property
    def report_dir(self) -> Path:
        """The published report folder (``output_dir`` is a staging folder during a build, and
        the lab's scratch folder when the notebook is run by hand); read, never written."""
        return report_dir(self.config.name, self.period_text, self.root)


def chart_description(fig: Figure, table_file: str) -> str:
    """Alt text for a chart: its titles (figure and axes), what it shows in words when its
    drawing function described it (:func:`analysis.present.chart_text.description`) and the
    file with its numbers."""
    titles = [fig.get_suptitle(), *(axes.get_title(loc) for axes in fig.axes
                                    for loc in ("left", "center", "right"))]
    shown = "; ".join(" ".join(t.split()) for t in titles if t.strip()) or "Chart"
    words = description(fig)
    return f"{shown}. {words + ' ' if words else ''}The numbers are in tables/{table_file}."


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def police_uk_source(force_name: str, months: list[date]) -> str:
    """The data-source line for police.uk data: publisher, force and the months held."""
    if not months:
        return f"data.police.uk street-level crime and ASB, {force_name}: no months loaded"
    first, last = min(months), max(months)
    span = months_between(first, last)
    gaps = span - len(set(months))
    held = f"{len(set(months))} months" + (f", {gaps} missing in between" if gaps else "")
    return (f"data.police.uk street-level crime and ASB, {force_name}, "
            f"{first:%b %Y} to {last:%b %Y} ({held}); Open Government Licence v3.0")


def shown_path(path: str, root: Path) -> str:
    """A source path as partners should see it: relative to the project, never absolute.

    Absolute paths would reveal the analyst's folders; archive members keep their
    ``archive.zip!member`` form.
    """
    return os.path.relpath(path, root) if os.path.isabs(path.split("!", 1)[0]) else path
