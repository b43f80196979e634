"""What the real-data integration suite builds, and two readers its tests share.

Kept out of ``conftest.py`` so test modules can import them; see ``test_real_periods.py`` for
what each period exercises. The readers use the standard library only, so a count checked
with :func:`raw_crimes` does not pass through the project's own helpers.
"""

import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

AREAS = {"thurrock": "Thurrock", "southend-on-sea": "Southend-on-Sea"}
"""Area name -> the prefix of its LSOA names in the police.uk files. Southend-on-Sea's config
is the one ``csp init --csp-code E22000089`` writes (``real_project`` in tests/conftest.py)."""

PERIODS = ("2018-19", "2022", "2024", "2022-01..2022-11", "2019-01..2019-02")

LONG_PERIOD = "2022-01..2024-04"
"""A 28-month range across the 2022-2024 gap, built for Thurrock only: a period longer than a
year is its own trend window."""


def raw_crimes(real_data: Path, area_name: str, month: str) -> int:
    """Crimes (ASB excluded) in one raw police.uk month whose LSOA name starts with the area's
    (the files come with police.uk's headings or snake-case ones)."""
    path = next((real_data / "police_uk" / "essex" / month).glob("*-street.csv.gz"))
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = [re.sub(r"[^a-z]", "", name.lower()) for name in next(rows)]
        name_at, type_at = header.index("lsoaname"), header.index("crimetype")
        counts = Counter(row[type_at] for row in rows
                         if row[name_at].startswith(f"{area_name} "))
    return sum(n for crime_type, n in counts.items() if crime_type != "Anti-social behaviour")


def strict_json(path: Path) -> object:
    """``path`` read as strict JSON: a bare NaN or Infinity is an error, as in JavaScript."""
    def refuse(constant: str) -> object:
        raise ValueError(f"{path.name} holds the non-JSON constant {constant}")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
