"""Scenario versions kept in the database: studio scenarios (drafts and published versions), and a
snapshot of every built-in version that an attempt was taken on, so old attempts are always shown
and scored against the version they were taken on. Also which scenarios are archived, and the
history of who saved, published, archived, restored or deleted what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction


@dataclass(frozen=True)
class StoredScenario:
    scenario_id: str
    version: int
    source: str
    model_json: str
    yaml_text: str | None
    content_hash: str
    saved_by: str | None
    saved_at: datetime
    published_at: datetime | None = None
    published_by: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.source == "custom" and self.published_at is None


@dataclass(frozen=True)
class ScenarioEvent:
    scenario_id: str
    version: int | None
    action: str
    actor: str | None
    at: datetime


_SELECT = """
    SELECT scenario_id, version, source, model_json, yaml_text, content_hash, saved_by, saved_at,
           published_at, published_by
    FROM scenario_versions
"""


def _row(r: dict[str, Any]) -> StoredScenario:
    return StoredScenario(
        **{**r, "saved_at": cast(datetime, from_iso(r["saved_at"])), "published_at": from_iso(r["published_at"])}
    )


def get_version(db: Database, scenario_id: str, version: int) -> StoredScenario | None:
    found = fetch_all(db, _SELECT + "WHERE scenario_id = :id AND version = :v", {"id": scenario_id, "v": version}, _row)
    return found[0] if found else None


def latest_published_custom(db: Database) -> tuple[StoredScenario, ...]:
    """The newest published version of every studio scenario (what trainees may see, archive aside)."""
    sql = (
        _SELECT
        + """
        WHERE source = 'custom' AND published_at IS NOT NULL AND version = (
            SELECT MAX(v.version) FROM scenario_versions v
            WHERE v.scenario_id = scenario_versions.scenario_id AND v.published_at IS NOT NULL)
        ORDER BY scenario_id
    """
    )
    return fetch_all(db, sql, {}, _row)


def latest_custom(db: Database) -> tuple[StoredScenario, ...]:
    """The newest version, draft or published, of every studio scenario."""
    sql = (
        _SELECT
        + """
        WHERE source = 'custom' AND version = (
            SELECT MAX(v.version) FROM scenario_versions v WHERE v.scenario_id = scenario_versions.scenario_id)
        ORDER BY scenario_id
    """
    )
    return fetch_all(db, sql, {}, _row)


def versions_of(db: Database, scenario_id: str) -> tuple[StoredScenario, ...]:
    """Newest first."""
    return fetch_all(db, _SELECT + "WHERE scenario_id = :id ORDER BY version DESC", {"id": scenario_id}, _row)


def archived_ids(db: Database) -> frozenset[str]:
    return frozenset(fetch_all(db, "SELECT scenario_id FROM scenario_archive", {}, lambda r: str(r["scenario_id"])))


def custom_fingerprint(db: Database) -> tuple[int, str]:
    """Changes whenever a studio scenario is saved, published, archived, restored or deleted:
    the cached catalog is keyed by it."""
    rows = fetch_all(
        db,
        "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS last FROM scenario_events",
        {},
        lambda r: (int(r["n"]), str(r["last"])),
    )
    return rows[0]


def attempts_on(db: Database, scenario_id: str, version: int | None = None) -> int:
    """Attempts on one version, or on any version when `version` is None."""
    sql = "SELECT COUNT(*) AS n FROM attempts WHERE scenario_id = :id" + (
        " AND scenario_version = :v" if version is not None else ""
    )
    return fetch_all(db, sql, {"id": scenario_id, "v": version}, lambda r: int(r["n"]))[0]


def events_of(db: Database, scenario_id: str) -> tuple[ScenarioEvent, ...]:
    """Newest first."""
    return fetch_all(
        db,
        "SELECT scenario_id, version, action, actor, at FROM scenario_events WHERE scenario_id = :id ORDER BY id DESC",
        {"id": scenario_id},
        lambda r: ScenarioEvent(
            r["scenario_id"], r["version"], r["action"], r["actor"], cast(datetime, from_iso(r["at"]))
        ),
    )


def _event(db: Database, scenario_id: str, version: int | None, action: str, actor: str | None, at: str) -> None:
    db.execute(
        "INSERT INTO scenario_events (scenario_id, version, action, actor, at) VALUES (?, ?, ?, ?, ?)",
        [scenario_id, version, action, actor, at],
    )


def put_version(
    db: Database,
    *,
    scenario_id: str,
    version: int,
    source: str,
    model_json: str,
    yaml_text: str | None,
    content_hash: str,
    saved_by: str | None,
    now: datetime,
    replace: bool = False,
) -> None:
    """Insert a version; `replace` overwrites it (only for a draft nobody has attempted).

    A studio version is recorded in the history as saved; a built-in snapshot is not an edit.
    """
    at = utc_iso(now)
    params = {
        "id": scenario_id,
        "v": version,
        "source": source,
        "model_json": model_json,
        "yaml_text": yaml_text,
        "hash": content_hash,
        "by": saved_by,
        "at": at,
    }
    with write_transaction(db):
        if replace:
            db.execute(
                """
                INSERT INTO scenario_versions (scenario_id, version, source, model_json, yaml_text, content_hash,
                                               saved_by, saved_at)
                VALUES (:id, :v, :source, :model_json, :yaml_text, :hash, :by, :at)
                ON CONFLICT (scenario_id, version) DO UPDATE SET model_json = excluded.model_json,
                    yaml_text = excluded.yaml_text, content_hash = excluded.content_hash,
                    saved_by = excluded.saved_by, saved_at = excluded.saved_at
                WHERE scenario_versions.published_at IS NULL
                """,
                params,
            )
        else:
            db.execute(
                """
                INSERT OR IGNORE INTO scenario_versions (scenario_id, version, source, model_json, yaml_text,
                                                         content_hash, saved_by, saved_at)
                VALUES (:id, :v, :source, :model_json, :yaml_text, :hash, :by, :at)
                """,
                params,
            )
        if source == "custom":
            _event(db, scenario_id, version, "saved", saved_by, at)


def mark_published(db: Database, scenario_id: str, version: int, *, by: str | None, now: datetime) -> bool:
    """Publish a draft version; False when it is not a draft (already published, or missing)."""
    at = utc_iso(now)
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE scenario_versions SET published_at = ?, published_by = ? "
            "WHERE scenario_id = ? AND version = ? AND source = 'custom' AND published_at IS NULL",
            [at, by, scenario_id, version],
        )
        if cursor.rowcount != 1:
            return False
        _event(db, scenario_id, version, "published", by, at)
    return True


def set_archived(db: Database, scenario_id: str, archived: bool, *, by: str | None, now: datetime) -> bool:
    """Archive or restore; False when it already was in that state."""
    at = utc_iso(now)
    with write_transaction(db):
        if archived:
            cursor = db.execute(
                "INSERT OR IGNORE INTO scenario_archive (scenario_id, archived_at, archived_by) VALUES (?, ?, ?)",
                [scenario_id, at, by],
            )
        else:
            cursor = db.execute("DELETE FROM scenario_archive WHERE scenario_id = ?", [scenario_id])
        if cursor.rowcount != 1:
            return False
        _event(db, scenario_id, None, "archived" if archived else "restored", by, at)
    return True


def delete_unpublished(db: Database, scenario_id: str, *, by: str | None, now: datetime) -> int:
    """Delete every version of a studio scenario that was never published and has no attempts.

    The conditions are checked again inside the write transaction; returns the versions deleted (0: refused).
    """
    at = utc_iso(now)
    with write_transaction(db):
        blocked = db.execute(
            """
            SELECT (SELECT COUNT(*) FROM scenario_versions WHERE scenario_id = :id
                        AND (source != 'custom' OR published_at IS NOT NULL))
                 + (SELECT COUNT(*) FROM attempts WHERE scenario_id = :id)
            """,
            {"id": scenario_id},
        ).fetchone()[0]
        if blocked:
            return 0
        cursor = db.execute("DELETE FROM scenario_versions WHERE scenario_id = ?", [scenario_id])
        deleted = int(cursor.rowcount)
        if deleted:
            db.execute("DELETE FROM scenario_archive WHERE scenario_id = ?", [scenario_id])
            _event(db, scenario_id, None, "deleted", by, at)
    return deleted
