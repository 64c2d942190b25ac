"""What Home and My results show a trainee about their own training: the agenda, shifts in progress, past attempts.

The pages only draw these; the counting lives here so it is tested once and
both pages agree (a scenario passed on Home is passed on My results).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlite_utils import Database

from optrain import storage, training
from optrain.errors import OptrainError
from optrain.scenario_versions import resolve
from optrain.scenarios.model import AGENDA, AGENDA_TITLES, Scenario

log = logging.getLogger(__name__)
EVERY_ROW = -1  # SQLite: a negative LIMIT has no upper bound


@dataclass(frozen=True)
class AgendaPart:
    part: str
    title: str
    passed: int
    total: int

    @property
    def complete(self) -> bool:
        return self.passed == self.total


@dataclass(frozen=True)
class ShiftInProgress:
    attempt: storage.Attempt
    title: str
    decided: int
    total: int


def agenda_progress(scenarios: Mapping[str, Scenario], passed: Collection[str]) -> tuple[AgendaPart, ...]:
    """Scenarios passed per agenda part, in agenda order; parts with no scenario are left out."""
    parts = []
    for part in AGENDA:
        ids = [s.id for s in scenarios.values() if s.module == part]
        if ids:
            parts.append(AgendaPart(part, AGENDA_TITLES[part], sum(1 for i in ids if i in passed), len(ids)))
    return tuple(parts)


def past_attempts(db: Database, username: str) -> tuple[storage.Attempt, ...]:
    """Every official attempt of this trainee, newest first (no cap: My results once stopped at 1,000)."""
    return tuple(a for a in storage.list_attempts(db, username=username, limit=EVERY_ROW) if a.official)


def shifts_in_progress(db: Database, username: str, scenarios: Mapping[str, Scenario]) -> tuple[ShiftInProgress, ...]:
    """Every official attempt still open, most recent first, with how far it got (its own scenario version)."""
    shifts = []
    for attempt in past_attempts(db, username):
        if not attempt.in_progress:
            continue
        current = scenarios.get(attempt.scenario_id)
        title = current.title if current is not None else attempt.scenario_id
        try:
            scenario = resolve(db, current, attempt.scenario_id, attempt.scenario_version)
            decided, total = training.load_state(db, scenario, attempt.id, username, attempt=attempt).progress
            title = scenario.title
        except OptrainError as exc:  # the version is gone: listed, so the trainee still sees it exists
            log.warning("attempt %s: progress not shown (%s)", attempt.id, exc)
            decided, total = len(storage.list_decisions(db, attempt.id)), 0
        shifts.append(ShiftInProgress(attempt, title, decided, total))
    return tuple(shifts)
