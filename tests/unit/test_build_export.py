"""Exporting a page: the headings of items the data cannot give are left out."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.publish.build import without_empty_headings


def _shown(source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.outputs = [new_output("display_data", data={"text/html": "<table></table>"})]
    return cell


def test_markdown_before_a_cell_that_showed_nothing_is_dropped() -> None:
    notebook = new_notebook(cells=[
        new_code_cell("area = ''"),  # parameters: no output, nothing before it
        new_markdown_cell("## Recorded crime"), _shown("section.show(page.change)"),
        new_markdown_cell("## Repeat victimisation\n\nNeeds a victim identifier."),
        new_markdown_cell("## Victims\n\nThe second table gives the share..."),
        new_code_cell("section.display(page.victim_tables)"),  # no extract: shows nothing
        new_markdown_cell("## Where"), _shown("section.display(page.ward_items)"),
    ])
    kept = [cell.source.splitlines()[0] for cell in without_empty_headings(notebook).cells]
    assert kept == ["area = ''", "## Recorded crime", "section.show(page.change)",
                    "## Repeat victimisation", "section.display(page.victim_tables)",
                    "## Where", "section.display(page.ward_items)"]
