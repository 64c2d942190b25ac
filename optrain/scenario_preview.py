"""What a trainee meets at the start of a scenario's shift, for the studio's preview.

Built from the same functions as the shift (`generate_queue`, `pending_item_ids`,
`build_dashboard` with the revealed items, `score_attempt`), so the preview cannot
show a tile state or a queue that trainees do not get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optrain.dashboard import TileView, build_dashboard
from optrain.queue import Queue, generate_queue
from optrain.scenarios.model import Scenario
from optrain.scoring import AttemptResult, Decision, pending_item_ids, score_attempt


@dataclass(frozen=True)
class ShiftPreview:
    queue: Queue
    pending: tuple[str, ...]
    dashboard: tuple[TileView, ...]


def preview_shift(scenario: Scenario, decisions: Sequence[Decision] = ()) -> ShiftPreview:
    """The queue, the items waiting and the six tiles after `decisions` (none: the shift's start)."""
    queue = generate_queue(scenario)
    pending = tuple(pending_item_ids(queue, decisions))
    revealed = set(pending) | {d.item_id for d in decisions}
    return ShiftPreview(queue, pending, build_dashboard(scenario, queue, revealed=revealed))


def preview_score(scenario: Scenario, decisions: Sequence[Decision]) -> AttemptResult:
    return score_attempt(scenario, list(decisions), generate_queue(scenario))
