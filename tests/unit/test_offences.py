"""Tests for analysis.core.offences: the shipped classification tables and code lookups."""

from __future__ import annotations

import pytest

from analysis.core.offences import (
    CLASSIFICATION_COLUMNS,
    load_offence_classification,
    load_police_uk_crime_types,
)

GROUPS = {
    "Violence against the person": {
        "Homicide", "Death or serious injury caused by unlawful driving",
        "Violence with injury", "Violence without injury", "Stalking and harassment"},
    "Sexual offences": {"Rape", "Other sexual offences"},
    "Robbery": {"Robbery of business property", "Robbery of personal property"},
    "Theft offences": {
        "Residential burglary", "Business and community burglary", "Vehicle offences",
        "Theft from the person", "Bicycle theft", "Shoplifting", "All other theft offences"},
    "Criminal damage and arson": {"Arson", "Criminal damage"},
    "Drug offences": {"Trafficking of drugs", "Possession of drugs"},
    "Possession of weapons offences": {"Possession of weapons offences"},
    "Public order offences": {"Public order offences"},
    "Miscellaneous crimes against society": {"Miscellaneous crimes against society"},
}


class TestClassification:
    def test_columns_and_unique_codes(self):
        table = load_offence_classification()
        assert tuple(table.columns) == CLASSIFICATION_COLUMNS
        assert table["offence_code"].is_unique
        assert not table.isna().any().any()

    def test_groups_and_subgroups(self):
        table = load_offence_classification()
        found = table.groupby("offence_group")["offence_subgroup"].agg(set).to_dict()
        assert found == GROUPS

    def test_codes_are_text(self):
        codes = set(load_offence_classification()["offence_code"])
        assert {"4.1", "4.10"} <= codes  # read as text, not both as 4.1

    @pytest.mark.parametrize(
        ("code", "subgroup"),
        [("1", "Homicide"), ("2", "Violence with injury"), ("5D", "Violence with injury"),
         ("8N", "Violence with injury"), ("105A", "Violence without injury"),
         ("8L", "Stalking and harassment"), ("8Q", "Stalking and harassment"),
         ("19C", "Rape"), ("17A", "Other sexual offences"), ("28E", "Residential burglary"),
         ("30C", "Business and community burglary"), ("34B", "Robbery of personal property"),
         ("45", "Vehicle offences"), ("48", "Vehicle offences"), ("46", "Shoplifting"),
         ("49", "All other theft offences"), ("56A", "Arson"), ("58A", "Criminal damage"),
         ("92A", "Trafficking of drugs"), ("92D", "Possession of drugs"),
         ("10A", "Possession of weapons offences"), ("66", "Public order offences")],
    )
    def test_known_codes(self, code, subgroup):
        table = load_offence_classification().set_index("offence_code")
        assert table.loc[code, "offence_subgroup"] == subgroup


class TestPoliceUk:
    def test_fourteen_types_asb_not_crime(self):
        types = load_police_uk_crime_types()
        assert len(types) == 14 and types["crime_type"].is_unique
        assert types.loc[~types["is_crime"], "crime_type"].tolist() == ["Anti-social behaviour"]

    def test_groups_exist_in_classification(self):
        groups = set(load_offence_classification()["offence_group"])
        subgroups = set(load_offence_classification()["offence_subgroup"])
        for _, row in load_police_uk_crime_types().iterrows():
            if not row["is_crime"]:
                continue
            assert set(row["offence_groups"].split(";")) <= groups
            if isinstance(row["offence_subgroups"], str):
                assert set(row["offence_subgroups"].split(";")) <= subgroups
