"""A finding as data: the sentence a page shows and the facts it states, made together.

A section builds each :class:`Finding` where its numbers are (a change row, a peer comparison,
a survey test), so the executive summary and the key-findings page read its ``direction`` and
``significance`` fields instead of parsing the sentence: rewording a sentence can never change
what the summary says about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

INCREASE = "increase"
DECREASE = "decrease"
NO_CHANGE = "no change"
ABOVE_COMPARATORS = "above comparators"
BELOW_COMPARATORS = "below comparators"
SIMILAR_TO_COMPARATORS = "similar to comparators"
NO_DIRECTION = "–"
DIRECTIONS = (INCREASE, DECREASE, NO_CHANGE, ABOVE_COMPARATORS, BELOW_COMPARATORS,
              SIMILAR_TO_COMPARATORS, NO_DIRECTION)

SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not significant"
NOT_ASSESSED = "not assessed"
NOT_TESTED = "no test stated"
SIGNIFICANCES = (SIGNIFICANT, NOT_SIGNIFICANT, NOT_ASSESSED, NOT_TESTED)

CONCENTRATION = "concentration"
SPECIAL_CAUSE = "special cause"
NO_SIGNAL = ""
SIGNALS = (CONCENTRATION, SPECIAL_CAUSE, NO_SIGNAL)
"""What a finding shows besides a change or a peer comparison (its direction says those):
records concentrated in few places, or a special-cause signal (a point or a jump a process in
control would not give). The key-findings page ranks findings by it (docs/methods.md)."""


@dataclass(frozen=True)
class Finding:
    """One finding of a section.

    ``statement`` is the sentence as the page shows it; ``direction`` one of
    :data:`DIRECTIONS` ('–' when the finding states none, e.g. a change that could not be
    given); ``significance`` one of :data:`SIGNIFICANCES` ('not assessed' when a period is
    incomplete or the comparison could not be made, 'no test stated' when no test applies);
    ``figures`` the keys of the section's key figures the finding rests on; ``theme`` the
    subject within the section (e.g. 'Violence with injury'), empty when it is the section's.

    ``table`` is the table behind the finding: a table name of the section that records it
    (``crime_type_change``) or a whole table file stem (``10_crime_overview__crime_rates``);
    empty, :meth:`analysis.present.page.Section.findings` takes the table the page showed last.
    ``measure`` names what is measured the same way in every section (``police.uk change:
    Robbery``), so the key-findings page shows a finding two sections repeat once; ``signal``
    is one of :data:`SIGNALS` and ``effect`` the size of the effect in per cent (a change, a
    difference from the peer average, a share), None when it has none: both rank findings.
    """

    statement: str
    direction: str = NO_DIRECTION
    significance: str = NOT_TESTED
    figures: tuple[str, ...] = ()
    theme: str = ""
    table: str = ""
    measure: str = ""
    signal: str = NO_SIGNAL
    effect: float | None = None

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {self.direction!r}")
        if self.significance not in SIGNIFICANCES:
            raise ValueError(f"significance must be one of {SIGNIFICANCES}, "
                             f"not {self.significance!r}")
        if self.signal not in SIGNALS:
            raise ValueError(f"signal must be one of {SIGNALS}, not {self.signal!r}")

    def as_record(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict (as ``key_figures/<section>.json`` keeps it)."""
        record = asdict(self)
        record["figures"] = list(self.figures)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Finding:
        """The finding a section recorded with :meth:`as_record`."""
        effect = record.get("effect")
        return cls(statement=str(record["statement"]),
                   direction=str(record.get("direction", NO_DIRECTION)),
                   significance=str(record.get("significance", NOT_TESTED)),
                   figures=tuple(record.get("figures", ())), theme=str(record.get("theme", "")),
                   table=str(record.get("table", "")), measure=str(record.get("measure", "")),
                   signal=str(record.get("signal", NO_SIGNAL)),
                   effect=None if effect is None else float(effect))
