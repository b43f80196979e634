"""Words and codes with one meaning across the package, defined once.

police.uk's category for anti-social behaviour incidents (never added to crime totals), the
label of the all-crime row, and the coordinate reference systems: police.uk publishes
longitude/latitude (WGS84) and the grid analysis works in British National Grid metres.
"""

from __future__ import annotations

ASB = "Anti-social behaviour"
"""police.uk's crime type for ASB incidents; ASB is counted beside crime, never in it."""

ALL_CRIME = "All crime"
"""The label of the row that totals every police.uk crime type (ASB excluded)."""

WGS84 = "EPSG:4326"
"""Longitude and latitude, as police.uk and partner extracts give points."""

BNG = "EPSG:27700"
"""British National Grid (metres), the grid squares' coordinate system."""


ROBBERY = "Robbery"


POSSESSION_OF_WEAPONS = "Possession of weapons"


VIOLENCE_GROUP = "Violence against the person"


WEAPONS_GROUP = "Possession of weapons offences"



AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
"""The partner contract's victim age bands, youngest first (docs/data-contract.md §4.1)."""
