"""The training evidence pack: one ZIP saying who trained on what, when, with what result, every call and its time.

Members: summary.md and summary.html (per trainee), attempts.csv,
decisions.csv, decision_log.ndjson (the audit log, one JSON object a line),
qa.csv, observations.csv (trainer notes), screenshots/<file> (the Q&A
screenshots that exist in the uploads folder) and manifest.json (filters,
export time, app version, and rows, size and SHA-256 of every other member).

Rows are streamed from the database straight into the ZIP member, and each
member is hashed as it is written, so memory stays flat however large the
database is (members use ZIP64 so none is capped at 4 GiB). All queries run
in one read snapshot, so the files agree with each other and with the
manifest. `verify_pack` re-hashes a pack against its manifest.

Speed: SQLite writes the CSV and NDJSON lines (`table_text`). The two
large members are written by two helper processes reading the same
snapshot (`optrain.storage.snapshot_readers`): each turns a batch into
lines and a deflate segment, well ahead of the export, which meanwhile
writes the summaries and small tables. A writer thread inflates, hashes
and writes each batch (ISA-L, hashlib and sqlite3 release the GIL). Tables
and summaries are deflated by ISA-L at its level 1: zlib's level 6 made a
ZIP about a quarter smaller for several seconds more CPU on 600,000
decisions.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from optrain import __version__
from optrain.errors import ExportError
from optrain.exports.files import HashingWriter, published_file, text_stream, utc_stamp, utc_text
from optrain.exports.summary import SummaryHeading, both_summaries, trainee_summaries
from optrain.exports.table_text import DECISION_LOG, DECISIONS, Chunk, LargeMembers, csv_chunks
from optrain.storage import export_queries as q
from optrain.storage.export_queries import EvidenceFilter
from optrain.storage.snapshot_child import FINAL_BLOCK, deflate_segment, inflate_segment
from optrain.storage.snapshot_readers import snapshot_readers

ProgressCallback = Callable[[str, int], None]
PROGRESS_EVERY = 10_000
# Deflate level of the table and summary members, on ISA-L's scale (1 fast to 3 small; its 1 packs a
# little tighter than zlib's 1, four times as fast); the manifest and screenshots get zlib's default (6).
TABLE_COMPRESSLEVEL = 1
SUMMARY_BLOCK_CHARS = 256 * 1024
# Batches handed to the writer thread and not yet written: bounds memory to a few batches.
WRITE_AHEAD = 2
MANIFEST = "manifest.json"
SCREENSHOTS = "screenshots/"
COPY_CHUNK_BYTES = 1024 * 1024
NOTHING_TO_EXPORT = (
    "Nothing to export: no training records match these filters; widen the dates or clear the trainee "
    "and scenario filters, then try again."
)


@dataclass(frozen=True)
class PackFile:
    name: str
    rows: int | None
    bytes: int
    sha256: str


@dataclass(frozen=True)
class EvidencePack:
    path: Path
    files: tuple[PackFile, ...]
    missing_screenshots: tuple[str, ...]

    def rows(self, name: str) -> int | None:
        return next((f.rows for f in self.files if f.name == name), None)


def screenshot_path(uploads_dir: Path, name: str) -> Path | None:
    """The file in the uploads folder a Q&A row refers to, or None when it is absent or not a plain name."""
    if not name or "/" in name or "\\" in name or ".." in name or name.startswith("."):
        return None
    try:
        root = uploads_dir.resolve(strict=True)
        path = (root / name).resolve(strict=True)
    except OSError:
        return None
    return path if path.parent == root and path.is_file() else None


class _Segments:
    """Stands in for a member's zlib compressor: deflating happens in the snapshot's helpers, or with ISA-L.

    The member is still written through zipfile, which computes the CRC and
    sizes of the text it is given (inflated from the segment, so they cover
    exactly what the ZIP holds); its compressor returns, for each write,
    the deflate segment a helper made of exactly that text (or deflates it
    here when none came, with ISA-L, four times as fast as zlib at level 1
    and a little smaller), and the final empty block at the end. Segments
    end on a sync flush, so together they are one valid deflate stream,
    which every unzip tool reads like any other.
    """

    def __init__(self, level: int) -> None:
        self.level = level
        self.next: bytes | None = None

    def compress(self, data: bytes) -> bytes:
        segment, self.next = self.next, None
        return deflate_segment(data, self.level) if segment is None else segment

    def flush(self) -> bytes:
        return FINAL_BLOCK


class _OpenMember:
    """A ZIP member being written; `rows` is what the manifest will list for it."""

    def __init__(self, raw: HashingWriter, writer: Executor, segments: _Segments | None = None) -> None:
        self.raw = raw
        self.rows: int | None = None
        self._writer = writer
        self._segments = segments
        self._pending: deque[Future[int]] = deque()

    def _write(self, data: bytes | int, segment: bytes | None) -> int:
        if isinstance(data, int):  # only the segment (and its text's length) came: the CRC, size and
            assert segment is not None  # hash must cover its text, so it is inflated here
            data = inflate_segment(segment, data)
        if self._segments is not None:
            self._segments.next = segment
        return self.raw.write(data)

    def write_behind(self, data: bytes | int, segment: bytes | None = None) -> None:
        """Hand `data` and/or its deflate segment to the writer thread; waits while WRITE_AHEAD batches
        are still unwritten."""
        self._pending.append(self._writer.submit(self._write, data, segment))
        while len(self._pending) > WRITE_AHEAD:
            self._pending.popleft().result()

    def settle(self) -> None:
        """Wait until everything handed over is written; a write error (disk full) is raised here."""
        while self._pending:
            self._pending.popleft().result()

    def abandon(self) -> None:
        """Wait for the writer thread without raising: the export is already failing with another error."""
        wait(self._pending)
        self._pending.clear()


class _PackWriter:
    def __init__(self, archive: zipfile.ZipFile, now: datetime, progress: ProgressCallback | None, every: int,
                 writer: Executor):
        stamp = now.astimezone(UTC)
        self._zip = archive
        self._writer = writer
        self._date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        self._progress = progress
        self._every = max(1, every)
        self.files: list[PackFile] = []

    def report(self, name: str, rows: int) -> None:
        if self._progress is not None:
            self._progress(name, rows)

    @contextmanager
    def member(self, name: str, level: int | None = None, *, segments: bool = False) -> Iterator[_OpenMember]:
        """An open member; on exit it is closed and listed with its rows, size and hash.

        With `segments` (and a `level`), writes may come with their deflate segment made elsewhere.
        """
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        # The per-member level: Python 3.11 has only this attribute (3.13 names it `compress_level`).
        info._compresslevel = level  # type: ignore[attr-defined]
        stream = self._zip.open(info, "w", force_zip64=True)
        made = None
        # zipfile's writer keeps its compressor in `_compressor`; should that ever change, the member
        # is simply deflated here, as the others are.
        if segments and level is not None and getattr(stream, "_compressor", None) is not None:
            made = _Segments(level)
            stream._compressor = made  # type: ignore[attr-defined]
        member = _OpenMember(HashingWriter(stream), self._writer, made)
        try:
            yield member
            member.settle()
        finally:
            member.abandon()
            member.raw.close()
        self.files.append(PackFile(name, member.rows, member.raw.size, member.raw.hexdigest()))

    def summary(self, name: str, chunks: Iterable[str], rows: Callable[[], int]) -> int:
        """A summary member: its many small strings reach the writer thread joined into blocks."""
        with self.member(name, TABLE_COMPRESSLEVEL, segments=True) as member:
            block: list[str] = []
            size = 0
            for chunk in chunks:
                block.append(chunk)
                size += len(chunk)
                if size >= SUMMARY_BLOCK_CHARS:
                    member.write_behind("".join(block).encode("utf-8"))
                    block.clear()
                    size = 0
            member.write_behind("".join(block).encode("utf-8"))
            member.rows = rows()
        self.report(name, member.rows)
        return member.rows

    def table(self, name: str, chunks: Iterable[Chunk]) -> int:
        """A CSV or NDJSON member from batches of lines; progress is reported at each multiple of `every` rows."""
        count = 0
        next_report = self._every
        with self.member(name, TABLE_COMPRESSLEVEL, segments=True) as member:
            for data, rows, segment in chunks:
                member.write_behind(data, segment)
                count += rows
                while next_report <= count:
                    self.report(name, next_report)
                    next_report += self._every
            member.rows = count
        self.report(name, count)
        return count

    def spooled(self, name: str, source: BinaryIO, rows: int) -> None:
        """A summary member from text spooled to a temporary file."""
        with self.member(name, TABLE_COMPRESSLEVEL, segments=True) as member:
            while block := source.read(SUMMARY_BLOCK_CHARS):
                member.write_behind(block)
            member.rows = rows
        self.report(name, rows)

    def copy(self, name: str, source: BinaryIO) -> None:
        with self.member(name) as member:
            while True:
                try:
                    chunk = source.read(COPY_CHUNK_BYTES)
                except OSError as exc:
                    raise ExportError(
                        f"The screenshot {name} could not be read from the uploads folder ({exc.strerror}); "
                        "check the uploads folder and export again."
                    ) from exc
                if not chunk:
                    break
                member.raw.write(chunk)


def _filters_text(filters: EvidenceFilter) -> tuple[tuple[str, str], ...]:
    return (
        ("From (UTC, inclusive)", "the beginning" if filters.since is None else utc_text(filters.since)),
        ("Until (UTC, exclusive)", "now" if filters.until is None else utc_text(filters.until)),
        ("Trainee", filters.trainee or "all"),
        ("Scenario", filters.scenario_id or "all"),
    )


def _manifest(filters: EvidenceFilter, now: datetime, files: list[PackFile], missing: list[str]) -> str:
    return json.dumps({
        "kind": "optrain training evidence pack",
        "format_version": 1,
        "app_version": __version__,
        "exported_at": utc_text(now),
        "filters": {
            "since": None if filters.since is None else utc_text(filters.since),
            "until": None if filters.until is None else utc_text(filters.until),
            "trainee": filters.trainee,
            "scenario": filters.scenario_id,
        },
        "files": [{"name": f.name, "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in files],
        "missing_screenshots": missing,
    }, indent=2, ensure_ascii=False) + "\n"


def export_evidence_pack(
    db: Database,
    filters: EvidenceFilter,
    *,
    exports_dir: Path,
    uploads_dir: Path,
    now: datetime,
    modules: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> EvidencePack:
    """Write `training_evidence_<UTC stamp>.zip` to `exports_dir` and return what it holds.

    `modules` maps scenario id to its agenda part (from the scenario
    catalog), for "agenda parts completed". `progress(file, rows)` is called
    every `progress_every` rows and once when each file is complete.
    """
    heading = SummaryHeading(utc_text(now), __version__, _filters_text(filters))
    parts = modules or {}
    name = f"training_evidence_{utc_stamp(now)}.zip"
    missing: list[str] = []
    with snapshot_readers(db) as readers, published_file(exports_dir, name) as (path, handle), \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-pack") as writer:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            pack = _PackWriter(archive, now, progress, progress_every, writer)
            # Started first, so the helpers write decisions and the log while the summaries are made here.
            large = LargeMembers(db, readers, filters, deflate=TABLE_COMPRESSLEVEL)
            _summaries(pack, _Counter(trainee_summaries(q.iter_attempts(db, filters), parts)), heading, exports_dir)
            total = pack.table("attempts.csv", csv_chunks(db, q.ATTEMPTS_CSV, filters))
            total += pack.table(DECISIONS, large.decisions())
            total += pack.table(DECISION_LOG, large.decision_log())
            shots = dict.fromkeys(q.iter_qa_screenshots(db, filters))
            total += pack.table("qa.csv", csv_chunks(db, q.QA_CSV, filters))
            total += pack.table("observations.csv", csv_chunks(db, q.NOTES_CSV, filters))
            if total == 0:
                raise ExportError(NOTHING_TO_EXPORT)
            _copy_screenshots(pack, uploads_dir, shots, missing)
            files = list(pack.files)
            with pack.member(MANIFEST) as manifest, text_stream(manifest.raw) as stream:
                stream.write(_manifest(filters, now, files, missing))
    return EvidencePack(path=path, files=tuple(files), missing_screenshots=tuple(missing))


class _Counter(Iterator[Any]):
    """Passes items through and remembers how many went by."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = iter(items)
        self.seen = 0

    def __next__(self) -> Any:
        item = next(self._items)
        self.seen += 1
        return item

    def count(self) -> int:
        return self.seen


def _summaries(pack: _PackWriter, trainees: _Counter, heading: SummaryHeading, folder: Path) -> None:
    """summary.md and summary.html from one pass over the attempts; the HTML waits in a temporary file
    (in the exports folder, removed when closed) while the Markdown is written."""
    with tempfile.TemporaryFile(dir=folder) as spool:
        def markdown_pieces() -> Iterator[str]:
            for markdown_text, html_text in both_summaries(trainees, heading):
                spool.write(html_text.encode("utf-8"))
                yield markdown_text

        pack.summary("summary.md", markdown_pieces(), rows=trainees.count)
        spool.seek(0)
        pack.spooled("summary.html", spool, trainees.count())


def _copy_screenshots(pack: _PackWriter, uploads_dir: Path, names: Iterable[str], missing: list[str]) -> None:
    copied = 0
    for name in names:
        path = screenshot_path(uploads_dir, name)
        if path is None:
            missing.append(name)
            continue
        try:
            source = path.open("rb")
        except OSError:
            missing.append(name)
            continue
        with source:
            pack.copy(SCREENSHOTS + name, source)
        copied += 1
        pack.report("screenshots", copied)
