"""Assessment periods: financial year, calendar year, rolling 12 months and custom month ranges.

A strategic assessment compares one period with the one before it and sets both in a
multi-year trend. Everything here works in whole calendar months: a period is a run of
consecutive months, stored as the first day of its first and last month. Whether the data
actually covers every month of a period is a separate question answered by
:meth:`Period.coverage`, so that a period with missing months is flagged, never silently
treated as a period with less crime.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.errors import ConfigError, InputError

KINDS = ("financial_year", "calendar_year", "rolling_12", "custom")

COMPARISON_RULES = ("year_earlier", "preceding")
"""How the comparison period is chosen (the area config's ``comparison``): ``year_earlier``
(the default) takes the same months a year earlier, so seasons match; ``preceding`` takes the
run of months just before the period. For a 12-month period the two are the same period."""

DEFAULT_COMPARISON = "year_earlier"

_FY_PATTERN = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2})$", re.IGNORECASE)
_CALENDAR_PATTERN = re.compile(r"^(\d{4})$")
_ROLLING_PATTERN = re.compile(r"^R12-(\d{4})-(\d{2})$", re.IGNORECASE)
_CUSTOM_PATTERN = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")
_PARSE_EXPECTED = (
    "a financial year '2024/25' (or '2024-25', 'FY2024/25'), a calendar year '2024', "
    "a rolling 12 months 'R12-2025-03' (ending March 2025) or a month range '2024-04..2024-09'"
)


def to_month(value: object) -> datetime.date:
    """Return the first day of the month that ``value`` falls in.

    Accepts ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64``
    and ISO text ('2024-04' or '2024-04-01'), so callers can pass whatever their table holds.
    """
    if value is None or value is pd.NaT:
        raise InputError("Missing month value", found=value, expected="a date")
    if isinstance(value, pd.Timestamp | np.datetime64 | str):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError) as exc:
            raise InputError(
                "Not a recognisable month", found=value, expected="a date such as 2024-04-01"
            ) from exc
        if pd.isna(stamp):
            raise InputError("Missing month value", found=value, expected="a date")
        return datetime.date(stamp.year, stamp.month, 1)
    if isinstance(value, datetime.date):  # datetime.datetime is a subclass of date
        return datetime.date(value.year, value.month, 1)
    raise InputError("Not a recognisable month", found=value, expected="a date such as 2024-04-01")


def add_months(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month ``n`` months after ``month`` (``n`` may be negative)."""
    index = month.year * 12 + (month.month - 1) + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Number of months from ``start`` to ``end`` inclusive (both first-of-month dates)."""
    return (end.year - start.year) * 12 + (end.month - start.month) + 1


def _month_label(month: datetime.date) -> str:
    return month.strftime("%b %Y")


def _label(start: datetime.date, end: datetime.date, kind: str) -> str:
    if kind == "financial_year":
        return f"{start.year}/{(start.year + 1) % 100:02d}"
    if kind == "calendar_year":
        return str(start.year)
    if kind == "rolling_12":
        return f"12 months to {_month_label(end)}"
    if start == end:
        return _month_label(start)
    return f"{_month_label(start)} to {_month_label(end)}"


@dataclass(frozen=True)
class Period:
    """A run of whole calendar months that an assessment reports on.

    Build one with :meth:`parse` or the constructors :meth:`financial_year`,
    :meth:`calendar_year`, :meth:`rolling_12` and :meth:`custom`, which also write the label.
    """

    start: datetime.date
    end: datetime.date
    kind: str
    label: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(
                "Unknown period kind", found=self.kind, expected=f"one of {', '.join(KINDS)}"
            )
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, datetime.date) or value.day != 1:
                raise ConfigError(
                    f"Period {name} must be the first day of a month",
                    found=value,
                    expected="a datetime.date with day 1",
                )
        if self.end < self.start:
            raise ConfigError(
                "Period ends before it starts",
                found=f"{self.start} to {self.end}",
                expected="start on or before end",
            )
        length = months_between(self.start, self.end)
        fixed_start = {"financial_year": 4, "calendar_year": 1}.get(self.kind)
        if self.kind != "custom" and length != 12:
            raise ConfigError(
                f"A {self.kind} period must be 12 months long", found=f"{length} months"
            )
        if fixed_start is not None and self.start.month != fixed_start:
            raise ConfigError(
                f"A {self.kind} period must start in month {fixed_start}", found=self.start
            )

    def __str__(self) -> str:
        return self.label

    # --- constructors -------------------------------------------------------------------
    @classmethod
    def financial_year(cls, start_year: int) -> Period:
        """April ``start_year`` to March ``start_year + 1`` (label '2024/25')."""
        start = datetime.date(start_year, 4, 1)
        end = datetime.date(start_year + 1, 3, 1)
        return cls(start, end, "financial_year", _label(start, end, "financial_year"))

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        """January to December of ``year`` (label '2024')."""
        start = datetime.date(year, 1, 1)
        end = datetime.date(year, 12, 1)
        return cls(start, end, "calendar_year", _label(start, end, "calendar_year"))

    @classmethod
    def rolling_12(cls, last_month: object) -> Period:
        """The 12 months ending with ``last_month`` (label '12 months to Mar 2025')."""
        end = to_month(last_month)
        start = add_months(end, -11)
        return cls(start, end, "rolling_12", _label(start, end, "rolling_12"))

    @classmethod
    def custom(cls, first_month: object, last_month: object) -> Period:
        """Any run of months, both ends inclusive (label 'Apr 2024 to Sep 2024')."""
        start, end = to_month(first_month), to_month(last_month)
        if end < start:
            raise ConfigError(
                "Period ends before it starts",
                found=f"{start} to {end}",
                expected="first month on or before last month",
            )
        return cls(start, end, "custom", _label(start, end, "custom"))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period from configuration text.

        '2024/25', '2024-25' and 'FY2024/25' are financial years; '2024' is a calendar year;
        'R12-2025-03' is the 12 months ending March 2025; '2024-04..2024-09' is a custom range.
        """
        cleaned = str(text).strip()
        if match := _FY_PATTERN.match(cleaned):
            first, second = int(match.group(1)), int(match.group(2))
            if (first + 1) % 100 != second:
                raise ConfigError(
                    "Financial year halves do not follow on",
                    found=text,
                    expected=f"'{first}/{(first + 1) % 100:02d}'",
                )
            return cls.financial_year(first)
        if match := _CALENDAR_PATTERN.match(cleaned):
            return cls.calendar_year(int(match.group(1)))
        if match := _ROLLING_PATTERN.match(cleaned):
            return cls.rolling_12(_checked_month(int(match.group(1)), int(match.group(2)), text))
        if match := _CUSTOM_PATTERN.match(cleaned):
            first_month = _checked_month(int(match.group(1)), int(match.group(2)), text)
            last_month = _checked_month(int(match.group(3)), int(match.group(4)), text)
            return cls.custom(first_month, last_month)
        raise ConfigError("Period not understood", found=text, expected=_PARSE_EXPECTED)

    # --- derived periods -----------------------------------------------------------------
    @property
    def months(self) -> list[datetime.date]:
        """Every month in the period as a first-of-month date, oldest first."""
        return [add_months(self.start, i) for i in range(len(self))]

    def __len__(self) -> int:
        return months_between(self.start, self.end)

    def contains(self, month: object) -> bool:
        """True if the month of ``month`` lies inside the period."""
        return self.start <= to_month(month) <= self.end

    def shifted(self, months: int) -> Period:
        """The same kind and length of period moved by ``months`` (negative = earlier)."""
        start, end = add_months(self.start, months), add_months(self.end, months)
        return Period(start, end, self.kind, _label(start, end, self.kind))

    def previous(self) -> Period:
        """The period of the same kind and length that ends the month before this one starts.

        For a 12-month period this is the year before; for a custom six months it is the six
        months immediately before (use :meth:`year_earlier` for the same months a year ago).
        The period a report compares with is :func:`comparison_period`, not this.
        """
        return self.shifted(-len(self))

    def year_earlier(self) -> Period:
        """The same months one year earlier (the seasonal comparison for custom ranges)."""
        return self.shifted(-12)

    def trend_window(self, years: int = 3) -> list[Period]:
        """This period and the same months in each of the ``years - 1`` years before, oldest first.

        Periods step back a year at a time so that each point of the trend covers the same
        season. A period longer than 12 months would overlap its own year-earlier copies, so
        its trend window is the period alone (its months are already a trend; nothing earlier
        is compared with it).
        """
        if years < 1:
            raise ConfigError("A trend window needs at least one year", found=years)
        if len(self) > 12:
            return [self]
        return [self.shifted(-12 * back) for back in range(years - 1, -1, -1)]

    def coverage(self, available_months: Iterable[object]) -> PeriodCoverage:
        """Which months of this period are absent from ``available_months``."""
        available = {to_month(month) for month in available_months}
        return PeriodCoverage(self, [m for m in self.months if m not in available])


def comparison_period(period: Period, rule: str = DEFAULT_COMPARISON) -> Period:
    """The period ``period`` is compared with, under ``rule`` (one of :data:`COMPARISON_RULES`).

    The one definition every page, table and key figure uses. ``year_earlier`` gives the same
    calendar months a whole number of years earlier: one year for periods of up to 12 months
    (Jan-Feb 2019 is compared with Jan-Feb 2018, not with Nov-Dec 2018, because crime and ASB
    are seasonal), as many whole years as needed for a longer range so the two never overlap.
    ``preceding`` gives the months just before (Nov-Dec 2018 for Jan-Feb 2019). Financial
    years, calendar years and rolling 12 months get the 12 months before under either rule.
    """
    if rule not in COMPARISON_RULES:
        raise ConfigError("Unknown comparison rule", found=rule,
                          expected=f"one of {', '.join(COMPARISON_RULES)}")
    if rule == "preceding":
        return period.shifted(-len(period))
    years = -(-len(period) // 12)  # whole years covering the period, so no month overlaps
    return period.shifted(-12 * years)


def comparison_rule_text(period: Period, rule: str = DEFAULT_COMPARISON) -> str:
    """The rule in words for page headers and the manifest, e.g. 'the same months a year
    earlier'."""
    if rule not in COMPARISON_RULES:
        raise ConfigError("Unknown comparison rule", found=rule,
                          expected=f"one of {', '.join(COMPARISON_RULES)}")
    if len(period) == 12:
        return "the 12 months before"
    if rule == "preceding":
        return f"the {len(period)} months just before"
    years = -(-len(period) // 12)
    return "the same months a year earlier" if years == 1 else (
        f"the same months {years} years earlier")


def _checked_month(year: int, month: int, text: str) -> datetime.date:
    if not 1 <= month <= 12:
        raise ConfigError("Month must be 01 to 12", found=text, expected=_PARSE_EXPECTED)
    return datetime.date(year, month, 1)


@dataclass(frozen=True)
class PeriodCoverage:
    """The months of ``period`` that the data does not cover (empty when complete)."""

    period: Period
    missing: list[datetime.date]

    @property
    def complete(self) -> bool:
        """True when every month of the period is available."""
        return not self.missing

    def describe(self) -> str:
        """A sentence for caveats, e.g. '2024/25 is incomplete: 2 of 12 months missing (…)'."""
        if self.complete:
            return f"{self.period.label} is complete ({len(self.period)} months)."
        names = ", ".join(_month_label(m) for m in self.missing)
        return (
            f"{self.period.label} is incomplete: {len(self.missing)} of {len(self.period)} "
            f"months missing ({names})."
        )


COMPLETE = "complete"
LIKE_FOR_LIKE = "like for like"
NOT_COMPARED = "not compared"


def _month_span(months: list[datetime.date]) -> str:
    """Months as a short list, a run joined with a dash: 'Jan–Mar 2019', 'Jan 2019, Mar 2019'."""
    if not months:
        return "none"
    runs: list[list[datetime.date]] = [[months[0]]]
    for month in months[1:]:
        if month == add_months(runs[-1][-1], 1):
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = []
    for run in runs:
        if len(run) == 1:
            parts.append(_month_label(run[0]))
        elif run[0].year == run[-1].year:
            parts.append(f"{run[0]:%b}–{_month_label(run[-1])}")
        else:
            parts.append(f"{_month_label(run[0])}–{_month_label(run[-1])}")
    return ", ".join(parts)


@dataclass(frozen=True)
class MonthsCompared:
    """Which months of the current and the comparison period can be compared, and how.

    Month ``i`` of the current period is paired with month ``i`` of the comparison period
    (the same calendar month under the default ``year_earlier`` rule). ``basis`` is
    :data:`COMPLETE` when both periods hold every month; :data:`LIKE_FOR_LIKE` when some pairs
    are held in both (only those pairs are compared); :data:`NOT_COMPARED` when no pair is,
    e.g. a period with no month of data. Built by :func:`compared_months`; the one rule every
    change table, finding and key figure follows.
    """

    current: Period
    previous: Period
    current_held: tuple[datetime.date, ...]
    previous_held: tuple[datetime.date, ...]
    pairs: tuple[tuple[datetime.date, datetime.date], ...]

    @property
    def basis(self) -> str:
        """:data:`COMPLETE`, :data:`LIKE_FOR_LIKE` or :data:`NOT_COMPARED`."""
        if len(self.pairs) == len(self.current) == len(self.current_held) \
                and len(self.previous_held) == len(self.previous):
            return COMPLETE
        return LIKE_FOR_LIKE if self.pairs else NOT_COMPARED

    @property
    def comparable(self) -> bool:
        """True when a change can be stated (complete, or like for like on shared months)."""
        return self.basis != NOT_COMPARED

    def counted_months(self, which: str) -> list[datetime.date]:
        """The months whose counts go into the ``which`` ('current' or 'previous') column:
        the paired months when the periods are compared, else every month that period holds
        (a period holding none has unknown counts, never 0)."""
        index = {"current": 0, "previous": 1}[which]
        if self.comparable:
            return [pair[index] for pair in self.pairs]
        return list(self.current_held if which == "current" else self.previous_held)

    def holds_none(self, which: str) -> bool:
        """True when the ``which`` period holds no month of data (its counts are unknown)."""
        return not (self.current_held if which == "current" else self.previous_held)

    def heading(self, which: str) -> str:
        """A column heading that says what the count covers, e.g. '2018/19 (Jan–Feb only)'."""
        period = self.current if which == "current" else self.previous
        months = self.counted_months(which)
        if self.basis == COMPLETE or (not self.comparable and len(months) == len(period)):
            return period.label
        if self.holds_none(which):
            return f"{period.label} (no data)"
        if self.comparable:
            return f"{period.label} ({_month_span(months)} only)"
        return f"{period.label} ({len(months)} of {len(period)} months)"

    def note(self) -> str:
        """What was compared, or what was not and why, for the page beside the figure."""
        if self.basis == COMPLETE:
            return (f"{self.current.label} is compared with {self.previous.label}: every "
                    "month of both periods is held.")
        if self.basis == LIKE_FOR_LIKE:
            shared = [pair[0] for pair in self.pairs]
            return (f"Like for like on the {len(self.pairs)} of {len(self.current)} months "
                    f"held in both periods: {_month_span(shared)} against "
                    f"{_month_span([pair[1] for pair in self.pairs])}. The other months are "
                    "missing from one period or both, so the change covers these months only.")
        empty = [p.label for p, held in ((self.current, self.current_held),
                                          (self.previous, self.previous_held)) if not held]
        if empty:
            return (f"Not compared: {' and '.join(empty)} holds no month of data, so no change "
                    "is given (counts shown are for the months held only).")
        return ("Not compared: no month is held in both periods, so no change is given "
                "(counts shown are for the months held only).")

    def summary(self) -> str:
        """A short clause for a finding: '' when complete, else 'like for like on the 2 of 12
        months held in both periods (Jan–Feb 2019 against Jan–Feb 2018)' or 'not compared:
        2017 holds no month of data'."""
        if self.basis == COMPLETE:
            return ""
        if self.basis == LIKE_FOR_LIKE:
            return (f"like for like on the {len(self.pairs)} of {len(self.current)} months "
                    f"held in both periods ({_month_span([p[0] for p in self.pairs])} against "
                    f"{_month_span([p[1] for p in self.pairs])})")
        empty = [p.label for p, held in ((self.current, self.current_held),
                                          (self.previous, self.previous_held)) if not held]
        if empty:
            return f"not compared: {' and '.join(empty)} holds no month of data"
        return "not compared: no month is held in both periods"

    def completeness(self) -> list[str]:
        """One sentence per period: months held of months in the period, missing months named."""
        lines = []
        for period, held in ((self.current, self.current_held),
                             (self.previous, self.previous_held)):
            missing = [m for m in period.months if m not in set(held)]
            text = f"{period.label}: {len(held)} of {len(period)} months held"
            lines.append(text + (f" (missing: {_month_span(missing)})." if missing else "."))
        return lines

    def as_record(self, rule: str) -> dict[str, object]:
        """The comparison as plain data for ``manifest.json``."""
        return {
            "rule": rule,
            "rule_text": comparison_rule_text(self.current, rule),
            "current": {"label": self.current.label, "months": len(self.current),
                        "months_held": [m.isoformat() for m in self.current_held]},
            "previous": {"label": self.previous.label, "months": len(self.previous),
                         "months_held": [m.isoformat() for m in self.previous_held]},
            "basis": self.basis,
            "months_compared": [m.isoformat() for m in self.counted_months("current")]
            if self.comparable else [],
        }


def compared_months(current: Period, previous: Period,
                    available_months: Iterable[object]) -> MonthsCompared:
    """Pair the months of ``current`` and ``previous`` and keep those held in both.

    ``available_months`` are the months the data holds (e.g. the force's police.uk months).
    Both periods must be the same length (as :func:`comparison_period` gives).
    """
    if len(current) != len(previous):
        raise ConfigError("The two periods compared must be the same length",
                          found=f"{current.label} ({len(current)} months) and "
                                f"{previous.label} ({len(previous)} months)")
    available = {to_month(month) for month in available_months}
    current_held = tuple(m for m in current.months if m in available)
    previous_held = tuple(m for m in previous.months if m in available)
    pairs = tuple((now, before) for now, before in zip(current.months, previous.months,
                                                       strict=True)
                  if now in available and before in available)
    return MonthsCompared(current, previous, current_held, previous_held, pairs)


def month_starts(stamps: pd.Series) -> pd.Series:
    """The first day of each value's month as ``datetime.date`` (NaT stays missing).

    The one conversion of a column of dates or timestamps to months; :func:`to_month` is the
    same for one value."""
    stamps = pd.to_datetime(stamps)
    return stamps.dt.to_period("M").dt.start_time.dt.date.where(stamps.notna())

