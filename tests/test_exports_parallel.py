"""The evidence pack written with the snapshot's helper processes: same bytes, same snapshot, clean failures.

The helpers only run on a database file (an in-memory database has no
second connection), so these tests copy the hostile database of
`test_exports_evidence_bytes` into one, and cut the large members into
batches of a few rows so that many batches, the read-ahead window and the
rows only Python can write all meet.
"""

from __future__ import annotations

import math
import random
import sqlite3
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from exports_records import T0, attempt, decide
from sqlite_utils import Database
from test_exports_evidence_bytes import FILTERS, MODULES, NOW, hostile_db

from optrain import storage
from optrain.errors import StorageError
from optrain.exports import EvidenceFilter, export_evidence_pack, table_text
from optrain.exports import evidence as evidence_module
from optrain.storage import export_queries as q
from optrain.storage import open_db
from optrain.storage import snapshot_readers as sr
from optrain.storage.csv_sql import _float_text


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "hostile.db"
    source = hostile_db()
    target = sqlite3.connect(path)
    source.conn.backup(target)
    target.close()
    return path


def two_connections(source_path: Path, folder: Path) -> tuple[Database, Database]:
    """Two connections to a fresh copy of `source_path`: the export's, and a trainee's that writes."""
    path = folder / "copy.db"
    target = sqlite3.connect(path)
    source = sqlite3.connect(source_path)
    source.backup(target)
    source.close()
    target.close()
    return open_db(path), open_db(path)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(q, "LINE_BATCH", 3)
    monkeypatch.setattr(table_text, "READ_AHEAD", 4)


def pack_bytes(db: Database, folder: Path, filters: EvidenceFilter, *, helpers: int) -> tuple[dict[str, bytes], bool]:
    """The members of a pack written with `helpers` helper processes, and whether they were used."""
    used: list[bool] = []
    real = sr.snapshot_readers

    @contextmanager
    def counted(database: Database, count: int = helpers) -> Iterator[sr.SnapshotReaders]:
        with real(database, helpers) as readers:
            used.append(readers.parallel)
            yield readers

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evidence_module, "snapshot_readers", counted)
        pack = export_evidence_pack(db, filters, exports_dir=folder, uploads_dir=folder / "none", now=NOW,
                                    modules=MODULES)
    with zipfile.ZipFile(pack.path) as archive:
        assert archive.testzip() is None  # every member's CRC checks out
        members = {name: archive.read(name) for name in archive.namelist()}
    pack.path.unlink()
    return members, used == [True]


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
def test_helpers_write_the_same_members_as_one_connection(hostile_file: Path, tmp_path: Path, small_batches: None,
                                                          filters: EvidenceFilter) -> None:
    db = open_db(hostile_file)
    try:
        alone, parallel_alone = pack_bytes(db, tmp_path, filters, helpers=0)
        helped, parallel = pack_bytes(db, tmp_path, filters, helpers=2)
    finally:
        db.close()
    assert (parallel_alone, parallel) == (False, True)
    assert helped == alone
    if filters == EvidenceFilter():
        assert helped["decisions.csv"].count(b"\r\n") > 3 * q.LINE_BATCH  # many batches were joined


def test_the_deflate_segments_of_the_helpers_form_one_valid_stream(tmp_path: Path) -> None:
    db = open_db(tmp_path / "records.db")
    for index in range(40):
        made = attempt(db, f"trainee{index}", now=T0 + timedelta(minutes=index))
        for step in range(30):
            decide(db, made, f"item{step}", at=T0 + timedelta(minutes=index, seconds=step),
                   body=f"Hi {index}, order #{step} ships today, thanks for waiting.", elapsed_seconds=step + 0.125)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(q, "LINE_BATCH", 50)
        helped, parallel = pack_bytes(db, tmp_path, EvidenceFilter(), helpers=2)
        alone, _ = pack_bytes(db, tmp_path, EvidenceFilter(), helpers=0)
    db.close()
    assert parallel
    assert helped == alone
    assert helped["decisions.csv"].count(b"\r\n") == 1 + 40 * 30


def test_helpers_read_the_snapshot_of_the_export_not_later_writes(hostile_file: Path, tmp_path: Path,
                                                                  small_batches: None) -> None:
    db, writer = two_connections(hostile_file, tmp_path)
    try:
        with sr.snapshot_readers(db) as readers:
            assert readers.parallel
            before = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
            made = attempt(writer, "late", now=T0)
            for step in range(5):
                decide(writer, made, f"late{step}", at=T0 + timedelta(seconds=step))
            large = table_text.LargeMembers(db, readers, EvidenceFilter(), deflate=1)
            written = sum(rows for _, rows, _ in large.decisions())
            logged = sum(rows for _, rows, _ in large.decision_log())
        assert written == before
        assert logged == db.execute("SELECT count(*) FROM decision_log").fetchone()[0] - 5
    finally:
        db.close()
        writer.close()


def test_a_write_while_the_helpers_take_their_snapshots_makes_them_start_again(
        hostile_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, writer = two_connections(hostile_file, tmp_path)
    made = attempt(writer, "busy", now=T0)
    begun: list[int] = []
    real_begin = sr._begin_read

    def begin_then_write(conn: sqlite3.Connection) -> None:
        real_begin(conn)
        begun.append(1)
        if len(begun) == 1:  # a call lands between the export's snapshot and the helpers'
            decide(writer, made, "during", at=T0)

    monkeypatch.setattr(sr, "_begin_read", begin_then_write)
    try:
        with sr.snapshot_readers(db) as readers:
            assert readers.parallel
            seen_here = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
            large = table_text.LargeMembers(db, readers, EvidenceFilter(), deflate=1)
            seen_by_helpers = sum(rows for _, rows, _ in large.decisions())
        assert len(begun) == 2  # the first try was abandoned, the second held
        assert seen_by_helpers == seen_here
        assert seen_here == writer.execute("SELECT count(*) FROM decisions").fetchone()[0]
    finally:
        db.close()
        writer.close()


def test_helpers_that_cannot_start_leave_the_export_to_its_own_connection(
        hostile_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sr, "CHILD", tmp_path / "missing_helper.py")
    db = open_db(hostile_file)
    try:
        with sr.snapshot_readers(db) as readers:
            assert not readers.parallel
            assert db.conn.in_transaction  # the export still reads one snapshot
        assert not db.conn.in_transaction
        members, parallel = pack_bytes(db, tmp_path, EvidenceFilter(), helpers=2)
    finally:
        db.close()
    assert not parallel
    assert members["decisions.csv"].startswith(b"attempt,trainee,")


def test_a_helper_that_dies_fails_the_export_cleanly(hostile_file: Path, tmp_path: Path, small_batches: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = sr.snapshot_readers

    @contextmanager
    def dying(database: Database, count: int = 2) -> Iterator[sr.SnapshotReaders]:
        with real(database, count) as readers:
            assert readers.parallel
            readers._helpers[0].process.kill()
            yield readers

    monkeypatch.setattr(evidence_module, "snapshot_readers", dying)
    db = open_db(hostile_file)
    exports = tmp_path / "exports"
    try:
        with pytest.raises(StorageError, match="helper process of the export stopped"):
            export_evidence_pack(db, EvidenceFilter(), exports_dir=exports, uploads_dir=tmp_path, now=NOW)
        assert not db.conn.in_transaction
    finally:
        db.close()
    assert list(exports.glob("*")) == []  # nothing half-written is left behind


def test_an_sql_error_in_a_helper_reaches_the_caller_as_the_same_error(hostile_file: Path) -> None:
    db = open_db(hostile_file)
    try:
        with sr.snapshot_readers(db) as readers:
            assert readers.parallel
            with pytest.raises(sqlite3.OperationalError, match="no such column: nope"):
                readers.submit("SELECT nope", {}).result()
            plain = readers.submit("SELECT X'6869', 1, 1", {}).result()
            blob, rows, lines, segment = readers.submit("SELECT X'6869', 1, 1", {}, 1).result()
            partial = readers.submit("SELECT X'6869', 2, 1", {}, 1).result()
        assert plain == (b"hi", 1, 1, None)
        assert (blob, rows, lines) == (2, 1, 1)  # the length of the lines the segment holds
        assert segment is not None and zlib.decompressobj(-zlib.MAX_WBITS).decompress(segment) == b"hi"
        assert partial == (b"hi", 2, 1, None)  # a line is missing: the batch comes back as it is, not deflated
    finally:
        db.close()


def test_an_export_inside_an_open_transaction_uses_that_transaction(hostile_file: Path) -> None:
    db = open_db(hostile_file)
    try:
        with storage.write_transaction(db), sr.snapshot_readers(db) as readers:
            assert not readers.parallel
            assert db.conn.in_transaction
    finally:
        db.close()


def _random_floats(count: int) -> list[float]:
    rng = random.Random(20261122)
    values: list[float] = [0.0, 0.001, -0.001, 0.5, -0.5, 1.0, -1.0, 12.5, 205.653, 62.54, 999999999999.999,
                           1e12, -1e12, 0.1 + 0.2, 1 / 3, 2.675, 0.0005, 0.0015, 1e15, 2.0**53 + 2]
    while len(values) < count:
        kind = rng.randrange(5)
        if kind == 0:
            value = round(rng.uniform(-1e6, 1e6), rng.randrange(5))
        elif kind == 1:
            value = rng.randint(-10**12, 10**12) / 1000
        elif kind == 2:
            value = rng.randint(-10**6, 10**6) / rng.choice((1, 2, 4, 8, 10, 100, 1000))
        elif kind == 3:
            value = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        else:
            value = rng.uniform(-1000, 1000)
        if not math.isnan(value):
            values.append(value)
    return values


def test_floats_written_in_sql_are_exactly_what_python_writes() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x REAL)")
    values = _random_floats(60_000)
    conn.executemany("INSERT INTO t VALUES (?)", [(value,) for value in values])
    written = conn.execute(f"SELECT x, {_float_text('x')} FROM t").fetchall()
    in_sql = [(value, text) for value, text in written if text is not None]
    assert [text for _, text in in_sql] == [repr(value) for value, _ in in_sql]
    # Everything the app stores (whole numbers, halves, milliseconds below 10^12) is written in SQL.
    for value, text in written:
        if abs(value) < 1e12 and round(value * 1000) / 1000 == value:
            assert text is not None, value
    assert len(in_sql) > len(values) // 2
