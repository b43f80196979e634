"""Finding, reading and checking data.police.uk street files (small generated fixtures)."""

from __future__ import annotations

import gzip
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis.core.errors import InputError
from analysis.inputs.police_uk import (
    CRIME_TYPES,
    FIELDS,
    create_problems,
    discover_street_files,
    load_raw_rows,
    read_header,
    street_name,
)

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
SNAKE_HEADER = ",".join(FIELDS)


def row(
    crime_id: str = "c1",
    month: str = "2022-01",
    *,
    lon: str = "0.3",
    lat: str = "51.5",
    location: str = "On or near High Street",
    lsoa: str = "E01015921",
    lsoa_name: str = "Thurrock 015A",
    crime_type: str = "Burglary",
    outcome: str = "Under investigation",
    force: str = "Essex Police",
) -> str:
    """One street CSV line (without line ending)."""
    return ",".join(
        [
            crime_id,
            month,
            force,
            force,
            lon,
            lat,
            location,
            lsoa,
            lsoa_name,
            crime_type,
            outcome,
            "",
        ]
    )


def write_street(
    path: Path,
    rows: list[str],
    *,
    header: str = HEADER,
    newline: str = "\n",
    bom: bool = False,
    final_newline: bool = True,
) -> Path:
    """Write a street CSV (gzip-compressed when the name ends .gz)."""
    text = newline.join([header, *rows]) + (newline if final_newline else "")
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def load(tmp_path: Path, inputs: list[Path]) -> duckdb.DuckDBPyConnection:
    """Discover, load and check ``inputs`` into a fresh connection."""
    con = duckdb.connect()
    staging = tmp_path / "staging"
    staging.mkdir(exist_ok=True)
    load_raw_rows(con, discover_street_files(inputs), staging)
    create_problems(con)
    return con


def problems(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(line, reason_code, column, value, reason) of every quarantined row, in line order."""
    return con.execute(
        "SELECT r.source_line, p.reason_code, p.reason_column, p.reason_value, p.reason "
        "FROM problems p JOIN raw_rows r USING (row_key) ORDER BY r.source_line"
    ).fetchall()


# --- reference --------------------------------------------------------------------------------


def test_crime_types_are_the_fourteen_police_uk_categories() -> None:
    assert len(CRIME_TYPES) == 14
    assert len(set(CRIME_TYPES)) == 14
    assert "Anti-social behaviour" in CRIME_TYPES
    assert "Violence and sexual offences" in CRIME_TYPES


# --- discovery --------------------------------------------------------------------------------


def test_discovers_files_month_folders_and_archives_sorted(tmp_path: Path) -> None:
    plain = write_street(tmp_path / "in" / "2022-02-essex-street.csv", [row(month="2022-02")])
    folder = tmp_path / "in" / "2022-03"
    write_street(folder / "2022-03-essex-street.csv.gz", [row(month="2022-03")])
    write_street(folder / "2022-03-essex-outcomes.csv", [row(month="2022-03")])
    archive = tmp_path / "in" / "2024-04.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2022-01/2022-01-kent-street.csv", HEADER + "\n" + row() + "\n")
        zf.writestr("2022-01/2022-01-kent-outcomes.csv", "x\n")
        zf.writestr("2022-01/2022-01-kent-stop-and-search.csv", "x\n")

    sources = discover_street_files([archive, folder, plain])

    assert [(s.force, s.month, s.release, s.member) for s in sources] == [
        ("essex", date(2022, 2, 1), date(2022, 2, 1), None),
        ("essex", date(2022, 3, 1), date(2022, 3, 1), None),
        ("kent", date(2022, 1, 1), date(2024, 4, 1), "2022-01/2022-01-kent-street.csv"),
    ]
    assert sources[2].name == f"{archive}!2022-01/2022-01-kent-street.csv"


def test_archive_without_month_in_name_takes_its_latest_member_month(tmp_path: Path) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2022-01/2022-01-kent-street.csv", HEADER + "\n" + row() + "\n")
        zf.writestr("2022-03/2022-03-kent-street.csv", HEADER + "\n" + row(month="2022-03") + "\n")

    assert {s.release for s in discover_street_files([archive])} == {date(2022, 3, 1)}


def test_file_release_is_latest_month_in_its_path(tmp_path: Path) -> None:
    extracted = write_street(tmp_path / "2024-04" / "2022-01" / "2022-01-essex-street.csv", [row()])

    (source,) = discover_street_files([extracted])

    assert source.month == date(2022, 1, 1)
    assert source.release == date(2024, 4, 1)


def test_a_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    path = write_street(tmp_path / "2022-01" / "2022-01-essex-street.csv", [row()])

    assert len(discover_street_files([tmp_path, path])) == 1


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="input not found"):
        discover_street_files([tmp_path / "nope.csv"])


def test_file_not_named_like_a_street_file_is_an_error(tmp_path: Path) -> None:
    path = write_street(tmp_path / "essex.csv", [row()])

    with pytest.raises(InputError, match=r"not a data\.police\.uk street file name") as caught:
        discover_street_files([path])
    assert caught.value.found == "essex.csv"


def test_folder_without_street_files_is_an_error(tmp_path: Path) -> None:
    write_street(tmp_path / "2022-01-essex-outcomes.csv", [row()])

    with pytest.raises(InputError, match=r"no data\.police\.uk street files found"):
        discover_street_files([tmp_path])


def test_corrupt_archive_is_an_error(tmp_path: Path) -> None:
    archive = tmp_path / "2024-04.zip"
    archive.write_bytes(b"not a zip")

    with pytest.raises(InputError, match="cannot open archive"):
        discover_street_files([archive])


# --- header -----------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [HEADER, SNAKE_HEADER])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_header_variants_are_recognised(
    tmp_path: Path, header: str, newline: str, bom: bool
) -> None:
    path = write_street(
        tmp_path / "2022-01-essex-street.csv", [row()], header=header, newline=newline, bom=bom
    )

    parsed = read_header(discover_street_files([path])[0])

    assert parsed.positions == {key: index for index, key in enumerate(FIELDS)}
    assert parsed.n_fields == 12


def test_columns_are_found_by_name_not_position(tmp_path: Path) -> None:
    header = "Month,Crime ID," + HEADER.split(",", 2)[2]
    fields = row().split(",")
    path = write_street(
        tmp_path / "2022-01-essex-street.csv",
        [",".join([fields[1], fields[0], *fields[2:]])],
        header=header,
    )

    con = load(tmp_path, [path])

    assert con.execute("SELECT crime_id, month FROM raw_rows").fetchall() == [("c1", "2022-01")]


def test_missing_required_column_is_a_file_error(tmp_path: Path) -> None:
    header = HEADER.replace("Longitude,", "")
    path = write_street(tmp_path / "2022-01-essex-street.csv", [], header=header)

    with pytest.raises(InputError, match="required column missing") as caught:
        read_header(discover_street_files([path])[0])

    assert (caught.value.file, caught.value.line, caught.value.column) == (
        str(path),
        1,
        "Longitude",
    )


def test_missing_context_column_is_accepted(tmp_path: Path) -> None:
    header = HEADER.removesuffix(",Context")
    path = write_street(
        tmp_path / "2022-01-essex-street.csv", [row().removesuffix(",")], header=header
    )

    con = load(tmp_path, [path])

    assert problems(con) == []
    assert con.execute("SELECT context FROM raw_rows").fetchall() == [(None,)]


def test_empty_file_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "2022-01-essex-street.csv"
    path.write_bytes(b"")

    with pytest.raises(InputError, match="the file is empty") as caught:
        load(tmp_path, [path])
    assert (caught.value.file, caught.value.line) == (str(path), 1)


def test_header_without_rows_is_a_file_error(tmp_path: Path) -> None:
    path = write_street(tmp_path / "2022-01-essex-street.csv", [])

    with pytest.raises(InputError, match="header but no data rows") as caught:
        load(tmp_path, [path])
    assert (caught.value.file, caught.value.line) == (str(path), 2)


def test_non_utf8_bytes_are_a_file_error_naming_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "2022-01-essex-street.csv"
    good = row().encode()
    bad = row(location="On or near XX").encode().replace(b"XX", b"\xe9\xe9")
    path.write_bytes(b"\n".join([HEADER.encode(), good, good, bad, good]) + b"\n")

    with pytest.raises(InputError, match="not UTF-8") as caught:
        load(tmp_path, [path])

    assert (caught.value.file, caught.value.line, caught.value.column) == (str(path), 4, "Location")


def test_non_utf8_header_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "2022-01-essex-street.csv"
    path.write_bytes(HEADER.encode().replace(b"Location", b"Loc\xe9tion") + b"\n" + row().encode())

    with pytest.raises(InputError, match="not UTF-8") as caught:
        load(tmp_path, [path])
    assert caught.value.line == 1


# --- rows and line numbers --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["2022-01-essex-street.csv", "2022-01-essex-street.csv.gz"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_rows_keep_values_and_editor_line_numbers(tmp_path: Path, name: str, newline: str) -> None:
    path = write_street(
        tmp_path / name,
        [row("a"), row("", crime_type="Anti-social behaviour", outcome=""), row("c")],
        newline=newline,
        bom=True,
    )

    con = load(tmp_path, [path])

    assert con.execute(
        "SELECT source_line, crime_id, last_outcome_category, context FROM raw_rows ORDER BY 1"
    ).fetchall() == [
        (2, "a", "Under investigation", ""),
        (3, "", "", ""),
        (4, "c", "Under investigation", ""),
    ]
    assert problems(con) == []


def test_line_numbers_count_newlines_inside_quoted_fields(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "2022-01-essex-street.csv",
        [row("a", location='"On or near\nHigh Street"'), row("b"), row("c")],
        newline="\r\n",
    )

    con = load(tmp_path, [path])

    assert con.execute("SELECT crime_id, source_line FROM raw_rows ORDER BY 2").fetchall() == [
        ("a", 2),
        ("b", 4),
        ("c", 5),
    ]


def test_line_numbers_restart_in_each_file(tmp_path: Path) -> None:
    first = write_street(tmp_path / "2022-01-essex-street.csv", [row("a"), row("b")])
    second = write_street(
        tmp_path / "2022-02-essex-street.csv",
        [row("c", "2022-02")],
        header=SNAKE_HEADER,
        newline="\r\n",
    )
    third = write_street(tmp_path / "2022-03-essex-street.csv", [row("d", "2022-03")])

    con = load(tmp_path, [first, second, third])

    assert con.execute(
        "SELECT crime_id, source_line FROM raw_rows ORDER BY crime_id"
    ).fetchall() == [("a", 2), ("b", 3), ("c", 2), ("d", 2)]


def test_blank_crime_id_and_no_location_rows_pass_the_checks(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "2022-01-essex-street.csv",
        [
            row("", crime_type="Anti-social behaviour", outcome=""),
            row("b", lon="", lat="", location="No Location", lsoa="", lsoa_name=""),
            row("c", lon="1.5", lat="53.2", lsoa="E01026000", lsoa_name="Outside 001A"),
        ],
    )

    assert problems(load(tmp_path, [path])) == []


@pytest.mark.parametrize(
    ("bad_row", "code", "column", "value", "reason"),
    [
        (
            row(lon="abc"),
            "invalid_longitude",
            "Longitude",
            "abc",
            "column 'Longitude': found 'abc', expected a number between -180 and 180, or blank",
        ),
        (row(lat="95.0"), "invalid_latitude", "Latitude", "95.0", None),
        (row(lon="", lat="51.5"), "incomplete_coordinates", "Longitude", "", None),
        (row(month="2022-1"), "invalid_month", "Month", "2022-1", None),
        (row(month="Jan 2022"), "invalid_month", "Month", "Jan 2022", None),
        (
            row(month="2022-02"),
            "month_mismatch",
            "Month",
            "2022-02",
            "column 'Month': found '2022-02', expected the month in the file name",
        ),
        (row(crime_type="Burglery"), "unknown_crime_type", "Crime type", "Burglery", None),
        (row(lsoa="Thurrock"), "invalid_lsoa_code", "LSOA code", "Thurrock", None),
        (row(force=""), "missing_value", "Reported by", "", None),
        (
            row() + ",extra",
            "too_many_fields",
            None,
            None,
            "row has more than 12 fields, expected 12",
        ),
        (
            row().rsplit(",", 4)[0],
            "truncated_row",
            "LSOA name",
            None,
            "row cut short: 8 of 12 fields, first missing column 'LSOA name'",
        ),
    ],
)
def test_bad_rows_are_quarantined_with_column_and_value(
    tmp_path: Path,
    bad_row: str,
    code: str,
    column: str | None,
    value: str | None,
    reason: str | None,
) -> None:
    path = write_street(tmp_path / "2022-01-essex-street.csv", [row("a"), bad_row, row("c")])

    ((line, found_code, found_column, found_value, found_reason),) = problems(
        load(tmp_path, [path])
    )

    assert (line, found_code, found_column, found_value) == (3, code, column, value)
    if reason is not None:
        assert found_reason == reason


def test_quarantine_names_the_column_as_the_file_spells_it(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "2022-01-essex-street.csv", [row(lon="abc")], header=SNAKE_HEADER
    )

    ((_, _, column, _, reason),) = problems(load(tmp_path, [path]))

    assert column == "longitude"
    assert reason.startswith("column 'longitude': found 'abc'")


def test_truncated_last_row_without_newline_is_quarantined(tmp_path: Path) -> None:
    path = write_street(
        tmp_path / "2022-01-essex-street.csv",
        [row("a"), row("b"), "c2,2022-01,Essex Pol"],
        newline="\r\n",
        final_newline=False,
    )

    assert problems(load(tmp_path, [path])) == [
        (
            4,
            "truncated_row",
            "Falls within",
            None,
            "row cut short: 3 of 12 fields, first missing column 'Falls within'",
        )
    ]


@pytest.mark.parametrize(("location", "street"), [
    ("On or near High Street", "High Street"), ("On or near Supermarket", "Supermarket"),
    ("  On or near  Mill Road ", "Mill Road"), ("Lakeside Retail Park", "Lakeside Retail Park"),
    ("No Location", None), ("", None), (None, None), ("On or near ", None)])
def test_street_name_drops_police_uk_on_or_near(location: object, street: str | None) -> None:
    assert street_name(location) == street
