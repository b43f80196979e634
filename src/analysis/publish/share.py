"""The partner pack: a zip an analyst can email, checked before anything is written.

It holds the section pages, every table as CSV and in one XLSX workbook, the key figures, the
manifest, the disclosure register, a README and, when made, the board documents (the whole
assessment as a PDF, the key findings and plan on a page as a Word file). Nothing record-level
goes in: the executed notebooks stay behind. Before the zip is written, every table file is
checked against the disclosure register
(:func:`analysis.present.disclosure_register.verify_register`) and every controlled table in a
page against the rule; a single breach stops the pack.
Spreadsheet cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) are
prefixed with an apostrophe so Excel shows them as text instead of running them
(:mod:`analysis.core.safe_text`, which also writes every table file of the report that way).

The workbook is typed: a cell that is a plain number in the CSV is a number (so SUM and pivot
tables work), everything else is text; its contents sheet gives each table's title (the
caption on its page, else a name made from the file name) linked to its sheet. A pack only
ever comes from the latest successful share: the previous pack is removed before the checks,
so a refused share cannot leave an out-of-date pack looking current. No file in the pack may
hold the project's absolute path (it would show the analyst's folders).
"""

from __future__ import annotations

import html
import io
import logging
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import AnalysisError, BuildError, storage_error
from analysis.core.files import canonical_period, document_name, report_dir, user_file_mode
from analysis.core.safe_text import neutralise_cell, neutralise_table
from analysis.inputs.areas import load_area
from analysis.present import presentable
from analysis.present.disclosure_register import (
    BREACH_COLUMNS,
    REGISTER_FILE,
    disclosure_statement,
    load_register,
    verify_register,
    write_register,
)
from analysis.stats.disclosure import DisclosureRule, check_disclosure, html_tables

logger = logging.getLogger(__name__)

PACK_DIR = "share"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the same report gives the same zip
MEMBER_MODE = 0o644  # each file in the pack: readable by all, as a file a user saves
_CONTROLLED_TABLE = re.compile(
    r'<table[^>]*\bcsp-controlled\b[^>]*\bid="csp-([^"]+)".*?</table>', re.DOTALL)
_PLAIN_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")
"""A CSV cell the workbook stores as a number: digits, an optional minus and decimals. Codes
with leading zeros ('007'), thousands separators, signs like '+5' and integers of more than
15 digits (beyond a spreadsheet's precision) stay text, exactly as written."""
_FIGURE = re.compile(r"<figcaption>(?P<caption>.*?)</figcaption>.*?"
                     r"Table file: tables/(?P<file>[^<\s]+)\.csv", re.DOTALL)
README = """Partner pack: {title}, strategic assessment {period}

Open index.html in any browser: the pages need no internet connection.
tables/ holds every table and chart's numbers as CSV; tables.xlsx holds the same tables, one
sheet each (numbers stored as numbers), with a contents sheet linking to each by its title.
key_figures.json has each section's headline numbers; manifest.json lists the data used (with
checksums, paths relative to the project folder) and the software versions.
When the analyst made them, *-strategic-assessment.pdf is the whole assessment as one A4
document (cover, contents, page numbers) and *-board-summary.docx the key findings and plan on
a page as a Word file; both are made from these pages, after the same checks.

Disclosure control: {rule}
disclosure_register.json lists every table file with its source class (partner, open or
process), its count columns and the rule applied; every file was checked against it before
this pack was written.
Cells beginning with =, +, - or @ are stored as text (prefixed with ') so that a spreadsheet
cannot run them as formulas.
"""




def disclosure_breaches(out: Path, rule: DisclosureRule) -> pd.DataFrame:
    """Every breach of the disclosure register in the report (empty = safe to share).

    The table files are checked by :func:`analysis.present.disclosure_register.verify_register`
    (every CSV registered; partner counts, derived columns, totals and keys across files);
    each controlled table in an HTML page is checked against the rule and its totals too.
    """
    register = load_register(out)
    problems = [verify_register(out, rule)]
    for page in sorted(out.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in _CONTROLLED_TABLE.finditer(text):
            spec = register.get(f"tables/{match.group(1)}.csv")
            if spec is None or not spec["controlled"]:
                problems.append(pd.DataFrame([{"row": None, "column": None, "value": None,
                                               "problem": "controlled table with no record"}])
                                .assign(file=page.name))
                continue
            table = html_tables(match.group(0))[0]
            problems.append(_check(table, rule, spec).assign(file=page.name))
    return pd.concat(problems, ignore_index=True)[BREACH_COLUMNS]


def _check(table: pd.DataFrame, rule: DisclosureRule, spec: dict) -> pd.DataFrame:
    """A controlled table checked with the totals recorded when it was written.

    Only totals the section declared are used: a label like "All hate crime (each crime
    once)" is not a sum of the rows above it, so guessing totals from labels would be wrong.
    The register names the file's columns; the page shows them under their headings
    (:func:`analysis.present.presentable.heading`), so the columns are looked up by those.
    """
    table = table.reset_index(drop=True).replace("–", "")  # a page shows a missing value as –
    total_column = spec["total_column"]
    counts = [str(presentable.heading(column)) for column in spec["counts"]]
    return check_disclosure(table, rule, counts, total_row=spec["total_row"],
                            total_column=None if total_column is None
                            else str(presentable.heading(total_column)))


def verify_before_sharing(out: Path, rule: DisclosureRule) -> Path:
    """Refuse (BuildError naming file and column) unless the whole report passes the register.

    Then write the merged ``disclosure_register.json`` that goes into the pack, so the
    register a partner reads is the one just verified.
    """
    breaches = disclosure_breaches(out, rule)
    if not breaches.empty:
        first = breaches.iloc[0]
        raise BuildError(
            f"{len(breaches)} cell(s) break the {rule.name} disclosure rule; no pack written",
            file=first["file"], line=None, column=str(first["column"]), found=first["value"],
            expected=rule.description, hint=f"{first['problem']}: see {REGISTER_FILE} and "
            "declare the table's source and counts in section.table(...)",
        )
    return write_register(out, rule.name)


def board_documents(out: Path, area: str, period: str) -> list[Path]:
    """The PDF and Word documents of the report (``make pdf``, ``make docx``), if written.

    They are made from the pages after the same disclosure checks as the pack; one older than
    the report's index was made from an earlier build, so the pack is refused rather than
    carry numbers that disagree with its pages.
    """
    built = (out / "index.html").stat().st_mtime
    documents = [out / document_name(area, period, suffix) for suffix in (".pdf", ".docx")]
    for document in documents:
        if document.is_file() and document.stat().st_mtime < built:
            raise BuildError("a board document is older than the report it was made from",
                             file=document, hint="run `make pdf docx` (or `make share`, which "
                             "makes them) so the pack's documents match its pages")
    return [document for document in documents if document.is_file()]


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add one file to a zip with a fixed date and ``-rw-r--r--`` (zipfile's default for a
    ZipInfo is ``-rw-------``, which unzips as files colleagues cannot open)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = MEMBER_MODE << 16
    archive.writestr(info, data)


def sheet_names(table_names: list[str]) -> dict[str, str]:
    """A unique Excel sheet name (at most 31 characters) for each table file stem.

    '60_hate_crime__hate_strands' becomes '60 hate_strands'; a name cut short that would
    repeat another gets a number, so no table overwrites another.
    """
    names: dict[str, str] = {}
    for stem in table_names:
        section, _, table = stem.partition("__")
        base = f"{section.split('_', 1)[0]} {table or section}"[:31]
        candidate, number = base, 1
        while candidate in names.values():
            number += 1
            candidate = f"{base[:31 - len(str(number)) - 1]}~{number}"
        names[stem] = candidate
    return names


def typed_cell(text: str) -> object:
    """A CSV cell as the workbook holds it: a plain number as a number, blank as empty,
    anything else as text (neutralised if a spreadsheet would run it as a formula)."""
    if text == "":
        return None
    if _PLAIN_NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return neutralise_cell(text)


def table_titles(out: Path, stems: list[str]) -> dict[str, str]:
    """Each table's title for the contents sheet: the caption its page shows, else a name
    made from the file name ('60_hate_crime__by_strand' is 'Hate crime: by strand')."""
    captions: dict[str, str] = {}
    for page in sorted(out.glob("*.html")):
        for figure in _FIGURE.finditer(page.read_text(encoding="utf-8")):
            caption = html.unescape(re.sub(r"<[^>]+>", "", figure["caption"])).strip()
            captions.setdefault(figure["file"], caption)
    titles = {}
    for stem in stems:
        section, _, table = stem.partition("__")
        words = section.split("_", 1)[-1].replace("_", " ").capitalize()
        readable = f"{words}: {table.replace('_', ' ')}" if table else words
        titles[stem] = captions.get(stem) or readable
    return titles


def _text(sheet: Worksheet, row: int, column: int, value: str) -> Cell:
    """Put ``value`` in a cell as text, never as a formula (openpyxl reads '=' as one)."""
    cell = sheet.cell(row=row, column=column, value=neutralise_cell(value))
    cell.data_type = "s"
    return cell


def _workbook(tables: dict[str, pd.DataFrame], titles: dict[str, str]) -> bytes:
    """All tables in one typed XLSX workbook: a contents sheet with each table's title linked
    to its sheet, then one sheet per table (header row bold and frozen)."""
    sheets = sheet_names(list(tables))
    book = Workbook()
    contents = book.active
    contents.title = "Contents"
    bold = Font(bold=True)
    for column, heading in enumerate(("Table", "Sheet", "Table file"), start=1):
        _text(contents, 1, column, heading).font = bold
    for row, (stem, sheet_name) in enumerate(sheets.items(), start=2):
        title = _text(contents, row, 1, titles[stem])
        title.hyperlink = Hyperlink(ref=title.coordinate, location=f"'{sheet_name}'!A1",
                                    display=titles[stem])
        title.style = "Hyperlink"
        _text(contents, row, 2, sheet_name)
        _text(contents, row, 3, f"tables/{stem}.csv")
    contents.column_dimensions["A"].width = 70
    contents.freeze_panes = "A2"
    for stem, frame in tables.items():
        sheet = book.create_sheet(sheets[stem])
        for column, heading in enumerate(frame.columns, start=1):
            _text(sheet, 1, column, str(heading)).font = bold
        for row, values in enumerate(frame.itertuples(index=False), start=2):
            for column, value in enumerate(values, start=1):
                typed = typed_cell(str(value))
                if isinstance(typed, str):
                    _text(sheet, row, column, typed)
                elif typed is not None:
                    sheet.cell(row=row, column=column, value=typed)
        sheet.freeze_panes = "A2"
    book.properties.created = pd.Timestamp("2000-01-01").to_pydatetime()
    saved = io.BytesIO()
    book.save(saved)
    return _with_fixed_dates(saved.getvalue())


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*")


def _with_fixed_dates(xlsx: bytes) -> bytes:
    """The workbook re-zipped with fixed dates, so the same tables give the same bytes:
    openpyxl stamps each part, and the 'modified' property, with the time of saving."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as saved, zipfile.ZipFile(buffer, "w") as fixed:
        for member in saved.infolist():
            data = saved.read(member)
            if member.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z", data)
            _write(fixed, member.filename, data)
    return buffer.getvalue()


def _withdraw(pack: Path) -> bool:
    """Remove the previous pack (and any half-written one); True if there was a pack."""
    existed = pack.is_file()
    for path in (pack, pack.with_suffix(".zip.part")):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise storage_error(error, "removing the previous partner pack", path) from error
    return existed


def _absolute_path_in(name: str, data: bytes, root: Path) -> None:
    """Refuse a pack file that holds the project folder's absolute path (which would show
    the analyst's folders to every partner the pack is sent to)."""
    folder = str(root.resolve())
    if folder != "/" and folder.encode() in data:
        raise BuildError(
            "a file for the pack holds an absolute path of this computer", file=name,
            found=folder, expected="paths relative to the project folder",
            hint="rebuild the report (`make report`); if it persists, report it as a bug",
        )


def build_share_pack(area: str, period: str, root: Path | None = None) -> Path:
    """Check the built report and write ``share/<area>-<period>-partner-pack.zip``.

    Raises :class:`BuildError` (and leaves no pack: the previous one is removed first, and
    the message says so) if the report is not built, if the area applies no disclosure rule,
    if any controlled cell breaks the rule, or if a file would carry an absolute path; a disk
    failure is a :class:`analysis.core.errors.StorageError`, also leaving no pack.
    """
    root = root or project_root()
    config = load_area(area, root)
    period = canonical_period(period)
    out = report_dir(area, period, root)
    pack = out / PACK_DIR / f"{area}-{period}-partner-pack.zip"
    logger.info("partner pack for %s %s: checking the report in %s", area, period, out)
    withdrawn = _withdraw(pack)
    try:
        return _write_pack(config, area, period, out, pack, root)
    except AnalysisError as refusal:
        if not withdrawn:
            raise
        note = (f"the previous pack ({pack.name}) was removed, so no out-of-date pack is "
                "left to send")
        raise type(refusal)(refusal.message, file=refusal.file, line=refusal.line,
                            column=refusal.column, found=refusal.found,
                            expected=refusal.expected,
                            hint=f"{refusal.hint}; {note}" if refusal.hint else note,
                            ) from refusal


def _write_pack(config: AreaConfig, area: str, period: str, out: Path, pack: Path,
                root: Path) -> Path:
    """The checks and the zip of :func:`build_share_pack` (``pack`` is already removed)."""
    if not (out / "index.html").is_file():
        raise BuildError("the report has not been built", file=out,
                         hint=f"run `make report AREA={area} PERIOD={period}` first")
    if config.disclosure == "none":
        raise BuildError("this area applies no disclosure control, so no partner pack is made",
                         file=root / "config" / "areas" / f"{area}.yaml",
                         hint="set disclosure: ons (or nhs) in the area config")
    rule = DisclosureRule.named(config.disclosure)
    verify_before_sharing(out, rule)
    tables = {p.stem: neutralise_table(pd.read_csv(p, dtype=object, keep_default_na=False))
              for p in sorted((out / "tables").glob("*.csv"))}
    members = {"README.txt": README.format(title=config.title, period=period,
                                           rule=disclosure_statement(config.disclosure)).encode()}
    members.update({page.name: page.read_bytes() for page in sorted(out.glob("*.html"))})
    members.update({f"tables/{name}.csv": frame.to_csv(index=False).encode()
                    for name, frame in tables.items()})
    members["tables.xlsx"] = _workbook(tables, table_titles(out, list(tables)))
    members.update({name: (out / name).read_bytes()
                    for name in ("key_figures.json", "manifest.json", REGISTER_FILE)
                    if (out / name).is_file()})
    members.update({document.name: document.read_bytes()
                    for document in board_documents(out, area, period)})
    logger.info("partner pack: disclosure checked under the %s rule; %d tables, %d files",
                config.disclosure, len(tables), len(members))
    for name, data in members.items():
        _absolute_path_in(name, data, root)
        logger.debug("partner pack: %s (%d bytes)", name, len(data))
    staging = pack.with_suffix(".zip.part")
    try:
        pack.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(staging, "w") as archive:
            for name, data in members.items():
                _write(archive, name, data)
        staging.chmod(user_file_mode())
        staging.replace(pack)
    except OSError as error:
        staging.unlink(missing_ok=True)
        raise storage_error(error, "writing the partner pack", pack,
                            kept="no pack was written") from error
    return pack
