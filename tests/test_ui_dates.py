"""Date-range pickers become a UTC half-open interval; the end day counts in full."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from optrain.ui.dates import utc_span

D1, D2 = date(2026, 6, 1), date(2026, 6, 3)
UTC = UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((), (None, None)),
        (None, (None, None)),
        ((D1,), (datetime(2026, 6, 1, tzinfo=UTC), None)),
        (D1, (datetime(2026, 6, 1, tzinfo=UTC), None)),
        ((D1, D2), (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 4, tzinfo=UTC))),
    ],
)
def test_utc_span(value: object, expected: tuple[datetime | None, datetime | None]) -> None:
    assert utc_span(value) == expected
