"""The areas and period forms that the real-data integration suite builds (shared constants).

Kept out of ``conftest.py`` so test modules can import them; see ``test_real_periods.py`` for
what each period exercises.
"""

AREAS = {"thurrock": "Thurrock", "essex-southend-on-sea": "Southend-on-Sea"}
"""Area name -> the prefix of its LSOA names in the police.uk files."""

PERIODS = ("2018-19", "2022", "2024", "2022-01..2022-11", "2019-01..2019-02")

LONG_PERIOD = "2022-01..2024-04"
"""A 28-month range across the 2022-2024 gap, built for Thurrock only: a period longer than a
year is its own trend window."""
