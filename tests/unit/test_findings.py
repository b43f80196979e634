"""The Finding record: fields checked on creation, kept and read back unchanged."""

from __future__ import annotations

import pytest

from analysis.core.findings import Finding


def test_a_finding_round_trips_through_its_record() -> None:
    finding = Finding("ASB fell by 12 %.", "decrease", "significant", ("asb_current",), "ASB")
    assert Finding.from_record(finding.as_record()) == finding
    assert finding.as_record()["figures"] == ["asb_current"]


def test_a_finding_with_an_unknown_direction_or_significance_is_refused() -> None:
    with pytest.raises(ValueError, match="direction"):
        Finding("x", direction="up")
    with pytest.raises(ValueError, match="significance"):
        Finding("x", significance="maybe")
