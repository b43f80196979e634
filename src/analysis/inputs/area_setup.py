"""``csp init``: write a real CSP's ``config/areas/<name>.yaml`` from the ONS lookups.

A new analyst should not copy the demo's config (and with it the demo's fictional partner
files): the CSP's codes, local authorities, force and wards come from the ONS LAD → CSP → PFA
and LSOA → ward lookups, the paths from a downloads folder laid out as
``../shared/data/real`` is (``police_uk/<force>/``, ``lookups/``, ``boundaries/*/lsoa|ward/``,
``population/*/mid-YYYY/``, ``imd/``; see :func:`find_sources`), and the default period from
the police.uk months held (:func:`default_period_for`). The file is written with a comment on
every key, checked with the config model before it is written, and written in one step.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import json
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml
from pydantic import ValidationError

from analysis.core.config import (
    DEFAULT_DATA_DIR,
    FORCES_DIR,
    AreaConfig,
    ForceConfig,
    area_config_path,
    load_force,
    mid_year_of,
    slug,
)
from analysis.core.errors import ConfigError, InputError
from analysis.core.files import atomic_write, canonical_period
from analysis.core.periods import Period
from analysis.inputs.areas import refuse_demo_files
from analysis.inputs.geography import load_lad_csp, load_lsoa_ward_lookup
from analysis.inputs.police_uk import StreetSource, discover_street_files, read_header

_CSV_NAMES = ("*.csv", "*.csv.gz")


@dataclass(frozen=True)
class Csp:
    """One Community Safety Partnership as the ONS lookup has it."""

    code: str
    name: str
    lad_codes: list[str]
    force_code: str
    force_name: str


@dataclass(frozen=True)
class FoundSources:
    """The files found in the downloads folder, as the config will name them."""

    police_uk: Path
    lsoa_ward_lookups: list[Path]
    lad_csp_lookup: Path
    lsoa_boundaries: list[Path]
    ward_boundaries: list[Path]
    populations: list[tuple[Path, int]]
    census_lsoa_population: Path | None
    imd: Path | None


def find_csp(lad_csp: pd.DataFrame, *, code: str = "", name: str = "",
             lookup_file: Path | None = None) -> Csp:
    """The CSP with ``code`` (e.g. E22000089) or ``name`` (any case, e.g. 'southend-on-sea').

    A code or name not in the lookup is a ConfigError suggesting the nearest ones
    ('did you mean'), from the codes and names of every CSP in the lookup.
    """
    if bool(code) == bool(name):
        raise ConfigError("give either a CSP code or a CSP name, not both or neither",
                          expected="--csp-code E22000089 or --csp-name Southend-on-Sea")
    column, wanted = ("csp_code", code.strip().upper()) if code else ("csp_name", name.strip())
    rows = lad_csp[lad_csp[column].str.casefold() == wanted.casefold()]
    if rows.empty:
        choices = sorted(lad_csp[column].unique())
        by_folded = {c.casefold(): c for c in choices}
        named = [by_folded[c] for c in difflib.get_close_matches(wanted.casefold(), by_folded,
                                                                 n=3, cutoff=0.6)]
        raise ConfigError(
            f"no CSP with {'code' if code else 'name'} '{wanted}' in the ONS lookup",
            file=lookup_file, found=wanted,
            expected=f"a {'CSP code (E22… or W22…)' if code else 'CSP name'} of the lookup",
            hint=(f"did you mean: {', '.join(named)}?" if named else
                  "check the spelling against the lookup's CSP column"))
    first = rows.iloc[0]
    return Csp(code=str(first["csp_code"]), name=str(first["csp_name"]),
               lad_codes=sorted(rows["lad_code"].unique()), force_code=str(first["pfa_code"]),
               force_name=str(first["pfa_name"]))


def default_period_for(months: Iterable[date]) -> tuple[str, str]:
    """The period to build by default from the months held, and why (a sentence).

    The latest financial year holding all 12 months; else the latest complete calendar year;
    else (every year has gaps, as in the public Essex data) the financial year holding the
    most months, the latest of equals, which the report then states as incomplete.
    """
    held = set(months)
    if not held:
        raise InputError("no police.uk months found, so no default period can be chosen",
                         hint="download the force's months first (csp fetch), or give --period")
    years = range(min(held).year - 1, max(held).year + 1)
    financial = [Period.financial_year(y) for y in years]
    calendar = [Period.calendar_year(y) for y in years]
    for candidates, kind in ((financial, "financial year"), (calendar, "calendar year")):
        complete = [p for p in candidates if set(p.months) <= held]
        if complete:
            return canonical_period(complete[-1].label), f"the latest complete {kind} held"
    best = max(financial, key=lambda p: (len(set(p.months) & held), p.start))
    count = len(set(best.months) & held)
    return canonical_period(best.label), (
        f"the financial year holding the most months ({count} of 12): no year is complete, so "
        "the report names the missing months")


def downloads_folder(data_dir: Path, root: Path) -> Path:
    """``data_dir`` as an absolute folder (relative to ``root``); an error if it is missing."""
    base = data_dir if data_dir.is_absolute() else root / data_dir
    if not base.is_dir():
        raise ConfigError("the downloads folder does not exist", file=base,
                          hint="pass --data-dir with the folder holding your downloads")
    return base


def find_lookups(base: Path) -> tuple[list[Path], Path]:
    """The LSOA → ward lookups and the LAD → CSP lookup under ``base/lookups``, told apart by
    their headers; an error naming what is expected if either is missing."""
    lsoa_ward, lad_csp = _classify_lookups(_csv_files(base / "lookups"))
    if not lsoa_ward or lad_csp is None:
        raise ConfigError(
            "the ONS lookups are not in the downloads folder", file=base / "lookups",
            found=f"{'an' if lsoa_ward else 'no'} LSOA to ward lookup, "
                  f"{'a' if lad_csp else 'no'} LAD to CSP lookup",
            expected="an LSOA → ward → LAD lookup (LSOA11CD, WD19CD, LAD19CD, …) and the "
                     "LAD → CSP → PFA lookup (LAD19CD, CSP19CD, PFA19CD, …), as CSV",
            hint="download them (csp fetch --url <address> --to <folder>/lookups)")
    return lsoa_ward, lad_csp


def find_sources(data_dir: Path, force_slug: str, boundary_codes: Sequence[str],
                 root: Path) -> FoundSources:
    """The area's files in ``data_dir`` (relative to ``root`` unless absolute).

    police.uk: :func:`police_folder`. Lookups: :func:`find_lookups`. Boundaries:
    ``<code>.geojson[.gz]`` in folders named ``lsoa`` and ``ward``, for the force's local and
    upper-tier authority codes. Populations: ``mid-YYYY`` estimates under ``population/``;
    Census 2021 LSOA residents ``census21*.rda``; IMD 2019: the first CSV under ``imd/``.
    """
    base = downloads_folder(data_dir, root)

    def written(path: Path) -> Path:
        return data_dir / path.relative_to(base)

    lsoa_ward, lad_csp = find_lookups(base)
    codes = set(boundary_codes)
    boundaries = {level: sorted(written(p) for p in base.glob(f"boundaries/**/{level}/*")
                                if p.name.split(".")[0] in codes and ".geojson" in p.name)
                  for level in ("lsoa", "ward")}
    populations = sorted(((written(p), year) for p in base.glob("population/**/*.csv")
                          if (year := mid_year_of(p.relative_to(base), None)) is not None),
                         key=lambda item: item[1])
    census = sorted(base.glob("population/**/census21*.rda"))
    imd = _csv_files(base / "imd")
    return FoundSources(
        police_uk=police_folder(data_dir, force_slug, root),
        lsoa_ward_lookups=[written(p) for p in lsoa_ward],
        lad_csp_lookup=written(lad_csp), lsoa_boundaries=boundaries["lsoa"],
        ward_boundaries=boundaries["ward"], populations=populations,
        census_lsoa_population=written(census[0]) if census else None,
        imd=written(imd[0]) if imd else None)


def police_folder(data_dir: Path, force_slug: str, root: Path) -> Path:
    """Where the force's police.uk files are: ``police_uk/<force>/`` in the downloads folder,
    else ``police_uk/``, else the folder itself (e.g. a folder of archive zips)."""
    base = data_dir if data_dir.is_absolute() else root / data_dir
    for below in (Path("police_uk") / force_slug, Path("police_uk")):
        if (base / below).is_dir():
            return data_dir / below
    return data_dir


def _csv_files(folder: Path) -> list[Path]:
    """The CSV files (plain or gzipped) anywhere under ``folder``, sorted."""
    return sorted({p for pattern in _CSV_NAMES for p in folder.rglob(pattern)})


def _header(path: Path) -> list[str]:
    """A CSV file's first line as lower-case names without punctuation (any delimiter)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
        line = handle.readline()
    delimiter = ";" if line.count(";") > line.count(",") else ","
    return ["".join(ch for ch in name.lower() if ch.isalnum())
            for name in next(csv.reader([line], delimiter=delimiter), [])]


def _classify_lookups(files: Sequence[Path]) -> tuple[list[Path], Path | None]:
    """Which files are LSOA → ward lookups and which is the LAD → CSP lookup, by header."""
    lsoa_ward: list[Path] = []
    lad_csp: Path | None = None
    for path in files:
        names = _header(path)
        if any(n.startswith("csp") for n in names) and lad_csp is None:
            lad_csp = path
        elif any(n.startswith("lsoa") for n in names) and any(n.startswith("wd")
                                                              for n in names):
            lsoa_ward.append(path)
    return lsoa_ward, lad_csp


def upper_tier_codes(data_dir: Path, lad_codes: Iterable[str]) -> list[str]:
    """The county (upper-tier) codes of ``lad_codes`` from a ``la_all_codes.csv``-style
    lookup (``LADCD``, ``UTLACD``) under ``lookups/``, if there is one: boundary files of a
    two-tier area are often one per county (``E10000012.geojson`` for Essex)."""
    wanted = set(lad_codes)
    for path in _csv_files(data_dir / "lookups"):
        if {"ladcd", "utlacd"} <= set(_header(path)):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            return sorted(set(frame.loc[frame["LADCD"].isin(wanted), "UTLACD"]) - wanted)
    return []


def force_block(csp: Csp, police_uk: Path, root: Path) -> ForceConfig:
    """The force as the config names it: from ``config/forces/`` when a file there has its
    code; else the force name in the police.uk files' ``Falls within`` column (the build
    selects the force's rows by it) and their file-name force; else from the lookup."""
    for force_file in sorted((root / FORCES_DIR).glob("*.yaml")):
        template = load_force(force_file.stem, root)
        if template.force.code == csp.force_code:
            return template.force
    base = police_uk if police_uk.is_absolute() else root / police_uk
    try:
        sources = discover_street_files([base])
    except InputError:
        sources = []
    guess = slug(csp.force_name)
    ours = [s for s in sources if s.force == guess] or (
        sources if len({s.force for s in sources}) == 1 else [])
    if ours:
        name = falls_within(ours[-1])
        if name:
            return ForceConfig(code=csp.force_code, name=name, slug=ours[-1].force)
    return ForceConfig(code=csp.force_code, name=f"{csp.force_name} Police",
                       slug=slug(csp.force_name))


def falls_within(source: StreetSource) -> str:
    """The ``Falls within`` value of a street file's first row ('' for a file without rows)."""
    header = read_header(source)
    with source.open_bytes() as stream:
        rows = csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
        next(rows, None)
        first = next(rows, None)
    return first[header.positions["falls_within"]].strip() if first else ""


def force_months(police_uk: Path, force_slug: str, root: Path) -> list[date]:
    """The months of the force's police.uk street files held in the folder."""
    base = police_uk if police_uk.is_absolute() else root / police_uk
    try:
        return sorted({s.month for s in discover_street_files([base]) if s.force == force_slug})
    except InputError:
        return []


def _q(value: object) -> str:
    """A value written as YAML (JSON strings are YAML): text always quoted, so a period
    such as 2022 or a path with spaces reads back as text."""
    return json.dumps(str(value) if isinstance(value, Path) else value)


def _comment(text: str) -> str:
    """``text`` as YAML comment lines of at most 96 characters."""
    return "\n".join(f"# {line}" for line in textwrap.wrap(text, 94))


def _paths(paths: Sequence[Path], comment: str) -> str:
    """A list of paths as YAML, one per line, with the key's comment on the key's line."""
    if not paths:
        return f" []  # {comment}"
    return f"  # {comment}\n" + "\n".join(f"    - {_q(p)}" for p in paths)


def area_yaml(name: str, csp: Csp, force: ForceConfig, period: str, why_period: str,
              sources: FoundSources, wards: pd.DataFrame) -> str:
    """The config file's text: every key with a comment saying what it does."""
    populations = "".join(
        f"\n    - path: {_q(path)}\n      year: {year}\n"
        f"      label: {_q(f'ONS mid-{year} population estimates')}"
        for path, year in sources.populations)
    optional = "".join(
        f"\n  # {comment}\n  {key}: {_q(value)}" for key, value, comment in (
            ("census_lsoa_population", sources.census_lsoa_population,
             "Census 2021 usual residents by LSOA (rates for small areas)"),
            ("imd", sources.imd, "IMD 2019 ranks by LSOA (deprivation)"))
        if value is not None)
    ward_lines = "\n".join(f"#   {row.ward_code}  {row.ward_name}"
                           for row in wards.itertuples()) or "#   (none found)"
    return f"""# {csp.name} Community Safety Partnership, written by `csp init` from ONS lookups.
# Each key says what it does; edit the paths if your files move. Unknown keys are errors.
name: {_q(name)}  # the area's name: AREA={name}, reports/{name}/<period>/
title: {_q(f"{csp.name} Community Safety Partnership")}  # printed on every page
csp_code: {_q(csp.code)}  # ONS Community Safety Partnership code
csp_name: {_q(csp.name)}  # as in the ONS LAD to CSP lookup
lad_codes: [{", ".join(_q(c) for c in csp.lad_codes)}]  # the CSP's local authorities (ONS)
# The police force area: ONS code, the name in police.uk's 'Falls within' column, and the
# name in police.uk's file names (YYYY-MM-{force.slug}-street.csv).
force:
  code: {_q(force.code)}
  name: {_q(force.name)}
  slug: {_q(force.slug)}
peers: []  # most-similar-group CSP codes to compare with (none set: add your group's)
{_comment(f"What `make report AREA={name}` builds unless PERIOD is given; chosen as "
           f"{why_period}.")}
default_period: {_q(period)}
store: {_q(force.slug)}  # data/processed/{force.slug}/: one ingest shared by the force's CSPs
disclosure: ons  # small-number suppression rule for partner tables (ons, nhs or none)
# The CSP's wards, from the ONS LSOA to ward lookup (for reference; the build reads the
# lookup itself):
{ward_lines}
# Where the inputs are: relative to the project folder, or absolute.
sources:
  police_uk: [{_q(sources.police_uk)}]  # police.uk street files, month folders or archives
  lsoa_ward_lookups:{_paths(sources.lsoa_ward_lookups, "ONS LSOA to ward to LAD lookups")}
  lad_csp_lookup: {_q(sources.lad_csp_lookup)}  # ONS LAD to CSP to force
  lsoa_boundaries:{_paths(sources.lsoa_boundaries, "LSOA shapes of the force's authorities")}
  ward_boundaries:{_paths(sources.ward_boundaries, "ward shapes of the force's authorities")}
  # ONS mid-year estimates by local authority: each period uses the release nearest it.
  populations:{populations or " []"}{optional}
# Partner extracts (force crimes, council ASB, indicators) go under sources.partner with a
# column mapping: see docs/data-contract.md and config/mappings/example_force.yaml.
"""


def init_area(root: Path, *, csp_code: str = "", csp_name: str = "", name: str = "",
              data_dir: Path = DEFAULT_DATA_DIR, period: str = "",
              overwrite: bool = False) -> tuple[Path, AreaConfig, str]:
    """Write ``config/areas/<name>.yaml`` for the CSP; returns the path, the config as the
    build reads it, and why its default period was chosen.

    ``name`` defaults to the CSP name as a file name ('southend-on-sea'); ``period`` to
    :func:`default_period_for` the force's months held. An existing file is kept unless
    ``overwrite``. Boundaries are those of every authority in the force, so every CSP of the
    force written this way reads the same files and may share the force's store.
    """
    base = downloads_folder(data_dir, root)
    lsoa_ward_files, lad_csp_file = find_lookups(base)
    lad_csp = load_lad_csp(lad_csp_file)
    csp = find_csp(lad_csp, code=csp_code, name=csp_name, lookup_file=lad_csp_file)
    name = name or slug(csp.name)
    path = area_config_path(name, root)
    if path.exists() and not overwrite:
        raise ConfigError("the area's config already exists", file=path,
                          hint="pass --overwrite to replace it, or --name for another name")
    force_lads = sorted(lad_csp.loc[lad_csp["pfa_code"] == csp.force_code, "lad_code"].unique())
    boundary_codes = [*force_lads, *upper_tier_codes(base, force_lads)]
    police = police_folder(data_dir, slug(csp.force_name), root)
    force = force_block(csp, police, root)
    sources = find_sources(data_dir, force.slug, boundary_codes, root)
    if period:
        chosen, why = canonical_period(period), "given with --period"
    else:
        chosen, why = default_period_for(force_months(sources.police_uk, force.slug, root))
    wards = pd.concat([load_lsoa_ward_lookup(p) for p in lsoa_ward_files])
    wards = (wards[wards["lad_code"].isin(csp.lad_codes)][["ward_code", "ward_name"]]
             .drop_duplicates().sort_values("ward_name"))
    text = area_yaml(name, csp, force, chosen, why, sources, wards)
    try:
        config = AreaConfig.model_validate(yaml.safe_load(text))
    except ValidationError as exc:  # a bug here, not the analyst's: say what was wrong
        raise ConfigError(f"the config written for {csp.name} does not validate: {exc}",
                          file=path) from exc
    refuse_demo_files(config, path, root)
    atomic_write(path, text)
    return path, config, why
