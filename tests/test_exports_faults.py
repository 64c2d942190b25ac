"""Exports under faults: a killed export, a full disk, and files private to their owner.

The export runs in a child process, so it can be killed mid-write
(SIGKILL from its own progress callback, at a known point) or given a file
size limit (RLIMIT_FSIZE: a write past it fails as a full disk does).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from exports_records import T0, bulk_decisions
from sqlite_utils import Database

from optrain import storage
from optrain.exports import EvidenceFilter, default_key_path, export_evidence_pack
from optrain.exports.files import published_file

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import os, resource, signal, sys
from datetime import datetime, timezone
from pathlib import Path
from optrain import storage
from optrain.errors import ExportError
from optrain.exports import EvidenceFilter, export_evidence_pack

db_path, exports, key, fault = sys.argv[1:5]

def progress(member, done, total):
    if fault == "kill" and member == "decision_log.ndjson":
        os.kill(os.getpid(), signal.SIGKILL)

db = storage.open_db(Path(db_path), read_only=True)  # before the limit: SQLite's shared-memory file is 32 KiB
if fault == "full":
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))
try:
    export_evidence_pack(db, EvidenceFilter(), exports_dir=Path(exports),
                         uploads_dir=Path(exports) / "none", signing_key=Path(key),
                         now=datetime(2026, 6, 5, tzinfo=timezone.utc), progress=progress, progress_every=1000)
except ExportError as exc:
    print(exc)
    sys.exit(3)
"""


@pytest.fixture(scope="module")
def history_path(make_db: Callable[[], Database]) -> Path:
    """A database file with 5,000 decisions, shared by the module's tests."""
    db = make_db()
    bulk_decisions(db, 5_000)
    path = Path(db.execute("PRAGMA database_list").fetchone()[2])
    db.close()
    return path


def export_in_child(history_path: Path, folder: Path, fault: str) -> subprocess.CompletedProcess[str]:
    key = default_key_path(folder.parent / "config")
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(history_path), str(folder), str(key), fault],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_killed_export_leaves_a_temporary_file_that_the_next_export_removes(
    history_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    killed = export_in_child(history_path, folder, "kill")
    assert killed.returncode == -9, killed.stderr
    (leftover,) = folder.iterdir()
    assert leftover.name.startswith(".training_evidence_") and leftover.name.endswith(".partial")
    assert export_in_child(history_path, folder, "none").returncode == 0
    assert [p.name for p in folder.iterdir()] == ["training_evidence_20260605T000000Z.zip"]


def test_a_temporary_file_being_written_is_not_removed_by_another_export(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    with published_file(folder, "first.zip") as (_, handle):
        handle.write(b"still writing")
        with published_file(folder, "second.zip") as (_, other):
            other.write(b"done")
        assert (folder / ".first.zip.partial").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["first.zip", "second.zip"]


def test_a_full_disk_leaves_no_export_file_and_says_so(history_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    full = export_in_child(history_path, folder, "full")
    assert full.returncode == 3, full.stderr
    assert "cannot be written (File too large)" in full.stdout and "Traceback" not in full.stderr
    assert list(folder.iterdir()) == []


def test_exports_the_folder_and_the_key_are_private(db: Database, tmp_path: Path) -> None:
    bulk_decisions(db, 100)
    old = os.umask(0o022)
    try:
        pack = export_evidence_pack(
            db,
            EvidenceFilter(),
            exports_dir=tmp_path / "exports",
            uploads_dir=tmp_path,
            signing_key=default_key_path(tmp_path / "config"),
            now=T0,
        )
    finally:
        os.umask(old)
    assert pack.path.stat().st_mode & 0o777 == 0o600
    assert pack.path.parent.stat().st_mode & 0o777 == 0o700
    assert default_key_path(tmp_path / "config").stat().st_mode & 0o777 == 0o600


def test_calls_made_while_the_pack_is_written_are_in_none_of_its_files(history_path: Path, tmp_path: Path) -> None:
    """The export reads one snapshot: a call committed mid-export (from another connection) is left out everywhere."""
    reader = storage.open_db(history_path, read_only=True)
    writer = storage.open_db(history_path)
    before = writer.execute("SELECT count(*) FROM decisions").fetchone()[0]
    (attempt_id,) = writer.execute("SELECT id FROM attempts ORDER BY id LIMIT 1").fetchone()
    written: list[str] = []

    def progress(member: str, done: int, total: int) -> None:
        if member == "attempts.csv" and not written:
            with storage.write_transaction(writer):
                writer.execute(
                    "INSERT INTO decisions (attempt_id, item_id, call, decided_at, seq) "
                    "VALUES (?, 'late_call', 'reply', '2026-06-05T10:00:00+00:00', 99999)",
                    [attempt_id],
                )
                writer.execute(
                    "INSERT INTO decision_log (shop_domain, action_type, operator_email, created_at, "
                    "payload, attempt_id) VALUES ('s', 'late', 'e', '2026-06-05T10:00:00+00:00', '{}', ?)",
                    [attempt_id],
                )
            written.append(member)

    try:
        pack = export_evidence_pack(
            reader,
            EvidenceFilter(),
            exports_dir=tmp_path / "exports",
            uploads_dir=tmp_path,
            signing_key=default_key_path(tmp_path / "config"),
            now=T0,
            progress=progress,
            progress_every=1,
        )
        assert written and writer.execute("SELECT count(*) FROM decisions").fetchone()[0] == before + 1
    finally:
        with storage.write_transaction(writer):
            writer.execute("DELETE FROM decisions WHERE item_id = 'late_call'")
            writer.execute("DELETE FROM decision_log WHERE action_type = 'late'")
        reader.close()
        writer.close()
    assert pack.rows("decisions.csv") == before and pack.rows("decision_log.ndjson") == before
    with zipfile.ZipFile(pack.path) as archive:
        assert b"late_call" not in archive.read("decisions.csv")
        assert b'"late"' not in archive.read("decision_log.ndjson")
