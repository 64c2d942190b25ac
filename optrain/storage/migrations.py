"""The schema, as an ordered registry of migrations: the only place the schema changes.

Add a migration by appending a new `@MIGRATIONS()` function (m002_..., m003_...)
below the last one; never edit one that has shipped, because databases in use
have already recorded it as applied. Each runs in its own transaction.

The DDL is written out by hand because sqlite-utils' `create()` cannot express
CHECK constraints or ON DELETE actions; it contains no values, only names.
Times are ISO-8601 UTC text, booleans are 0/1 integers.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from optrain.storage.errors import storage_errors

MIGRATIONS = Migrations("optrain")

_M001_STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        display_name TEXT,
        scenario_id TEXT NOT NULL,
        scenario_version INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'in_progress'
            CHECK (status IN ('in_progress', 'completed', 'abandoned')),
        score REAL,
        max_score REAL,
        percent REAL,
        passed INTEGER CHECK (passed IN (0, 1)),
        critical_failures INTEGER,
        official INTEGER NOT NULL DEFAULT 1 CHECK (official IN (0, 1))
    )
    """,
    "CREATE INDEX idx_attempts_user_scenario_status ON attempts (username, scenario_id, status)",
    "CREATE INDEX idx_attempts_scenario_version_started ON attempts (scenario_id, scenario_version, started_at)",
    "CREATE INDEX idx_attempts_started ON attempts (started_at)",
    """
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        call TEXT NOT NULL,
        template TEXT,
        body TEXT,
        note TEXT,
        decided_at TEXT NOT NULL,
        elapsed_seconds REAL,
        seq INTEGER NOT NULL,
        points REAL,
        max_points REAL,
        verdict TEXT,
        UNIQUE (attempt_id, item_id)
    )
    """,
    "CREATE INDEX idx_decisions_attempt_seq ON decisions (attempt_id, seq)",
    "CREATE INDEX idx_decisions_item ON decisions (item_id)",
    "CREATE INDEX idx_decisions_call ON decisions (call)",
    """
    CREATE TABLE decision_log (
        id INTEGER PRIMARY KEY,
        shop_domain TEXT NOT NULL,
        action_type TEXT NOT NULL,
        operator_email TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempt_id INTEGER REFERENCES attempts (id) ON DELETE SET NULL
    )
    """,
    "CREATE INDEX idx_decision_log_created ON decision_log (created_at)",
    "CREATE INDEX idx_decision_log_operator_created ON decision_log (operator_email, created_at)",
    "CREATE INDEX idx_decision_log_attempt ON decision_log (attempt_id)",
    # Q&A answers are feedback about the product, so they outlive the attempt
    # they were given in (ON DELETE SET NULL).
    """
    CREATE TABLE qa_answers (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER REFERENCES attempts (id) ON DELETE SET NULL,
        username TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        scenario_version INTEGER NOT NULL,
        question_id TEXT NOT NULL,
        part TEXT NOT NULL,
        kind TEXT NOT NULL,
        answer TEXT,
        skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
        severity TEXT,
        screenshot TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ticket_filed', 'dismissed')),
        UNIQUE (attempt_id, question_id)
    )
    """,
    "CREATE INDEX idx_qa_answers_part_created ON qa_answers (part, created_at)",
    "CREATE INDEX idx_qa_answers_scenario ON qa_answers (scenario_id)",
    "CREATE INDEX idx_qa_answers_status ON qa_answers (status)",
    "CREATE INDEX idx_qa_answers_username ON qa_answers (username)",
    """
    CREATE TABLE trainer_notes (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
        item_id TEXT,
        tag TEXT NOT NULL CHECK (tag IN ('confusion', 'hesitation', 'wrong_action', 'other')),
        note TEXT NOT NULL,
        trainer TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_trainer_notes_attempt ON trainer_notes (attempt_id)",
    """
    CREATE TABLE login_events (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        created_at TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'locked', 'cookie', 'logout'))
    )
    """,
    "CREATE INDEX idx_login_events_user_created ON login_events (username, created_at)",
)


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """Attempts with their decisions, the audit log, Q&A answers, trainer notes and logins."""
    for statement in _M001_STATEMENTS:
        db.execute(statement)


def schema_version(db: Database) -> list[str]:
    """Names of the applied migrations, oldest first (shown on the admin page and in bug reports)."""
    with storage_errors():
        return [migration.name for migration in MIGRATIONS.applied(db)]


_M002_STATEMENTS: tuple[str, ...] = (
    """
    CREATE VIRTUAL TABLE qa_answers_fts USING fts5(
        answer, content='qa_answers', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER qa_answers_fts_insert AFTER INSERT ON qa_answers BEGIN
        INSERT INTO qa_answers_fts (rowid, answer) VALUES (new.id, COALESCE(new.answer, ''));
    END
    """,
    """
    CREATE TRIGGER qa_answers_fts_delete AFTER DELETE ON qa_answers BEGIN
        INSERT INTO qa_answers_fts (qa_answers_fts, rowid, answer) VALUES ('delete', old.id, COALESCE(old.answer, ''));
    END
    """,
    """
    CREATE TRIGGER qa_answers_fts_update AFTER UPDATE OF answer ON qa_answers BEGIN
        INSERT INTO qa_answers_fts (qa_answers_fts, rowid, answer) VALUES ('delete', old.id, COALESCE(old.answer, ''));
        INSERT INTO qa_answers_fts (rowid, answer) VALUES (new.id, COALESCE(new.answer, ''));
    END
    """,
    "INSERT INTO qa_answers_fts (rowid, answer) SELECT id, COALESCE(answer, '') FROM qa_answers",
    "CREATE INDEX idx_qa_answers_question ON qa_answers (question_id)",
    "CREATE INDEX idx_qa_answers_created ON qa_answers (created_at)",
)


@MIGRATIONS()
def m002_qa_search(db: Database) -> None:
    """Full-text search over Q&A answers (FTS5, kept in step by triggers) and filter indexes."""
    for statement in _M002_STATEMENTS:
        db.execute(statement)


_M003_STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE scenario_versions (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('builtin', 'custom')),
        model_json TEXT NOT NULL,
        yaml_text TEXT,
        content_hash TEXT NOT NULL,
        saved_by TEXT,
        saved_at TEXT NOT NULL,
        UNIQUE (scenario_id, version)
    )
    """,
    """
    CREATE TABLE certificates (
        id INTEGER PRIMARY KEY,
        verification_id TEXT NOT NULL UNIQUE,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        scores TEXT NOT NULL,
        content_hash TEXT NOT NULL
    )
    """,
)


@MIGRATIONS()
def m003_scenario_versions_and_certificates(db: Database) -> None:
    """Every scenario version ever attempted or saved (so old attempts keep their version), and certificates."""
    for statement in _M003_STATEMENTS:
        db.execute(statement)


@MIGRATIONS()
def m004_drop_unused_decision_indexes(db: Database) -> None:
    """No query looks decisions up by item or call alone (analytics reach them through their attempt),
    and each index cost every recorded call an extra B-tree write."""
    db.execute("DROP INDEX IF EXISTS idx_decisions_item")
    db.execute("DROP INDEX IF EXISTS idx_decisions_call")


@MIGRATIONS()
def m005_drop_unqueried_decision_log_indexes(db: Database) -> None:
    """Every recorded call wrote these two, and no query reads through them.

    Nothing looks the audit log up by operator; the log is read by time
    (`idx_decision_log_created`: exports, retention purge), and by attempt only
    with a time scan. The attempt index served just SQLite's ON DELETE SET NULL
    when an attempt row is deleted, which the app never does: deleting one by
    hand now scans the log once (a fifth of a second at 600,000 records).
    """
    db.execute("DROP INDEX IF EXISTS idx_decision_log_operator_created")
    db.execute("DROP INDEX IF EXISTS idx_decision_log_attempt")


@MIGRATIONS()
def m006_review_rollups(db: Database) -> None:
    """A covering index for the item analysis' first completed attempt of each trainee.

    This migration also added trigger-maintained Review totals (`attempt_rollups`) and a score index; m007
    removed them, dropping them from every database that has them, so they are no longer created here.
    """
    db.execute(
        "CREATE INDEX idx_attempts_version_first ON attempts (scenario_id, scenario_version, official, status, "
        "username, started_at, id, score)"
    )


@MIGRATIONS()
def m007_review_from_attempts(db: Database) -> None:
    """The Review page computes its statistics from the attempts alone: the rollup table, its triggers and the
    score index go, and one covering index serves the page's per-trainee reads in "attempt number" order.

    Measured on the 600,000-decision benchmark database, the page reran in well under its 300 ms without the
    rollups (see bench/RESULTS.md), and every attempt written paid for the triggers.
    """
    for trigger in ("insert", "update", "rekey", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS attempt_rollups_{trigger}")
    db.execute("DROP TABLE IF EXISTS attempt_rollups")
    db.execute("DROP INDEX IF EXISTS idx_attempts_scores")
    db.execute(
        "CREATE INDEX idx_attempts_review ON attempts (official, username, scenario_id, started_at, id, status, "
        "percent, passed, finished_at, display_name)"
    )


_M008_STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE reply_reviews (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        reviewer_name TEXT,
        scale TEXT NOT NULL CHECK (scale IN ('four_point', 'pass_fail')),
        factuality INTEGER CHECK (factuality BETWEEN 0 AND 4),
        helpfulness INTEGER CHECK (helpfulness BETWEEN 0 AND 4),
        tone INTEGER CHECK (tone BETWEEN 0 AND 4),
        policy INTEGER CHECK (policy BETWEEN 0 AND 4),
        comment TEXT,
        reviewed_at TEXT NOT NULL,
        UNIQUE (attempt_id, item_id, reviewer)
    )
    """,
    """
    CREATE TABLE score_overrides (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        points REAL NOT NULL CHECK (points >= 0),
        original_points REAL,
        max_points REAL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        overridden_by TEXT NOT NULL,
        overridden_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_score_overrides_attempt ON score_overrides (attempt_id, item_id, id)",
)


@MIGRATIONS()
def m008_reply_reviews(db: Database) -> None:
    """Trainers' rubric reviews of sent replies, and item score overrides kept with who, when and why.

    Additive: attempts and decisions are untouched, so every attempt made
    before keeps its stored score until a trainer overrides an item of it.
    """
    for statement in _M008_STATEMENTS:
        db.execute(statement)


_M009_STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE scenario_versions ADD COLUMN published_at TEXT",
    "ALTER TABLE scenario_versions ADD COLUMN published_by TEXT",
    # Studio scenarios saved before drafts existed were live for trainees: they stay published.
    "UPDATE scenario_versions SET published_at = saved_at, published_by = saved_by WHERE source = 'custom'",
    """
    CREATE TABLE scenario_archive (
        scenario_id TEXT PRIMARY KEY,
        archived_at TEXT NOT NULL,
        archived_by TEXT
    )
    """,
    """
    CREATE TABLE scenario_events (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        version INTEGER,
        action TEXT NOT NULL CHECK (action IN ('saved', 'published', 'archived', 'restored', 'deleted')),
        actor TEXT,
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_scenario_events_scenario ON scenario_events (scenario_id, id)",
    """
    INSERT INTO scenario_events (scenario_id, version, action, actor, at)
    SELECT scenario_id, version, 'published', saved_by, saved_at FROM scenario_versions
    WHERE source = 'custom' ORDER BY saved_at, id
    """,
)


@MIGRATIONS()
def m009_scenario_lifecycle(db: Database) -> None:
    """Studio scenarios as drafts until published, archived scenarios, and who did what and when."""
    for statement in _M009_STATEMENTS:
        db.execute(statement)


@MIGRATIONS()
def m010_drafts_and_flags(db: Database) -> None:
    """Unsent work on a shift: reply text typed but not sent, and items flagged for review.

    A draft is not a decision: it is kept per item so a reload or a server
    restart does not lose it, and dropped once the call is recorded.
    """
    db.execute(
        """
        CREATE TABLE drafts (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            field TEXT NOT NULL,          -- the input: call, body, note, template
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (attempt_id, item_id, field)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE flags (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            flagged_at TEXT NOT NULL,
            PRIMARY KEY (attempt_id, item_id)
        ) WITHOUT ROWID
        """
    )


@MIGRATIONS()
def m011_decision_quantity(db: Database) -> None:
    """The quantity of a reorder or a quantity adjustment, as a number (it was typed into the note).

    Additive: earlier decisions have none, and score as they did.
    """
    db.execute("ALTER TABLE decisions ADD COLUMN quantity REAL")
