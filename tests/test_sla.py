from datetime import UTC, datetime, timedelta

import pytest

from optrain.sla import SLA_POLICIES, SlaMessage, SlaPolicy, policy_for, sla_status

# Short thresholds keep the table readable: first response 100 s, next response 50 s, resolution 1000 s.
POLICY = SlaPolicy(
    "test", first_response_time_threshold=100, next_response_time_threshold=50, resolution_time_threshold=1000
)


def thread(*events: tuple[int, str]) -> tuple[SlaMessage, ...]:
    return tuple(SlaMessage(at, kind == "in") for at, kind in events)


CASES = [
    # id, messages, status, now, (status, missed, breached_at, waiting_seconds, seconds_to_breach)
    ("unanswered-within-frt", thread((0, "in")), "open", 50, ("active", (), None, 50, 50)),
    ("unanswered-frt-reached", thread((0, "in")), "open", 100, ("active_with_misses", ("frt",), 100, 100, 0)),
    ("unanswered-frt-passed", thread((0, "in")), "open", 160, ("active_with_misses", ("frt",), 100, 160, -60)),
    ("answered-in-time", thread((0, "in"), (40, "out")), "open", 60, ("active", (), None, 0, 940)),
    ("answered-at-deadline", thread((0, "in"), (100, "out")), "open", 120, ("active", (), None, 0, 880)),
    ("answered-late", thread((0, "in"), (130, "out")), "open", 140, ("active_with_misses", ("frt",), 100, 0, -40)),
    ("next-response-pending", thread((0, "in"), (10, "out"), (20, "in")), "open", 60, ("active", (), None, 40, 10)),
    (
        "next-response-missed",
        thread((0, "in"), (10, "out"), (20, "in")),
        "open",
        80,
        ("active_with_misses", ("nrt",), 70, 60, -10),
    ),
    (
        "nrt-clock-starts-at-first-unanswered",
        thread((0, "in"), (10, "out"), (20, "in"), (30, "in")),
        "open",
        75,
        ("active_with_misses", ("nrt",), 70, 55, -5),
    ),
    (
        "nrt-missed-earlier-then-answered",
        thread((0, "in"), (10, "out"), (20, "in"), (90, "out")),
        "open",
        95,
        ("active_with_misses", ("nrt",), 70, 0, -25),
    ),
    ("resolution-reached", thread((0, "in"), (10, "out")), "open", 1000, ("active_with_misses", ("rt",), 1000, 0, 0)),
    ("frt-and-rt-missed", thread((0, "in")), "open", 1100, ("active_with_misses", ("frt", "rt"), 100, 1100, -1000)),
    ("pending-keeps-clock", thread((0, "in")), "pending", 150, ("active_with_misses", ("frt",), 100, 150, -50)),
    ("snoozed-keeps-clock", thread((0, "in")), "snoozed", 40, ("active", (), None, 40, 60)),
    ("resolved-hit", thread((0, "in"), (10, "out")), "resolved", 5000, ("hit", (), None, 0, None)),
    ("resolved-before-frt-unanswered", thread((0, "in")), "resolved", 50, ("hit", (), None, 0, None)),
    (
        "resolved-late-first-reply",
        thread((0, "in"), (150, "out")),
        "resolved",
        5000,
        ("missed", ("frt",), 100, 0, -4900),
    ),
    ("resolved-never-answered", thread((0, "in")), "resolved", 500, ("missed", ("frt",), 100, 0, -400)),
    (
        "resolved-after-late-next-reply",
        thread((0, "in"), (10, "out"), (20, "in"), (90, "out")),
        "resolved",
        95,
        ("missed", ("nrt",), 70, 0, -25),
    ),
    ("no-messages-waits-since-created", (), "open", 30, ("active", (), None, 30, 70)),
    ("unsorted-input", thread((40, "out"), (0, "in")), "open", 60, ("active", (), None, 0, 940)),
]


@pytest.mark.parametrize(("messages", "status", "now", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sla_status_table(messages, status, now, expected):
    state = sla_status(POLICY, 0, messages, status, now)
    assert (state.status, state.missed, state.breached_at, state.waiting_seconds, state.seconds_to_breach) == expected
    assert state.breached == (expected[2] is not None)


def test_datetimes_and_unix_seconds_give_the_same_state():
    created = datetime(2026, 6, 5, 12, 0, tzinfo=UTC)
    now = created + timedelta(minutes=90)
    messages = thread((int(created.timestamp()), "in"))
    policy = policy_for("tier1")
    by_datetime = sla_status(policy, created, messages, "open", now)
    by_seconds = sla_status(policy, int(created.timestamp()), messages, "open", int(now.timestamp()))
    assert by_datetime == by_seconds
    assert by_datetime.status == "active_with_misses"
    assert by_datetime.waiting_seconds == 90 * 60


@pytest.mark.parametrize(
    ("tier", "first_response_seconds"),
    [("self_service", 60), ("tier1", 3600), ("tier2", 4 * 3600), ("tier3", 24 * 3600), ("executive", 2 * 3600)],
)
def test_first_response_targets_follow_the_runbook(tier, first_response_seconds):
    policy = policy_for(tier)
    assert policy.first_response_time_threshold == first_response_seconds
    assert policy.resolution_time_threshold > policy.first_response_time_threshold
    assert policy.as_dict()["first_response_time_threshold"] == first_response_seconds


def test_every_tier_of_the_model_has_a_policy():
    from typing import get_args

    from optrain.scenarios.model import Tier

    assert set(SLA_POLICIES) == set(get_args(Tier))


def test_unknown_tier_names_the_choices():
    with pytest.raises(ValueError, match="'tier9' is not a support tier; use one of: self_service, tier1"):
        policy_for("tier9")


def test_state_as_dict_carries_every_field():
    state = sla_status(POLICY, 0, thread((0, "in")), "open", 160)
    assert state.as_dict() == {
        "sla_status": "active_with_misses",
        "missed": ["frt"],
        "breached_at": 100,
        "waiting_since": 0,
        "waiting_seconds": 160,
        "seconds_to_breach": -60,
    }
