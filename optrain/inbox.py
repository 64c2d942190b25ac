"""The work queue as the trainee sees it: one row per item, with the filters and sorting of an inbox.

Operators sort Chatwoot's inbox by status, priority and time to SLA breach; the
replica's queue offers the same, and each row states what the dashboard states
(a tile item shows its tile's status, so an "empty" tile is not drawn as an
error). Pure: the page draws the rows it is given.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from optrain.dashboard import TileView, tile_of
from optrain.shift import SlaView, sla_at
from optrain.training import AttemptState, root_entry

Show = Literal["all", "waiting", "decided", "flagged"]
Order = Literal["queue", "priority", "sla"]
SHOW_LABELS: dict[str, str] = {"all": "All", "waiting": "Waiting", "decided": "Decided", "flagged": "Flagged"}
ORDER_LABELS: dict[str, str] = {"queue": "Queue order", "priority": "Priority", "sla": "Time to SLA breach"}
PRIORITY_RANK: dict[str, int] = {"urgent": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True)
class InboxRow:
    item_id: str
    kind: str
    name: str
    detail: str
    decided: bool
    verdict: str | None
    follow_up: bool
    priority: str | None = None
    sla: SlaView | None = None
    labels: tuple[str, ...] = ()
    band: str | None = None
    tile_status: str | None = None

    @property
    def status(self) -> str:
        return "decided" if self.decided else "waiting"


def ordered_ids(state: AttemptState) -> list[str]:
    """Queue order, with each root followed by the items reached on its path."""
    reached = set(state.pending) | state.decided_ids
    out: list[str] = []
    for entry in state.queue.entries:
        out.append(entry.item.id)
        node = entry.item
        while True:
            nxt = [t for t in node.follow_ups.values() if t in reached]
            if not nxt:
                break
            node = state.queue.item(nxt[0])
            out.append(node.id)
    return out


def inbox_rows(state: AttemptState, now: datetime, tiles: Sequence[TileView]) -> tuple[InboxRow, ...]:
    """Every item reached so far, in queue order, as its queue row reads at the shift clock `now`."""
    verdicts = {d.item_id: d.verdict for d in state.decisions}
    rows: list[InboxRow] = []
    for item_id in ordered_ids(state):
        entry = root_entry(state.queue, item_id)
        p = entry.payload
        decided = item_id in verdicts
        base = InboxRow(
            item_id, entry.item.kind, "", "", decided, verdicts.get(item_id), item_id in state.queue.follow_ups
        )
        if entry.item.kind == "conversation":
            rows.append(
                replace(
                    base,
                    name=str((p.get("meta") or {}).get("sender", {}).get("name", "Customer")),
                    detail=str(p.get("status")),
                    priority=p.get("priority"),
                    sla=None if decided else sla_at(p, now),
                    labels=tuple(str(t) for t in p.get("labels", [])[:3]),
                )
            )
        elif entry.item.kind == "inventory":
            rows.append(
                replace(
                    base,
                    name=str(p.get("sku")),
                    detail=f"{p.get('units')} units · {p.get('days_of_cover')} days of cover",
                    band=str(p.get("band")),
                )
            )
        else:
            tile = tile_of(tiles, entry.item.id)
            rows.append(
                replace(
                    base,
                    name=f"{p.get('title')} tile",
                    detail=str(p.get("state")),
                    tile_status=tile.status if tile else None,
                )
            )
    return tuple(rows)


def arrange(
    rows: Iterable[InboxRow], *, show: Show = "all", order: Order = "queue", flagged: Collection[str] = ()
) -> list[InboxRow]:
    """Rows filtered by status and sorted; ties keep queue order (a stable sort)."""
    kept = [r for r in rows if show == "all" or (show == "flagged" and r.item_id in flagged) or r.status == show]
    if order == "priority":
        kept.sort(key=lambda r: PRIORITY_RANK.get(r.priority or "", len(PRIORITY_RANK)))
    elif order == "sla":
        kept.sort(key=lambda r: (r.sla is None, r.sla.seconds_to_breach if r.sla else 0))
    return kept
