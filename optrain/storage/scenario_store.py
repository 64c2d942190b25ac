"""Scenario versions kept in the database: custom scenarios from the studio, and a snapshot of
every built-in version that an attempt was taken on, so old attempts are always shown and
scored against the version they were taken on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

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


_SELECT = """
    SELECT scenario_id, version, source, model_json, yaml_text, content_hash, saved_by, saved_at
    FROM scenario_versions
"""


def _row(r: dict[str, object]) -> StoredScenario:
    return StoredScenario(**{**r, "saved_at": cast(datetime, from_iso(cast(str, r["saved_at"])))})  # type: ignore[arg-type]


def get_version(db: Database, scenario_id: str, version: int) -> StoredScenario | None:
    found = fetch_all(db, _SELECT + "WHERE scenario_id = :id AND version = :v", {"id": scenario_id, "v": version}, _row)
    return found[0] if found else None


def latest_custom(db: Database) -> tuple[StoredScenario, ...]:
    """The newest version of every custom scenario."""
    sql = _SELECT + """
        WHERE source = 'custom' AND version = (
            SELECT MAX(v.version) FROM scenario_versions v WHERE v.scenario_id = scenario_versions.scenario_id)
        ORDER BY scenario_id
    """
    return fetch_all(db, sql, {}, _row)


def versions_of(db: Database, scenario_id: str) -> tuple[StoredScenario, ...]:
    return fetch_all(db, _SELECT + "WHERE scenario_id = :id ORDER BY version DESC", {"id": scenario_id}, _row)


def custom_fingerprint(db: Database) -> tuple[int, str]:
    """Changes whenever a custom scenario is saved: the cached catalog is keyed by it."""
    rows = fetch_all(db, "SELECT COUNT(*) AS n, COALESCE(MAX(saved_at), '') AS last FROM scenario_versions "
                         "WHERE source = 'custom'", {}, lambda r: (int(r["n"]), str(r["last"])))
    return rows[0]


def attempts_on(db: Database, scenario_id: str, version: int) -> int:
    rows = fetch_all(db, "SELECT COUNT(*) AS n FROM attempts WHERE scenario_id = :id AND scenario_version = :v",
                     {"id": scenario_id, "v": version}, lambda r: int(r["n"]))
    return rows[0]


def put_version(
    db: Database, *, scenario_id: str, version: int, source: str, model_json: str, yaml_text: str | None,
    content_hash: str, saved_by: str | None, now: datetime, replace: bool = False,
) -> None:
    """Insert a version; `replace` overwrites it (only for a custom version nobody has attempted)."""
    params = {"id": scenario_id, "v": version, "source": source, "model_json": model_json, "yaml_text": yaml_text,
              "hash": content_hash, "by": saved_by, "at": utc_iso(now)}
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
                """, params)
        else:
            db.execute(
                """
                INSERT OR IGNORE INTO scenario_versions (scenario_id, version, source, model_json, yaml_text,
                                                         content_hash, saved_by, saved_at)
                VALUES (:id, :v, :source, :model_json, :yaml_text, :hash, :by, :at)
                """, params)
