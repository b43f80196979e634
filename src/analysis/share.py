"""The partner pack: a zip an analyst can email, checked before anything is written.

It holds the section pages, every table as CSV and in one XLSX workbook, the key figures, the
manifest, the disclosure register and a README. Nothing record-level goes in: the executed
notebooks stay behind. Before the zip is written, every table file is checked against the
disclosure register (:func:`analysis.disclosure_register.verify_register`) and every
controlled table in a page against the rule; a single breach stops the pack.
Spreadsheet cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) are
prefixed with an apostrophe so Excel shows them as text instead of running them.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from analysis.config import load_area, project_root
from analysis.disclosure import DisclosureRule, check_disclosure, html_tables
from analysis.disclosure_register import (
    BREACH_COLUMNS,
    REGISTER_FILE,
    load_register,
    statement,
    verify_register,
    write_register,
)
from analysis.errors import BuildError
from analysis.layout import report_dir

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PACK_DIR = "share"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the same report gives the same zip
_CONTROLLED_TABLE = re.compile(
    r'<table[^>]*\bcsp-controlled\b[^>]*\bid="csp-([^"]+)".*?</table>', re.DOTALL)
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")
README = """Partner pack: {title}, strategic assessment {period}

Open index.html in any browser: the pages need no internet connection.
tables/ holds every table and chart's numbers as CSV; tables.xlsx holds the same tables, one
sheet each. key_figures.json has each section's headline numbers; manifest.json lists the data
used (with checksums) and the software versions.

Disclosure control: {rule}
disclosure_register.json lists every table file with its source class (partner, open or
process), its count columns and the rule applied; every file was checked against it before
this pack was written.
Cells beginning with =, +, - or @ are stored as text (prefixed with ') so that a spreadsheet
cannot run them as formulas.
"""


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text.

    Numbers (also negative ones written as text, e.g. '-61') are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells (and headers) neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    return safe


def disclosure_breaches(out: Path, rule: DisclosureRule) -> pd.DataFrame:
    """Every breach of the disclosure register in the report (empty = safe to share).

    The table files are checked by :func:`analysis.disclosure_register.verify_register`
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
    """
    table = table.reset_index(drop=True).replace("–", "")  # a page shows a missing value as –
    return check_disclosure(table, rule, spec["counts"],
                            total_row=spec["total_row"], total_column=spec["total_column"])


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


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
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


def _workbook(tables: dict[str, pd.DataFrame]) -> bytes:
    """All tables in one XLSX workbook: a contents sheet, then one sheet per table."""
    sheets = sheet_names(list(tables))
    contents = pd.DataFrame({"sheet": list(sheets.values()),
                             "table file": [f"tables/{stem}.csv" for stem in sheets]})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        contents.to_excel(writer, sheet_name="Contents", index=False)
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=sheets[name], index=False)
        for sheet in writer.book.worksheets:  # fixed properties: the same tables, same bytes
            sheet.sheet_properties.tabColor = None
        writer.book.properties.created = pd.Timestamp("2000-01-01").to_pydatetime()
        writer.book.properties.modified = pd.Timestamp("2000-01-01").to_pydatetime()
    return buffer.getvalue()


def build_share_pack(area: str, period: str, root: Path | None = None) -> Path:
    """Check the built report and write ``share/<area>-<period>-partner-pack.zip``.

    Raises :class:`BuildError` (and writes nothing) if the report is not built, if the area
    applies no disclosure rule, or if any controlled cell breaks the rule.
    """
    root = root or project_root()
    config = load_area(area, root)
    out = report_dir(area, period, root)
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
    pack = out / PACK_DIR / f"{area}-{period}-partner-pack.zip"
    pack.parent.mkdir(parents=True, exist_ok=True)
    staging = pack.with_suffix(".zip.part")
    with zipfile.ZipFile(staging, "w") as archive:
        _write(archive, "README.txt", README.format(
            title=config.title, period=period, rule=statement(config.disclosure)).encode())
        for page in sorted(out.glob("*.html")):
            _write(archive, page.name, page.read_bytes())
        for name, frame in tables.items():
            _write(archive, f"tables/{name}.csv", frame.to_csv(index=False).encode())
        _write(archive, "tables.xlsx", _workbook(tables))
        for name in ("key_figures.json", "manifest.json", REGISTER_FILE):
            if (out / name).is_file():
                _write(archive, name, (out / name).read_bytes())
    staging.replace(pack)
    return pack
