"""The simulated shift clock and the SLA indicators read against it.

The clock moves with the work, not with the wall: each call advances it by an
equal share of the shift, so a reload, a restart or a slow trainee sees the
same clock for the same progress, and SLA timers keep running as the queue
is worked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from optrain.queue import Queue
from optrain.scenarios.model import Scenario


def shift_now(scenario: Scenario, decided: int, total: int) -> datetime:
    share = decided / total if total else 1.0
    return scenario.starts_at + timedelta(minutes=scenario.shift_minutes * min(1.0, share))


def shift_clock(scenario: Scenario, queue: Queue, decided: int) -> datetime:
    """The shift clock after `decided` calls: every call moves it by the same step.

    The step is the shift over every item the queue could ever hold (follow-ups included), so the clock
    never runs backwards when a follow-up joins the queue, and never past the end of the shift.
    """
    return shift_now(scenario, decided, len(queue.entries) + len(queue.follow_ups))


def shift_end(scenario: Scenario) -> datetime:
    return scenario.starts_at + timedelta(minutes=scenario.shift_minutes)


@dataclass(frozen=True)
class SlaView:
    breached: bool
    waiting_seconds: int
    seconds_to_breach: int

    @property
    def label(self) -> str:
        if self.breached:
            return f"SLA breached {duration(-self.seconds_to_breach)} ago"
        return f"{duration(self.seconds_to_breach)} to SLA breach"


def sla_at(payload: dict[str, Any], now: datetime) -> SlaView | None:
    """First-response SLA of a conversation payload at the simulated time."""
    policy = payload.get("sla_policy") or {}
    since = payload.get("waiting_since")
    threshold = policy.get("first_response_time_threshold")
    if since is None or threshold is None:
        return None
    waiting = int(now.timestamp()) - int(since)
    to_breach = int(threshold) - waiting
    return SlaView(breached=to_breach < 0, waiting_seconds=max(0, waiting), seconds_to_breach=to_breach)


def duration(seconds: float) -> str:
    seconds = int(abs(seconds))
    if seconds < 60:
        return f"{seconds} s"  # "42 s": a short wait read as "0m" looked like no wait at all
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours >= 24:
        return f"{hours // 24}d {hours % 24}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
