"""Service-level targets per support tier, judged the way Chatwoot judges them.

Operators learn to read the SLA badge of a conversation before they decide, so
the mock queue computes it with the same three clocks Chatwoot uses:

* first response (``frt``): the first outgoing message must come within the
  threshold after the conversation was created;
* next response (``nrt``): once someone has answered, every later customer
  message must be answered within the threshold. As in Chatwoot, the clock of
  an unanswered run starts at its first message (``waiting_since``), and a
  late answer that already went out still counts as a miss;
* resolution (``rt``): the conversation must be resolved within the threshold
  after it was created.

Thresholds per tier (seconds; first-response targets from the support runbook,
next-response and resolution targets chosen to fit them):

=============  ===============  ==============  ===============
tier           first response   next response   resolution
=============  ===============  ==============  ===============
self_service   60 (instant)     300 (5 min)     3,600 (1 h)
tier1          3,600 (1 h)      7,200 (2 h)     86,400 (24 h)
tier2          14,400 (4 h)     14,400 (4 h)    172,800 (48 h)
tier3          86,400 (24 h)    86,400 (24 h)   432,000 (5 days)
executive      7,200 (2 h)      3,600 (1 h)     86,400 (24 h)
=============  ===============  ==============  ===============

"Instant" for self-service means the help-centre bot answers; a minute of
grace keeps a bot that is a few seconds late from counting as a miss.
Executive escalations get the shortest next-response clock because a manager
must stay in touch once they have picked a case up.

The result has Chatwoot's four statuses: ``active`` (open, nothing missed
yet), ``hit`` (resolved, nothing missed), ``missed`` (resolved after a miss)
and ``active_with_misses`` (still open, something missed). Pending, snoozed
and open conversations all keep their clocks running; only ``resolved`` stops
them. A deadline counts as missed from the second it is reached, as in
Chatwoot, so ``seconds_to_breach`` is zero or negative once breached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

SlaStatus = Literal["active", "hit", "missed", "active_with_misses"]
MissKind = Literal["frt", "nrt", "rt"]
MISS_LABELS: dict[str, str] = {
    "frt": "first response",
    "nrt": "next response",
    "rt": "resolution",
}


@dataclass(frozen=True)
class SlaPolicy:
    """One tier's targets in seconds, named like Chatwoot's SLA policy fields."""

    name: str
    first_response_time_threshold: int
    next_response_time_threshold: int
    resolution_time_threshold: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "first_response_time_threshold": self.first_response_time_threshold,
            "next_response_time_threshold": self.next_response_time_threshold,
            "resolution_time_threshold": self.resolution_time_threshold,
        }


HOUR = 3600
SLA_POLICIES: dict[str, SlaPolicy] = {
    "self_service": SlaPolicy("Self-service", 60, 300, HOUR),
    "tier1": SlaPolicy("Tier 1", HOUR, 2 * HOUR, 24 * HOUR),
    "tier2": SlaPolicy("Tier 2", 4 * HOUR, 4 * HOUR, 48 * HOUR),
    "tier3": SlaPolicy("Tier 3", 24 * HOUR, 24 * HOUR, 120 * HOUR),
    "executive": SlaPolicy("Executive", 2 * HOUR, HOUR, 24 * HOUR),
}


def policy_for(tier: str) -> SlaPolicy:
    try:
        return SLA_POLICIES[tier]
    except KeyError:
        raise ValueError(f"'{tier}' is not a support tier; use one of: {', '.join(SLA_POLICIES)}") from None


@dataclass(frozen=True)
class SlaMessage:
    """The two facts about a message the SLA clocks need."""

    created_at: int
    incoming: bool


@dataclass(frozen=True)
class SlaState:
    status: SlaStatus
    missed: tuple[MissKind, ...]
    breached_at: int | None
    waiting_since: int | None
    waiting_seconds: int
    seconds_to_breach: int | None

    @property
    def breached(self) -> bool:
        return self.breached_at is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sla_status": self.status,
            "missed": list(self.missed),
            "breached_at": self.breached_at,
            "waiting_since": self.waiting_since,
            "waiting_seconds": self.waiting_seconds,
            "seconds_to_breach": self.seconds_to_breach,
        }


def unix(moment: int | datetime) -> int:
    return int(moment.timestamp()) if isinstance(moment, datetime) else int(moment)


def sla_status(
    policy: SlaPolicy,
    created_at: int | datetime,
    messages: Sequence[SlaMessage],
    status: str,
    now: int | datetime,
) -> SlaState:
    """Where a conversation stands against its tier's targets at `now`."""
    start, at = unix(created_at), unix(now)
    resolved = status == "resolved"
    thread = sorted(messages, key=lambda m: m.created_at)  # stable: equal times keep their order
    misses: list[tuple[int, MissKind]] = []
    pending: list[int] = []

    def judge(kind: MissKind, deadline: int, answered_at: int | None) -> None:
        if answered_at is not None:
            if answered_at > deadline:
                misses.append((deadline, kind))
        elif at >= deadline:
            misses.append((deadline, kind))
        elif not resolved:
            pending.append(deadline)

    first_out = next((m.created_at for m in thread if not m.incoming), None)
    judge("frt", start + policy.first_response_time_threshold, first_out)

    waiting_since: int | None = None
    answered = False
    for message in thread:
        if message.incoming:
            if waiting_since is None:
                waiting_since = message.created_at
            continue
        if waiting_since is not None and answered:
            judge("nrt", waiting_since + policy.next_response_time_threshold, message.created_at)
        waiting_since, answered = None, True
    if not thread:
        waiting_since = start
    if resolved:
        waiting_since = None
    elif waiting_since is not None and answered:
        judge("nrt", waiting_since + policy.next_response_time_threshold, None)

    if not resolved:
        judge("rt", start + policy.resolution_time_threshold, None)

    misses.sort()
    breached_at = misses[0][0] if misses else None
    if breached_at is not None:
        to_breach: int | None = breached_at - at
    else:
        to_breach = min(pending) - at if pending else None
    if resolved:
        state: SlaStatus = "missed" if misses else "hit"
    else:
        state = "active_with_misses" if misses else "active"
    return SlaState(
        status=state,
        missed=tuple(dict.fromkeys(kind for _, kind in misses)),
        breached_at=breached_at,
        waiting_since=waiting_since,
        waiting_seconds=max(0, at - waiting_since) if waiting_since is not None else 0,
        seconds_to_breach=to_breach,
    )
