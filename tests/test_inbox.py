"""The work queue's filters and sorting, as in an inbox: by status, priority and time to SLA breach."""

import pytest

from optrain.inbox import InboxRow, arrange
from optrain.shift import SlaView


def conv(item_id: str, priority: str | None, to_breach: int | None, decided: bool = False) -> InboxRow:
    sla = None if to_breach is None else SlaView(to_breach < 0, 0, to_breach)
    return InboxRow(item_id, "conversation", item_id, "open", decided, None, False, priority=priority, sla=sla)


ROWS = (
    conv("a", "low", 600),
    conv("b", "urgent", None),
    conv("c", "high", -300, decided=True),
    conv("d", None, 60),
    conv("e", "high", 30),
)


@pytest.mark.parametrize(
    ("show", "order", "expected"),
    [
        ("all", "queue", "abcde"),
        ("waiting", "queue", "abde"),
        ("decided", "queue", "c"),
        ("all", "priority", "bcead"),  # urgent, high (queue order kept), low, none last
        ("all", "sla", "cedab"),  # breached first, then soonest; no SLA last
    ],
)
def test_filter_and_sort(show, order, expected):
    assert "".join(r.item_id for r in arrange(ROWS, show=show, order=order)) == expected


def test_flagged_filter_keeps_only_flagged_rows():
    assert [r.item_id for r in arrange(ROWS, show="flagged", flagged={"d", "a"})] == ["a", "d"]
