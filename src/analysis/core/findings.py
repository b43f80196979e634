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


@dataclass(frozen=True)
class Finding:
    """One finding of a section.

    ``statement`` is the sentence as the page shows it; ``direction`` one of
    :data:`DIRECTIONS` ('–' when the finding states none, e.g. a change that could not be
    given); ``significance`` one of :data:`SIGNIFICANCES` ('not assessed' when a period is
    incomplete or the comparison could not be made, 'no test stated' when no test applies);
    ``figures`` the keys of the section's key figures the finding rests on; ``theme`` the
    subject within the section (e.g. 'Violence with injury'), empty when it is the section's.
    """

    statement: str
    direction: str = NO_DIRECTION
    significance: str = NOT_TESTED
    figures: tuple[str, ...] = ()
    theme: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {self.direction!r}")
        if self.significance not in SIGNIFICANCES:
            raise ValueError(f"significance must be one of {SIGNIFICANCES}, "
                             f"not {self.significance!r}")

    def as_record(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict (as ``key_figures/<section>.json`` keeps it)."""
        record = asdict(self)
        record["figures"] = list(self.figures)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Finding:
        """The finding a section recorded with :meth:`as_record`."""
        return cls(statement=str(record["statement"]),
                   direction=str(record.get("direction", NO_DIRECTION)),
                   significance=str(record.get("significance", NOT_TESTED)),
                   figures=tuple(record.get("figures", ())), theme=str(record.get("theme", "")))
