"""Generate a synthetic national data.police.uk archive from the real Essex months.

Run ``.venv/bin/python benchmarks/national.py OUT [--forces 43] [--months 36]``. The 28 real
Essex street files are replicated under up to 43 force names and cycled to fill 36 consecutive
months (April 2021 to March 2024, three financial years), and written as data.police.uk street
CSVs, ``OUT/YYYY-MM/YYYY-MM-<force>-street.csv`` (an extracted archive: plain CSV, official
header, blank fields empty). Per force:

* the force name and slug are those of a real police force area in the LAD -> CSP -> PFA
  lookup (42 forces; the 43rd is Northamptonshire, whose LSOAs the lookup cannot place in a
  CSP, as in the real lookup);
* each Essex LSOA code is replaced by an LSOA of that force from the real LSOA 2011 lookup
  (cycled), so the ingest's geography join and the all-CSP table see real CSPs;
* coordinates are shifted by a fixed offset per force (the points keep Essex's pattern);
* Crime IDs get a prefix of the force and target month, so no two rows share an ID.

About 15,900 rows per force-month: 43 forces x 36 months is about 24.6 million rows (6 GB).
Nothing is written inside the project unless ``OUT`` is; use a temporary folder or ``data/``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import time
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analysis.inputs.geography import load_lsoa_lookup
from analysis.inputs.police_uk import OFFICIAL_HEADERS

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
ESSEX = REAL / "police_uk" / "essex"
LSOA_LOOKUP = REAL / "lookups" / "jtrim-ons_ons-lookups" / "csv" / "135.csv.gz"
LAD_CSP = REAL / "lookups" / "macoj_crime-city" / "lad_to_csp.csv"
POPULATION = REAL / "population" / "traffordDataLab_covid-19" / "mid-2019" / "population.csv"
FIRST_MONTH = date(2021, 4, 1)
MAX_FORCES = 43
UNPLACED_FORCE = "Northamptonshire"
"""The force whose LSOAs the LAD -> CSP lookup cannot place (merged councils)."""


@dataclass(frozen=True)
class Archive:
    """What :func:`generate` wrote: the folder, forces (name, slug), months and rows."""

    folder: Path
    forces: list[tuple[str, str]]
    months: list[date]
    rows: int
    seconds: float

    def files(self, n_forces: int, n_months: int) -> list[Path]:
        """Street files of the first ``n_forces`` forces in the last ``n_months`` months."""
        slugs = [slug for _, slug in self.forces[:n_forces]]
        return [
            self.folder / f"{m:%Y-%m}" / f"{m:%Y-%m}-{slug}-street.csv"
            for m in self.months[-n_months:]
            for slug in slugs
        ]


def load_lookup() -> pd.DataFrame:
    """The real LSOA 2011 -> ward -> LAD -> CSP -> PFA lookup (England and Wales)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unmatched LADs are expected and handled
        return load_lsoa_lookup([LSOA_LOOKUP], LAD_CSP)


def slug(name: str) -> str:
    """A data.police.uk-style force slug: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def force_lsoas(lookup: pd.DataFrame, n_forces: int) -> pd.DataFrame:
    """LSOAs of each synthetic force: ``force_no, force, slug, n, lsoa_code, lsoa_name``.

    Forces are the lookup's police force areas by name, then :data:`UNPLACED_FORCE` (the
    LSOAs with no force in the lookup); ``n`` numbers a force's LSOAs from 0.
    """
    table = lookup[["lsoa_code", "lsoa_name", "pfa_name"]].copy()
    table["force"] = table["pfa_name"].fillna(UNPLACED_FORCE)
    names = sorted(table["force"].unique(), key=lambda n: (n == UNPLACED_FORCE, n))[:n_forces]
    table = table[table["force"].isin(names)].sort_values(["force", "lsoa_code"])
    table["force_no"] = table["force"].map({name: i for i, name in enumerate(names)})
    table["slug"] = table["force"].map(slug)
    table["n"] = table.groupby("force").cumcount()
    return table[["force_no", "force", "slug", "n", "lsoa_code", "lsoa_name"]]


def generate(out: Path, n_forces: int = MAX_FORCES, n_months: int = 36,
             essex: Path = ESSEX) -> Archive:
    """Write the synthetic archive under ``out`` (replacing it); see the module docstring."""
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    parts = out / "_parts"
    parts.mkdir(parents=True)
    lsoas = force_lsoas(load_lookup(), n_forces)
    forces = lsoas[["force_no", "force", "slug"]].drop_duplicates().sort_values("force_no")
    files = sorted(str(p) for p in essex.glob("*/*-street.csv*"))
    months = [date(FIRST_MONTH.year + (FIRST_MONTH.month - 1 + i) // 12,
                   (FIRST_MONTH.month - 1 + i) % 12 + 1, 1) for i in range(n_months)]
    selected = ", ".join(
        f"{_column(key)} AS \"{header}\"" for key, header in OFFICIAL_HEADERS.items()
    )
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE essex AS SELECT * FROM read_csv($files, header = false, skip = 1, "
            "delim = ',', quote = '\"', auto_detect = false, columns = {"
            + ", ".join(f"'{key}': 'VARCHAR'" for key in OFFICIAL_HEADERS) + "})",
            {"files": files})
        real_months = [m for (m,) in con.execute(
            "SELECT DISTINCT month FROM essex ORDER BY 1").fetchall()]
        con.execute(
            "CREATE TABLE codes AS SELECT lsoa_code AS essex_code, "
            "row_number() OVER (ORDER BY lsoa_code) - 1 AS i "
            "FROM (SELECT DISTINCT lsoa_code FROM essex WHERE lsoa_code <> '')")
        con.register("lsoas_df", lsoas)
        con.register("forces_df", forces)
        con.execute(
            "CREATE TABLE forces AS SELECT *, (force_no % 7) * 0.3 - 0.9 AS dx, "
            "(force_no // 7) * 0.25 - 0.6 AS dy FROM forces_df")
        con.execute(
            """
            CREATE TABLE lsoa_map AS
            SELECT l.force_no, c.essex_code, l.lsoa_code, l.lsoa_name
            FROM codes c
            JOIN (SELECT force_no, count(*) AS size FROM lsoas_df GROUP BY force_no) s ON true
            JOIN lsoas_df l ON l.force_no = s.force_no AND l.n = c.i % s.size
            """)
        for index, month in enumerate(months):
            target = parts / f"{index:02d}"
            con.execute(
                f"""
                COPY (
                    SELECT f.slug, {selected}
                    FROM essex e CROSS JOIN forces f
                    LEFT JOIN lsoa_map m ON m.force_no = f.force_no AND m.essex_code = e.lsoa_code
                    WHERE e.month = $source
                ) TO '{target}' (FORMAT csv, HEADER true, PARTITION_BY (slug))
                """,
                {"source": real_months[index % len(real_months)],
                 "month": f"{month:%Y-%m}", "tag": index},
            )
            folder = out / f"{month:%Y-%m}"
            folder.mkdir()
            for partition in target.iterdir():
                written = list(partition.iterdir())
                if len(written) != 1:
                    raise RuntimeError(f"expected one file in {partition}, found {written}")
                name = partition.name.removeprefix("slug=")
                written[0].rename(folder / f"{month:%Y-%m}-{name}-street.csv")
        per_month = dict(con.execute("SELECT month, count(*) FROM essex GROUP BY 1").fetchall())
    rows = sum(per_month[real_months[i % len(real_months)]] for i in range(n_months))
    shutil.rmtree(parts)
    return Archive(out, list(zip(forces["force"], forces["slug"], strict=True)), months,
                   rows * len(forces), time.perf_counter() - started)


def _column(key: str) -> str:
    """The SQL giving one output column from Essex row ``e`` for force ``f`` (blank = NULL)."""
    expressions = {
        "crime_id": "CASE WHEN e.crime_id <> '' THEN printf('%02x%02x', f.force_no, $tag) "
                    "|| e.crime_id END",
        "month": "$month",
        "reported_by": "f.force",
        "falls_within": "f.force",
        "longitude": "CASE WHEN e.longitude <> '' THEN "
                     "CAST(CAST(e.longitude AS DOUBLE) + f.dx AS DECIMAL(9, 6)) END",
        "latitude": "CASE WHEN e.latitude <> '' THEN "
                    "CAST(CAST(e.latitude AS DOUBLE) + f.dy AS DECIMAL(9, 6)) END",
        "lsoa_code": "m.lsoa_code",
        "lsoa_name": "m.lsoa_name",
    }
    return expressions.get(key, f"nullif(e.{key}, '')")


def main() -> None:
    """Parse arguments and write the archive."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (replaced)")
    parser.add_argument("--forces", type=int, default=MAX_FORCES, help="forces (max 43)")
    parser.add_argument("--months", type=int, default=36, help="months from April 2021")
    args = parser.parse_args()
    archive = generate(args.out, args.forces, args.months)
    print(f"{archive.rows:,} rows, {len(archive.forces)} forces x {len(archive.months)} months "
          f"in {archive.seconds:.0f} s under {archive.folder}")


if __name__ == "__main__":
    main()
