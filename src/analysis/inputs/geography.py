"""LSOA (2011 and 2021) → ward → local authority → CSP → police force area lookups.

Every crime record is joined to its partnership through its LSOA, and police.uk switched from
2011 to 2021 LSOAs in 2023: the same code can mean a different area (and name) in each vintage.
The lookup therefore has one row per ``(lsoa_code, lsoa_vintage)`` and every join uses both.

Inputs are the ONS files as published (or as re-saved by others): LSOA→ward→LAD lookups, the
LAD→CSP→PFA lookup and GeoJSON boundaries. ONS publishes no LSOA 2021 → ward lookup that we can
rely on, so 2021 LSOAs are placed in wards by putting each LSOA's representative point (a point
guaranteed inside the polygon) in the ward polygons.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.vocabulary import BNG, WGS84

logger = logging.getLogger(__name__)

LOOKUP_COLUMNS = [
    "lsoa_code",
    "lsoa_vintage",
    "lsoa_name",
    "ward_code",
    "ward_name",
    "lad_code",
    "lad_name",
    "csp_code",
    "csp_name",
    "pfa_code",
    "pfa_name",
]
"""Columns of :func:`load_lsoa_lookup`, in order."""

LAD_CSP_COLUMNS = ["lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name"]
"""Columns of :func:`load_lad_csp`, in order."""

LSOA_VINTAGES = {"11": 2011, "21": 2021}



_LSOA_HEADER = re.compile(r"^lsoa(\d{2})(cd|nm)$")
_WARD_HEADER = re.compile(r"^wd(\d{2})(cd|nm)$")
_LAD_HEADER = re.compile(r"^lad(\d{2})(cd|nm)$")
# LAD→CSP→PFA headers: official "LAD19CD", or re-saved variants such as "lad-code".
_LAD_CSP_HEADER = re.compile(r"^(lad|csp|pfa)(\d{2})?(cd|nm|code|name)$")


# --------------------------------------------------------------------------------------------
# Reading CSV lookups
# --------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    """Return the file's text: ``.gz`` decompressed, UTF-8 with or without a BOM."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file ({exc})", file=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "the file is not UTF-8 text",
            file=path,
            found=f"byte {raw[exc.start : exc.start + 1]!r} at offset {exc.start}",
            expected="a UTF-8 CSV file",
            hint="re-save the file as CSV UTF-8",
        ) from None


def _read_csv_strings(path: Path) -> pd.DataFrame:
    """Read a delimited lookup with every value as a string; the delimiter is sniffed.

    Values are stripped; blank cells become missing. Line numbers are the row index + 2
    (header is line 1), which holds because lookup files have no multi-line cells.
    """
    text = _read_text(path)
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        raise InputError(
            "cannot tell how the columns are separated",
            file=path,
            line=1,
            found=first_line[:120],
            expected="a header separated by commas, semicolons, tabs or |",
        ) from None
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_values=[""]
    )
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame.apply(lambda column: column.str.strip()).replace("", pd.NA)


def _normalise_header(name: str) -> str:
    """Lower-case a header and drop separators, so 'LAD19CD', 'lad-code' compare alike."""
    return re.sub(r"[\s_\-]", "", name).lower()


def _require_values(frame: pd.DataFrame, columns: dict[str, str], path: Path) -> None:
    """Raise naming the first blank cell in any of ``columns`` (ours → the file's header)."""
    for ours, theirs in columns.items():
        blank = frame[ours].isna()
        if blank.any():
            row = int(blank.to_numpy().nonzero()[0][0])
            raise InputError(
                "a required value is blank",
                file=path,
                line=row + 2,
                column=theirs,
                found="",
                expected="a code or name in every row",
            )


def _select_columns(frame: pd.DataFrame, found: dict[str, str], wanted: list[str], path: Path,
                    lookup: str, expected: str) -> pd.DataFrame:
    """The ``wanted`` columns of a lookup under our names, every code present.

    ``found`` maps our column names to the file's headers; a missing column or a blank code
    is an error naming the file (and the line of the first blank code).
    """
    missing = [column for column in wanted if column not in found]
    if missing:
        raise InputError(
            f"the {lookup} lookup is missing columns",
            file=path,
            line=1,
            found=list(frame.columns),
            expected=expected,
            hint=f"no column for {', '.join(missing)}",
        )
    table = frame[[found[column] for column in wanted]].copy()
    table.columns = wanted
    _require_values(table, {c: found[c] for c in wanted if c.endswith("code")}, path)
    return table


def load_lad_csp(path: Path) -> pd.DataFrame:
    """Read the ONS LAD → Community Safety Partnership → police force area lookup.

    Accepts the official header (``LAD19CD,LAD19NM,CSP19CD,CSP19NM,PFA19CD,PFA19NM``, any year)
    and re-saved variants (``lad-code;lad-name;csp-code;...``) with any delimiter. Returns one
    row per LAD and CSP with :data:`LAD_CSP_COLUMNS`: a LAD can have several CSPs where a
    merged council's partnerships kept the old district areas (e.g. North Northamptonshire).
    """
    frame = _read_csv_strings(path)
    found: dict[str, str] = {}
    for header in frame.columns:
        match = _LAD_CSP_HEADER.match(_normalise_header(header))
        if match:
            level, _, part = match.groups()
            ours = f"{level}_{'code' if part in ('cd', 'code') else 'name'}"
            found.setdefault(ours, header)
    table = _select_columns(frame, found, LAD_CSP_COLUMNS, path, "LAD → CSP → PFA",
                            "LADyyCD, LADyyNM, CSPyyCD, CSPyyNM, PFAyyCD, PFAyyNM (any yy)")
    _reject_conflicting_duplicates(table, ["lad_code", "csp_code"], path, "LAD and CSP")
    return table.drop_duplicates().reset_index(drop=True)


def _reject_conflicting_duplicates(
    table: pd.DataFrame, keys: list[str], path: Path | str, what: str
) -> None:
    """Raise if the same key appears twice with different values (the lookup is ambiguous)."""
    distinct = table.drop_duplicates()
    clash = distinct[distinct.duplicated(keys, keep=False)]
    if not clash.empty:
        first = clash.iloc[0]
        key = ", ".join(str(first[k]) for k in keys)
        raise InputError(
            f"the same {what} appears more than once with different values",
            file=path,
            found=f"{key}: {clash[clash[keys[0]] == first[keys[0]]].to_dict('records')}",
            expected=f"one row per {what}",
        )


def load_lsoa_ward_lookup(path: Path) -> pd.DataFrame:
    """Read one ONS LSOA → ward → LAD lookup CSV (``.csv`` or ``.csv.gz``).

    The LSOA vintage comes from the header (``LSOA11CD`` → 2011, ``LSOA21CD`` → 2021); ward and
    LAD columns may carry any year (``WD19CD``, ``LAD22NM``). Extra columns are ignored.
    Returns ``lsoa_code, lsoa_vintage, lsoa_name, ward_code, ward_name, lad_code, lad_name``.
    """
    frame = _read_csv_strings(path)
    columns: dict[str, str] = {}
    vintages: set[str] = set()
    for header in frame.columns:
        name = _normalise_header(header)
        patterns = ((_LSOA_HEADER, "lsoa"), (_WARD_HEADER, "ward"), (_LAD_HEADER, "lad"))
        for pattern, level in patterns:
            match = pattern.match(name)
            if match:
                if level == "lsoa":
                    vintages.add(match.group(1))
                kind = "code" if match.group(2) == "cd" else "name"
                columns.setdefault(f"{level}_{kind}", header)
    if len(vintages) != 1 or vintages - LSOA_VINTAGES.keys():
        raise InputError(
            "cannot tell which LSOA vintage this lookup uses",
            file=path,
            line=1,
            found=list(frame.columns),
            expected="exactly one of LSOA11CD/LSOA11NM (2011) or LSOA21CD/LSOA21NM (2021)",
        )
    wanted = ["lsoa_code", "lsoa_name", "ward_code", "ward_name", "lad_code", "lad_name"]
    table = _select_columns(frame, columns, wanted, path, "LSOA → ward → LAD",
                            "LSOAyyCD, LSOAyyNM, WDyyCD, WDyyNM, LADyyCD, LADyyNM")
    table.insert(1, "lsoa_vintage", LSOA_VINTAGES[vintages.pop()])
    _reject_conflicting_duplicates(table, ["lsoa_code"], path, "LSOA")
    return table.drop_duplicates().reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------------------------


def _read_one_boundary_file(path: Path) -> gpd.GeoDataFrame:
    """Read one GeoJSON (optionally ``.gz``) file into WGS84 longitude/latitude."""
    if not path.is_file():
        raise InputError("boundary file not found", file=path)
    try:
        if path.suffix == ".gz":
            frame = gpd.read_file(io.BytesIO(gzip.decompress(path.read_bytes())))
        else:
            frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise InputError(
            f"cannot read the boundary file ({exc})",
            file=path,
            expected="a GeoJSON file (.geojson or .geojson.gz)",
        ) from None
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    return frame.to_crs(WGS84)


def load_boundaries(paths: Sequence[Path]) -> gpd.GeoDataFrame:
    """Read and stack boundary files (GeoJSON or ``.geojson.gz``) in WGS84 (CRS84).

    Properties are kept as they are in the files; ``source_file`` records where each feature
    came from so a problem can be traced back.
    """
    if not paths:
        raise InputError("no boundary files were given", expected="one or more GeoJSON files")
    frames = []
    for path in paths:
        frame = _read_one_boundary_file(Path(path))
        frame["source_file"] = str(path)
        frames.append(frame)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)


def _code_name_columns(
    frame: gpd.GeoDataFrame, pattern: re.Pattern[str]
) -> dict[str, dict[str, str]]:
    """Map each year found in the properties (e.g. '21') to its {'cd': col, 'nm': col}."""
    years: dict[str, dict[str, str]] = {}
    for column in frame.columns:
        match = pattern.match(_normalise_header(str(column)))
        if match:
            years.setdefault(match.group(1), {})[match.group(2)] = str(column)
    return years


def _lsoa_polygons_from_file(path: Path) -> gpd.GeoDataFrame:
    """One LSOA boundary file as ``lsoa_code, lsoa_vintage, lsoa_name, geometry``."""
    frame = _read_one_boundary_file(path)
    years = {
        year: cols
        for year, cols in _code_name_columns(frame, _LSOA_HEADER).items()
        if year in LSOA_VINTAGES and "cd" in cols
    }
    if len(years) != 1:
        raise InputError(
            "cannot tell which LSOA vintage these boundaries are",
            file=path,
            found=[c for c in frame.columns if c != "geometry"],
            expected="properties LSOA21CD (+LSOA21NM) or LSOA11CD (+LSOA11NM)",
        )
    year, cols = next(iter(years.items()))
    names = frame[cols["nm"]] if "nm" in cols else pd.Series(pd.NA, index=frame.index)
    return gpd.GeoDataFrame(
        {
            "lsoa_code": frame[cols["cd"]].astype("string").str.strip(),
            "lsoa_vintage": LSOA_VINTAGES[year],
            "lsoa_name": names.astype("string").str.strip(),
        },
        geometry=frame.geometry,
        crs=WGS84,
    )


def load_lsoa_polygons(paths: Sequence[Path]) -> gpd.GeoDataFrame:
    """LSOA boundaries (either vintage, per file) as ``lsoa_code, lsoa_vintage, lsoa_name``.

    The vintage is read from each file's properties (``LSOA21CD`` or ``LSOA11CD``); a code that
    appears twice in the same vintage keeps one polygon (files split by LA may overlap).
    """
    frames = [_lsoa_polygons_from_file(Path(path)) for path in paths]
    stacked = pd.concat(frames, ignore_index=True)
    stacked = stacked.drop_duplicates(["lsoa_code", "lsoa_vintage"]).reset_index(drop=True)
    return gpd.GeoDataFrame(stacked, geometry="geometry", crs=WGS84)


def _ward_polygons(paths: Sequence[Path]) -> gpd.GeoDataFrame:
    """Ward boundaries as ``ward_code, ward_name, lad_code, lad_name`` (name may be missing)."""
    frames = []
    for path in paths:
        frame = _read_one_boundary_file(Path(path))
        wards = _code_name_columns(frame, _WARD_HEADER)
        lads = _code_name_columns(frame, _LAD_HEADER)
        ward_cols = next((cols for cols in wards.values() if {"cd", "nm"} <= cols.keys()), None)
        lad_cols = next((cols for cols in lads.values() if "cd" in cols), None)
        if ward_cols is None or lad_cols is None:
            raise InputError(
                "the ward boundaries lack ward or LAD codes",
                file=path,
                found=[c for c in frame.columns if c != "geometry"],
                expected="properties WDyyCD, WDyyNM and LADyyCD (any yy)",
            )
        lad_names = frame[lad_cols["nm"]] if "nm" in lad_cols else pd.NA
        frames.append(
            gpd.GeoDataFrame(
                {
                    "ward_code": frame[ward_cols["cd"]].astype("string").str.strip(),
                    "ward_name": frame[ward_cols["nm"]].astype("string").str.strip(),
                    "lad_code": frame[lad_cols["cd"]].astype("string").str.strip(),
                    "lad_name": pd.Series(lad_names, index=frame.index, dtype="string"),
                },
                geometry=frame.geometry,
                crs=WGS84,
            )
        )
    stacked = pd.concat(frames, ignore_index=True).drop_duplicates("ward_code")
    return gpd.GeoDataFrame(stacked.reset_index(drop=True), geometry="geometry", crs=WGS84)


def _place_lsoas_in_wards(lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Give each LSOA the ward (and LAD) containing its representative point.

    Works in British National Grid so the representative point is computed in metres. Raises
    naming the LSOAs whose point is in no ward (ward boundaries do not cover them).
    """
    points = gpd.GeoDataFrame(
        lsoas.drop(columns="geometry"),
        geometry=lsoas.to_crs(BNG).geometry.representative_point(),
        crs=BNG,
    )
    joined = gpd.sjoin(points, wards.to_crs(BNG), how="left", predicate="within")
    joined = joined.sort_values("ward_code").drop_duplicates(["lsoa_code", "lsoa_vintage"])
    unplaced = joined[joined["ward_code"].isna()]
    if not unplaced.empty:
        codes = sorted(unplaced["lsoa_code"])
        raise InputError(
            f"{len(codes)} LSOA(s) have no ward lookup and fall in none of the ward boundaries",
            found=codes[:20],
            expected="ward boundaries covering every LSOA boundary given",
            hint="add the ward boundary file for the local authority these LSOAs are in",
        )
    columns = ["lsoa_code", "lsoa_vintage", "lsoa_name", "ward_code", "ward_name", "lad_code"]
    return pd.DataFrame(joined[[*columns, "lad_name"]])


# --------------------------------------------------------------------------------------------
# The lookup
# --------------------------------------------------------------------------------------------


def load_lsoa_lookup(
    lsoa_ward_files: Sequence[Path],
    lad_csp_file: Path,
    *,
    lsoa_boundaries: Sequence[Path] = (),
    ward_boundaries: Sequence[Path] = (),
    strict: bool = False,
    force_code: str | None = None,
    lad_codes: Sequence[str] = (),
) -> pd.DataFrame:
    """Build the LSOA → ward → LAD → CSP → PFA lookup, one row per (lsoa_code, lsoa_vintage).

    ``lsoa_ward_files`` give the LSOAs they cover directly. Every LSOA in ``lsoa_boundaries``
    that no lookup file covers (in practice the 2021 LSOAs) is placed in ``ward_boundaries``
    by its representative point. Each LSOA's LAD is then looked up in ``lad_csp_file``. LSOAs
    whose LAD is missing there or has several CSPs (LAD code changes between the files' years)
    are kept with a blank CSP/PFA and listed in an :class:`UnmatchedLadWarning` (an
    :class:`InputError` when ``strict``); :func:`unresolved_lads` lists them for reports.
    Nothing is dropped. Columns: :data:`LOOKUP_COLUMNS`.

    With ``force_code`` the warning names only the councils that concern that force: those
    the LAD → CSP lookup places in it and the area's own ``lad_codes``. A national ward
    lookup holds every council in England, and one merged elsewhere (Buckinghamshire,
    Northamptonshire) says nothing about this force's data; those are only logged.
    """
    from_files = [load_lsoa_ward_lookup(Path(path)) for path in lsoa_ward_files]
    frames = list(from_files)
    if lsoa_boundaries:
        known = pd.concat(from_files, ignore_index=True) if from_files else None
        lsoas = load_lsoa_polygons(lsoa_boundaries)
        if known is not None:
            keys = pd.MultiIndex.from_frame(known[["lsoa_code", "lsoa_vintage"]])
            covered = pd.MultiIndex.from_frame(lsoas[["lsoa_code", "lsoa_vintage"]]).isin(keys)
            lsoas = lsoas[~covered]
        if not lsoas.empty:
            if not ward_boundaries:
                raise InputError(
                    f"{len(lsoas)} LSOA(s) are in no LSOA → ward lookup and no ward "
                    "boundaries were given to place them",
                    found=sorted(lsoas["lsoa_code"])[:20],
                    expected="ward boundaries (WDyyCD, WDyyNM, LADyyCD) for these LSOAs",
                )
            frames.append(_place_lsoas_in_wards(lsoas, _ward_polygons(ward_boundaries)))
    if not frames:
        raise InputError(
            "no LSOA source was given",
            expected="at least one LSOA → ward lookup file or LSOA boundary file",
        )
    lsoa_rows = pd.concat(frames, ignore_index=True)
    _reject_conflicting_duplicates(
        lsoa_rows, ["lsoa_code", "lsoa_vintage"], "LSOA → ward lookups", "LSOA and vintage"
    )
    lsoa_rows = lsoa_rows.drop_duplicates(["lsoa_code", "lsoa_vintage"])
    lad_csp = load_lad_csp(Path(lad_csp_file))
    concerned = None if force_code is None else (
        set(lad_csp.loc[lad_csp["pfa_code"] == force_code, "lad_code"]) | set(lad_codes))
    return _attach_csp(lsoa_rows, lad_csp, Path(lad_csp_file), strict=strict,
                       concerned=concerned)


def _attach_csp(
    lsoa_rows: pd.DataFrame, lad_csp: pd.DataFrame, lad_csp_file: Path, *, strict: bool,
    concerned: set[str] | None = None,
) -> pd.DataFrame:
    """Add CSP and PFA to each LSOA by LAD code.

    A LAD with exactly one CSP resolves. A LAD absent from the LAD → CSP file, or one with
    several CSPs (a merged council whose partnerships kept the old districts), cannot be
    resolved by code: those LSOAs keep a blank CSP/PFA and are listed in a warning (or an
    error when ``strict``), and :func:`unresolved_lads` lists them afterwards. With
    ``concerned`` (LAD codes), only those LADs are warned about; the others are logged.
    """
    csps_per_lad = lad_csp.groupby("lad_code")["csp_code"].transform("size")
    single = lad_csp[csps_per_lad == 1]
    merged = lsoa_rows.merge(
        single, on="lad_code", how="left", suffixes=("", "_csp_file"), validate="many_to_one"
    )
    merged["lad_name"] = merged["lad_name"].fillna(merged["lad_name_csp_file"])
    result = merged[LOOKUP_COLUMNS].astype({"lsoa_vintage": "int64"})
    string_columns = [c for c in LOOKUP_COLUMNS if c != "lsoa_vintage"]
    result = result.astype(dict.fromkeys(string_columns, "string"))
    result = result.sort_values(["lsoa_vintage", "lsoa_code"]).reset_index(drop=True)
    unresolved = unresolved_lads(result, lad_csp)
    if concerned is not None:
        elsewhere = unresolved[~unresolved["lad_code"].isin(concerned)]
        if not elsewhere.empty:
            logger.info("%d council(s) outside the force cannot be matched to one CSP in %s "
                        "(not this force's data): %s", len(elsewhere), lad_csp_file,
                        ", ".join(f"{r.lad_code} {r.lad_name}" for r in elsewhere.itertuples()))
        unresolved = unresolved[unresolved["lad_code"].isin(concerned)]
    if not unresolved.empty:
        listed = [
            f"{row.lad_code} {row.lad_name} ({row.lsoas} LSOAs): {row.reason}"
            for row in unresolved.itertuples()
        ]
        message = (
            f"{len(listed)} local authority code(s) of the LSOA lookups cannot be matched to "
            f"one CSP in {lad_csp_file}: " + "; ".join(listed[:20])
        )
        hint = (
            "LAD codes change when councils merge; use a LAD → CSP lookup of the same year as "
            "the ward lookup, or add the missing LADs"
        )
        if strict:
            raise InputError(
                "LAD codes cannot be matched to one CSP",
                file=lad_csp_file,
                found=listed[:20],
                expected="every LAD code of the LSOA lookups once in the LAD → CSP lookup",
                hint=hint,
            )
        warnings.warn(f"{message}. {hint}.", UnmatchedLadWarning, stacklevel=3)
    return result


class UnmatchedLadWarning(UserWarning):
    """Some LSOAs' local authority could not be matched to exactly one CSP."""


def unresolved_lads(lookup: pd.DataFrame, lad_csp: pd.DataFrame | None = None) -> pd.DataFrame:
    """List the LADs whose LSOAs have no CSP in ``lookup``, with how many LSOAs and why.

    Returns ``lad_code, lad_name, lsoas, reason``; empty when every LSOA has a CSP. With
    ``lad_csp`` (from :func:`load_lad_csp`) the reason says whether the LAD is absent from the
    LAD → CSP file or has several CSPs there.
    """
    blank = lookup[lookup["csp_code"].isna()]
    summary = (
        blank.groupby("lad_code", as_index=False)
        .agg(lad_name=("lad_name", "first"), lsoas=("lsoa_code", "size"))
        .astype({"lsoas": "int64"})
    )
    counts = lad_csp["lad_code"].value_counts() if lad_csp is not None else pd.Series(dtype=int)
    summary["reason"] = [
        f"has {counts[code]} CSPs in the LAD → CSP lookup"
        if code in counts.index
        else "not in the LAD → CSP lookup"
        for code in summary["lad_code"]
    ]
    return summary.astype({"reason": "string"})


# --------------------------------------------------------------------------------------------
# LSOA 2011 → 2021 changes and point placement
# --------------------------------------------------------------------------------------------

MIN_OVERLAP_SHARE = 0.05
"""Overlaps below this share of both polygons' areas are generalisation slivers, not links."""


def lsoa_changes(
    lsoa11_boundaries: Sequence[Path], lsoa21_boundaries: Sequence[Path]
) -> pd.DataFrame:
    """Map LSOA 2011 codes to 2021 codes by overlap, classified as ONS does.

    Returns ``lsoa11_code, lsoa21_code, change, share_of_lsoa11, share_of_lsoa21`` where the
    shares are the fraction of each polygon's area in the overlap, and ``change`` is
    ``unchanged`` (1:1, same code), ``split`` (one 2011 → several 2021, each wholly from it),
    ``merged`` (several 2011 → one 2021) or ``complex`` (anything else, including a 1:1 link
    with a new code). Overlaps under :data:`MIN_OVERLAP_SHARE` of both areas are ignored as
    boundary generalisation. A 2011 LSOA with no 2021 partner is an error (the two sets of
    boundaries must cover the same area).
    """
    old = load_lsoa_polygons(lsoa11_boundaries)
    new = load_lsoa_polygons(lsoa21_boundaries)
    for frame, vintage, paths in ((old, 2011, lsoa11_boundaries), (new, 2021, lsoa21_boundaries)):
        if set(frame["lsoa_vintage"]) != {vintage}:
            raise InputError(
                f"expected only LSOA {vintage} boundaries",
                file=", ".join(str(p) for p in paths),
                found=sorted(set(frame["lsoa_vintage"])),
                expected=f"LSOA{str(vintage)[2:]}CD properties",
            )
    links = _overlaps(old.to_crs(BNG), new.to_crs(BNG))
    orphans = sorted(set(old["lsoa_code"]) - set(links["lsoa11_code"]))
    if orphans:
        raise InputError(
            f"{len(orphans)} LSOA 2011 area(s) overlap no LSOA 2021 area",
            found=orphans[:20],
            expected="2011 and 2021 boundaries covering the same local authorities",
        )
    return _classify_changes(links)


def _overlaps(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs of 2011 and 2021 LSOAs whose overlap is a meaningful share of either area."""
    old = old.rename(columns={"lsoa_code": "lsoa11_code"})[["lsoa11_code", "geometry"]]
    new = new.rename(columns={"lsoa_code": "lsoa21_code"})[["lsoa21_code", "geometry"]]
    old["area11"] = old.geometry.area
    new["area21"] = new.geometry.area
    pieces = gpd.overlay(old, new, how="intersection", keep_geom_type=True)
    pieces["share_of_lsoa11"] = pieces.geometry.area / pieces["area11"]
    pieces["share_of_lsoa21"] = pieces.geometry.area / pieces["area21"]
    pairs = pieces.groupby(["lsoa11_code", "lsoa21_code"], as_index=False)[
        ["share_of_lsoa11", "share_of_lsoa21"]
    ].sum()
    keep = (pairs["share_of_lsoa11"] >= MIN_OVERLAP_SHARE) | (
        pairs["share_of_lsoa21"] >= MIN_OVERLAP_SHARE
    )
    return pd.DataFrame(pairs[keep])


def _classify_changes(links: pd.DataFrame) -> pd.DataFrame:
    """Label each 2011→2021 link unchanged / split / merged / complex from the link counts."""
    links = links.copy()
    partners_of_old = links.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    partners_of_new = links.groupby("lsoa21_code")["lsoa11_code"].transform("size")
    one_to_one = (partners_of_old == 1) & (partners_of_new == 1)
    links["change"] = "complex"
    links.loc[one_to_one & (links["lsoa11_code"] == links["lsoa21_code"]), "change"] = "unchanged"
    # A split: the 2011 LSOA has several partners and each of them comes only from it.
    whole_split = (partners_of_new == 1).groupby(links["lsoa11_code"]).transform("all")
    links.loc[(partners_of_old > 1) & whole_split, "change"] = "split"
    whole_merge = (partners_of_old == 1).groupby(links["lsoa21_code"]).transform("all")
    links.loc[(partners_of_new > 1) & whole_merge, "change"] = "merged"
    columns = ["lsoa11_code", "lsoa21_code", "change", "share_of_lsoa11", "share_of_lsoa21"]
    result = links[columns].astype(
        {"lsoa11_code": "string", "lsoa21_code": "string", "change": "string"}
    )
    return result.sort_values(["lsoa11_code", "lsoa21_code"]).reset_index(drop=True)


def place_points(
    df: pd.DataFrame,
    lon_col: str,
    lat_col: str,
    lsoa_boundaries: Sequence[Path] | gpd.GeoDataFrame,
) -> pd.Series:
    """Return the LSOA code containing each row's longitude/latitude (WGS84).

    Meant for rows that have coordinates but no LSOA. The result has ``df``'s index; it is
    missing where coordinates are blank or fall in none of the boundaries. A point on a shared
    edge goes to the lowest code, so the answer is deterministic. ``lsoa_boundaries`` is a list
    of files or a frame from :func:`load_lsoa_polygons`.
    """
    polygons = (
        lsoa_boundaries
        if isinstance(lsoa_boundaries, gpd.GeoDataFrame)
        else load_lsoa_polygons(lsoa_boundaries)
    )
    lon = _numeric_coordinate(df, lon_col, -180, 180)
    lat = _numeric_coordinate(df, lat_col, -90, 90)
    located = lon.notna() & lat.notna()
    points = gpd.GeoDataFrame(
        {"row": df.index[located.to_numpy()]},
        geometry=gpd.points_from_xy(lon[located], lat[located]),
        crs=WGS84,
    )
    areas = polygons[["lsoa_code", "geometry"]].to_crs(WGS84)
    joined = gpd.sjoin(points, areas, how="left", predicate="intersects")
    first = joined.sort_values("lsoa_code").drop_duplicates("row").set_index("row")["lsoa_code"]
    return pd.Series(first, dtype="string").reindex(df.index).rename("lsoa_code")


def _numeric_coordinate(df: pd.DataFrame, column: str, low: float, high: float) -> pd.Series:
    """The column as floats; raise naming the first row that is not a number within range."""
    if column not in df.columns:
        raise InputError("coordinate column not found", column=column, found=list(df.columns))
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna() & (df[column].astype("string").str.strip() != "")
    bad |= values.notna() & ((values < low) | (values > high))
    if bad.any():
        row = df.index[bad.to_numpy()][0]
        raise InputError(
            "a coordinate is not a number in range",
            line=None,
            column=column,
            found=f"row {row}: {df.loc[row, column]!r}",
            expected=f"a number between {low} and {high}, or blank",
        )
    return values.astype("float64")


def lsoa_names(lookup: pd.DataFrame, vintage: int) -> pd.DataFrame:
    """One name (and ward) per LSOA code, from ``vintage`` where the code exists in it.

    A code kept between the 2011 and 2021 LSOAs can carry a different name in each
    (E01016011 is 'Thurrock 015B' in 2011 and 'Thurrock 022A' in 2021), so a table keyed by
    code takes every name from the vintage of its data; a code found only in the other
    vintage keeps that vintage's name. Columns: lsoa_code, lsoa_name, ward_name,
    name_vintage (the vintage the name is from).
    """
    preferred = lookup.assign(_other=(lookup["lsoa_vintage"] != vintage).astype(int))
    chosen = (preferred.sort_values(["lsoa_code", "_other"], kind="stable")
              .drop_duplicates("lsoa_code"))
    return (chosen.rename(columns={"lsoa_vintage": "name_vintage"})
            [["lsoa_code", "lsoa_name", "ward_name", "name_vintage"]].reset_index(drop=True))


def lsoa_names_note(names: pd.DataFrame, vintage: int) -> str:
    """The sentence stating the names' vintage, and any code named from the other vintage."""
    other = names[names["name_vintage"] != vintage]
    note = f"LSOA codes and names: {vintage} LSOAs, the vintage of the period's data"
    if len(other):
        elsewhere = other["name_vintage"].iloc[0]
        note += (f"; {len(other)} code(s) found only in the {elsewhere} LSOAs keep their "
                 f"{elsewhere} name")
    return note
