"""Text from data reaches pages as text and spreadsheets as values: never as markup or formulas."""

from __future__ import annotations

import ast
import base64
import io
import json
import string
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup  # nbconvert's own HTML parser
from matplotlib.figure import Figure
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.core.safe_text import (
    escape_html,
    html_from,
    markdown_from,
    neutralise_cell,
    write_csv,
)
from analysis.present.page import Section
from analysis.publish.build import export_html

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    '=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd|' /C calc'!A0", "Stanford & Corringham",
    "*bold* _it_ [link](javascript:alert(1)) `code` $x^2$ ~~s~~ | a | b |", "# heading",
    "1. not a list", "- not an item", "> not a quote", "![img](x.png)", "back\\slash",
    "&lt;already escaped&gt;", "O'Neil", "http://example.org/x", "<!-- comment",
]
TAGS = ("<script", "<img", "<svg", "<a ", "<em", "<strong", "<code", "<h1", "<ol", "<ul",
        "<blockquote", "<del", "<table", "<!--")


def _rendered(markdown: str) -> BeautifulSoup:
    """Markdown as the page export renders it (nbconvert's Markdown with math, raw HTML kept)."""
    return BeautifulSoup(HTMLExporter().markdown2html({}, markdown), "html.parser")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_value_shows_literally_and_adds_no_markup(payload: str) -> None:
    page = _rendered(markdown_from("{value}", value=payload))
    assert page.get_text().strip() == payload
    assert [tag.name for tag in page.find_all()] == ["p"]


def test_markdown_template_keeps_its_own_formatting_and_format_specs() -> None:
    page = _rendered(markdown_from("### {subject}\n\nBusiest: **{ward}** ({n:,} crimes, "
                                   "{share:.1f} %, hour {hour:02d})", subject="All <b>crime",
                                   ward="<img src=x onerror=alert(1)>", n=12345, share=8.04,
                                   hour=7))
    assert page.h3.find(string=True) == "All <b>crime"  # then the heading's anchor link
    assert page.strong.get_text() == "<img src=x onerror=alert(1)>"
    assert page.p.get_text() == ("Busiest: <img src=x onerror=alert(1)> (12,345 crimes, "
                                 "8.0 %, hour 07)")
    assert page.find("img") is None and page.find("b") is None


def test_markdown_value_with_line_breaks_cannot_start_a_block() -> None:
    page = _rendered(markdown_from("Ward {ward}", ward="North\n# Heading\n<script>x</script>"))
    assert page.find("h1") is None and page.find("script") is None
    assert page.get_text().strip() == "Ward North # Heading <script>x</script>"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_value_is_text_in_content_and_attributes(payload: str) -> None:
    page = BeautifulSoup(html_from('<p title="{value}">{value}</p>', value=payload),
                         "html.parser")
    assert page.p.get_text() == payload and page.p["title"] == payload
    assert [tag.name for tag in page.find_all()] == ["p"]
    assert escape_html('"><svg>') == "&quot;&gt;&lt;svg&gt;"


@pytest.mark.parametrize(("cell", "safe"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"), ("-2+3", "'-2+3"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-61", "-61"), ("+1,145", "+1,145"), ("-8.4", "-8.4"), ("Burglary", "Burglary"), (5, 5),
    (-5, -5), (-8.5, -8.5), (None, None),
])
def test_formula_cells_neutralised_numbers_kept(cell: object, safe: object) -> None:
    assert neutralise_cell(cell) == safe


def test_csv_cells_and_headers_never_start_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Location": ['=HYPERLINK("http://x","y")', "@SUM(A1)", "On or near High Street"],
        "Change": [-5, 12, -1],  # numbers stay numbers, negative ones too
        "Mixed": ["[c]", -10, "+cmd|' /C calc'!A0"],  # a suppressed column holds text and ints
        "=1+1": [1.5, -2.25, None],
    })
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "Location,Change,Mixed,'=1+1",
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-5,[c],1.5",
        "'@SUM(A1),12,-10,-2.25",
        "On or near High Street,-1,'+cmd|' /C calc'!A0,",
    ]
    assert frame.columns[3] == "=1+1"  # the caller's frame is not changed


def test_csv_of_numbers_dates_and_flags_is_unchanged(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "month": pd.to_datetime(["2024-04-01", "2024-05-01"]), "flag": [True, False],
        "count": pd.array([-3, None], dtype="Int64"), "rate": [-0.5, 1e-7],
        "type": pd.Categorical(["=cmd", "Noise"]), "name": pd.array(["@x", None], dtype="string"),
    })
    write_csv(frame, tmp_path / "t.csv")
    plain = frame.assign(type=["'=cmd", "Noise"], name=["'@x", None]).to_csv(index=False)
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == plain


def _png() -> bytes:
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _exported_images(tmp_path: Path, outputs: list) -> list:
    executed = tmp_path / "page.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x", outputs=outputs)]), executed)
    export_html(executed, tmp_path / "page.html")
    return BeautifulSoup((tmp_path / "page.html").read_text(encoding="utf-8"),
                         "html.parser").find_all("img")


def test_exported_image_carries_its_alt_text_escaped(tmp_path: Path) -> None:
    png = base64.b64encode(_png()).decode()
    alt = 'Crime in "><svg onload=alert(1)> & <b>Ward</b>'
    images = _exported_images(tmp_path, [
        new_output("display_data", data={"image/png": png}, metadata={"image/png": {"alt": alt}})])
    assert len(images) == 1 and images[0]["alt"] == alt
    assert images[0]["src"] == f"data:image/png;base64,{png}"
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<svg" not in page and "<b>Ward" not in page


@pytest.fixture
def section(tmp_path: Path) -> Section:
    return Section.open("40_test", "demo", "2024-25", str(tmp_path))


def test_chart_alt_text_from_titles_or_given_and_dollar_is_literal(section: Section,
                                                                   tmp_path: Path) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([1, 2])
    ax.set_title("Crime in $\\frac{ Ward$ <1>")  # as mathtext this would fail to render
    image = section.chart(fig, pd.DataFrame({"x": ["=1", "a"], "y": [-1, 2]}), "trend",
                          source="open")
    assert image.alt == "Crime in $\\frac{ Ward$ <1>. The numbers are in tables/40_test__trend.csv."
    assert (tmp_path / "tables" / "40_test__trend.csv").read_text().splitlines() == [
        "x,y", "'=1,-1", "a,2"]
    image = section.chart(Figure(), pd.DataFrame({"x": [1]}), "plain", alt="Rate by ward",
                          source="open")
    assert image.alt == "Rate by ward"
    saved = {"image/png": {"alt": "Rate by ward", "csp_text_overlaps": []}}  # + layout check
    assert image._repr_mimebundle_()[1] == saved


def test_section_text_and_html_escape_values(section: Section) -> None:
    shown = section.text("Wards: **{wards}**", wards="<img src=x onerror=alert(1)>")
    assert shown.data == "Wards: **&lt;img src=x onerror=alert\\(1\\)&gt;**"
    block = section.html("<p class='csp-notice'>{name}</p>", name="<script>alert(1)</script>")
    assert block.data == "<p class='csp-notice'>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_table_caption_headers_and_cells_escaped(section: Section, tmp_path: Path) -> None:
    frame = pd.DataFrame({"<svg onload=alert(1)>": ["<img src=x onerror=alert(1)>"],
                          "Crimes": [5]})
    shown = section.table(frame, "wards", 'Crime in "><script>alert(1)</script>',
                          source="open")
    assert "<svg" not in shown.data and "<img" not in shown.data
    assert "<script>alert" not in shown.data
    page = BeautifulSoup(shown.data, "html.parser")
    assert page.figcaption.get_text() == 'Crime in "><script>alert(1)</script>'
    assert [th.get_text() for th in page.find_all("th")] == ["<svg onload=alert(1)>", "Crimes"]


def _display_arguments(notebook: Path) -> list[tuple[int, ast.expr]]:
    """The arguments of every Markdown(...) and HTML(...) call in a notebook's code."""
    found = []
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in {"Markdown", "HTML"}):
                found.extend((node.lineno, arg) for arg in node.args)
    return found


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_notebooks_never_build_markup_from_values(notebook: Path) -> None:
    """Markdown() and HTML() take fixed text or a helper's result; values go through
    section.text() / section.html(), which escape them."""
    bad = [line for line, arg in _display_arguments(notebook)
           if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str))
           and not (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name))]
    assert not bad, f"{notebook.name}: Markdown/HTML built from values at cell lines {bad}"


def _section_text_calls(notebook: Path) -> list[ast.Call]:
    """Every section.text(...) and section.html(...) call in a notebook's code."""
    calls = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            calls.extend(node for node in ast.walk(ast.parse("".join(cell["source"])))
                         if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                         and node.func.attr in {"text", "html"}
                         and isinstance(node.func.value, ast.Name)
                         and node.func.value.id == "section")
    return calls


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_notebook_templates_name_exactly_the_values_given(notebook: Path) -> None:
    """Branches the demo never runs (e.g. a missing extract) still have matching templates."""
    for call in _section_text_calls(notebook):
        template = call.args[0]
        assert isinstance(template, ast.Constant) and isinstance(template.value, str), \
            f"{notebook.name} line {call.lineno}: the template must be fixed text"
        fields = {name for _, name, _, _ in string.Formatter().parse(template.value) if name}
        given = {keyword.arg for keyword in call.keywords}
        assert fields == given, f"{notebook.name} line {call.lineno}: {fields} != {given}"
