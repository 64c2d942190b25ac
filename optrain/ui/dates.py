"""The date-range pickers' value as a UTC half-open interval [since, until)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def utc_span(value: object) -> tuple[datetime | None, datetime | None]:
    """`st.date_input(value=())` gives (), (start,) or (start, end); the end day counts in full."""
    if isinstance(value, tuple) and len(value) == 2:
        return (
            datetime.combine(value[0], time.min, tzinfo=UTC),
            datetime.combine(value[1] + timedelta(days=1), time.min, tzinfo=UTC),
        )
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC), None
    return None, None
