"""The training database: the only package that contains SQL.

Open it with `open_db()`; every function takes the `Database` first, returns
frozen dataclasses, and raises `StorageError` with a readable message when
the database is busy, read-only or the disk is full.
"""

from optrain.storage.attempts import (
    Attempt,
    AttemptStatus,
    abandon_attempt,
    find_in_progress,
    finish_attempt,
    get_attempt,
    list_attempts,
    start_attempt,
)
from optrain.storage.backup import backup
from optrain.storage.db import configure, open_db, write_transaction
from optrain.storage.decisions import (
    DecisionLogEntry,
    DecisionLogRecord,
    DecisionRow,
    list_decision_log,
    list_decisions,
    purge_decision_log,
    record_decision,
)
from optrain.storage.errors import storage_errors
from optrain.storage.logins import (
    LoginOutcome,
    last_event_at,
    log_login,
    recent_failures,
)
from optrain.storage.migrations import MIGRATIONS, schema_version
from optrain.storage.notes import NoteTag, TrainerNote, add_note, list_notes
from optrain.storage.qa import (
    AnswerStatus,
    QaAnswer,
    list_answers,
    save_answer,
    set_answer_status,
)

__all__ = [
    "MIGRATIONS",
    "AnswerStatus",
    "Attempt",
    "AttemptStatus",
    "DecisionLogEntry",
    "DecisionLogRecord",
    "DecisionRow",
    "LoginOutcome",
    "NoteTag",
    "QaAnswer",
    "TrainerNote",
    "abandon_attempt",
    "add_note",
    "backup",
    "configure",
    "find_in_progress",
    "finish_attempt",
    "get_attempt",
    "last_event_at",
    "list_answers",
    "list_attempts",
    "list_decision_log",
    "list_decisions",
    "list_notes",
    "log_login",
    "open_db",
    "purge_decision_log",
    "recent_failures",
    "record_decision",
    "save_answer",
    "schema_version",
    "set_answer_status",
    "start_attempt",
    "storage_errors",
    "write_transaction",
]
