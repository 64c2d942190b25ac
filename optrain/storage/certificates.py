"""Issued certificates: one per trainee, found by username or by its verification id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlite_utils import Database

from optrain.storage.db import fetch_all, from_iso, utc_iso, write_transaction


@dataclass(frozen=True)
class CertificateRow:
    verification_id: str
    username: str
    display_name: str
    issued_at: datetime
    scores: dict[str, float]
    content_hash: str


_SELECT = "SELECT verification_id, username, display_name, issued_at, scores, content_hash FROM certificates "


def _row(r: dict[str, Any]) -> CertificateRow:
    return CertificateRow(
        **{**r, "issued_at": cast(datetime, from_iso(r["issued_at"])), "scores": json.loads(r["scores"])}
    )


def certificate_of(db: Database, username: str) -> CertificateRow | None:
    found = fetch_all(db, _SELECT + "WHERE username = :u", {"u": username}, _row)
    return found[0] if found else None


def certificate_by_id(db: Database, verification_id: str) -> CertificateRow | None:
    found = fetch_all(db, _SELECT + "WHERE verification_id = :v", {"v": verification_id}, _row)
    return found[0] if found else None


def list_certificates(db: Database) -> tuple[CertificateRow, ...]:
    return fetch_all(db, _SELECT + "ORDER BY issued_at DESC", {}, _row)


def put_certificate(db: Database, row: CertificateRow) -> CertificateRow:
    """Insert once per user; a second call returns the certificate already issued."""
    with write_transaction(db):
        db.execute(
            """
            INSERT OR IGNORE INTO certificates (verification_id, username, display_name, issued_at, scores, content_hash)
            VALUES (:v, :u, :n, :at, :scores, :hash)
            """,
            {
                "v": row.verification_id,
                "u": row.username,
                "n": row.display_name,
                "at": utc_iso(row.issued_at),
                "scores": json.dumps(row.scores, sort_keys=True),
                "hash": row.content_hash,
            },
        )
        return cast(CertificateRow, certificate_of(db, row.username))
