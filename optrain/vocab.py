"""The project's closed sets of words, each defined once: roles, statuses, severities, tags.

Storage, pages and the CLI read these names instead of repeating the strings,
so a new status is one line here and every menu, filter and check follows.
"""

from __future__ import annotations

import typing
from typing import Literal

Role = Literal["trainee", "trainer", "support", "admin"]
ROLES: tuple[Role, ...] = typing.get_args(Role)

AttemptStatus = Literal["in_progress", "completed", "abandoned"]

AnswerStatus = Literal["new", "ticket_filed", "dismissed"]
"""Where a Q&A answer stands on its way to a ticket."""
ANSWER_STATUSES: tuple[AnswerStatus, ...] = typing.get_args(AnswerStatus)

Severity = Literal["low", "medium", "high", "critical"]
"""How much a trainee says a problem gets in their way (optional on an answer)."""
SEVERITIES: tuple[Severity, ...] = typing.get_args(Severity)

NoteTag = Literal["confusion", "hesitation", "wrong_action", "other"]
"""What a trainer observed on an attempt."""
NOTE_TAGS: tuple[NoteTag, ...] = typing.get_args(NoteTag)


def status_label(status: str) -> str:
    """'ticket_filed' -> 'ticket filed', as the pages and messages show it."""
    return status.replace("_", " ")
