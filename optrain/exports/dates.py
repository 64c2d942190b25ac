"""Date filters as people type them: a day (`2026-06-30`) or an exact ISO-8601 time.

A day given as the end of a range includes that whole day, so
`--since 2026-06-01 --until 2026-06-30` covers all of June; times without a
zone are taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def _parse(text: str) -> tuple[datetime, bool]:
    """The moment, and whether only a day was given."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC), True
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date; write a day such as 2026-06-30 or a time such as 2026-06-30T14:00:00Z"
        ) from None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment), False


def range_start(text: str) -> datetime:
    """The inclusive start of a range: the start of the day for a bare day."""
    return _parse(text)[0]


def range_end(text: str) -> datetime:
    """The exclusive end of a range: the start of the next day for a bare day, so the day is included."""
    moment, whole_day = _parse(text)
    return moment + timedelta(days=1) if whole_day else moment
