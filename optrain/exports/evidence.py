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
"""

from __future__ import annotations

import itertools
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from optrain import __version__
from optrain.errors import ExportError
from optrain.exports.csv_safety import SafeCsvWriter
from optrain.exports.files import HashingWriter, published_file, text_stream, utc_stamp, utc_text
from optrain.exports.summary import SummaryHeading, html_summary, markdown_summary, trainee_summaries
from optrain.storage import export_queries as q
from optrain.storage.export_queries import EvidenceFilter, Row

ProgressCallback = Callable[[str, int], None]
PROGRESS_EVERY = 10_000
WRITE_BATCH_ROWS = 500
MANIFEST = "manifest.json"
SCREENSHOTS = "screenshots/"
COPY_CHUNK_BYTES = 1024 * 1024
NOTHING_TO_EXPORT = (
    "Nothing to export: no training records match these filters; widen the dates or clear the trainee "
    "and scenario filters, then try again."
)
_YES_NO = {0: "no", 1: "yes"}


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


def _yes_no(rows: Iterable[Row], columns: tuple[str, ...], flags: tuple[str, ...]) -> Iterator[Row]:
    """0/1 flags as yes/no, which a reader of the CSV does not have to decode."""
    indexes = [columns.index(flag) for flag in flags]
    for row in rows:
        cells = list(row)
        for index in indexes:
            cells[index] = _YES_NO.get(cells[index], cells[index])
        yield tuple(cells)


def _lines(texts: Iterable[str]) -> Iterator[str]:
    for text in texts:
        yield text + "\n"


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


class _OpenMember:
    """A ZIP member being written; `rows` is what the manifest will list for it."""

    def __init__(self, raw: HashingWriter) -> None:
        self.raw = raw
        self.rows: int | None = None


class _PackWriter:
    def __init__(self, archive: zipfile.ZipFile, now: datetime, progress: ProgressCallback | None, every: int):
        stamp = now.astimezone(UTC)
        self._zip = archive
        self._date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        self._progress = progress
        self._every = max(1, every)
        self.files: list[PackFile] = []

    def report(self, name: str, rows: int) -> None:
        if self._progress is not None:
            self._progress(name, rows)

    @contextmanager
    def member(self, name: str) -> Iterator[_OpenMember]:
        """An open member; on exit it is closed and listed with its rows, size and hash."""
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        member = _OpenMember(HashingWriter(self._zip.open(info, "w", force_zip64=True)))
        try:
            yield member
        finally:
            member.raw.close()
        self.files.append(PackFile(name, member.rows, member.raw.size, member.raw.hexdigest()))

    def text(self, name: str, chunks: Iterable[str], rows: Callable[[], int] | None = None) -> int:
        """Write text chunks (one per row unless `rows` says how many rows there were)."""
        count = 0
        with self.member(name) as member, text_stream(member.raw) as stream:
            for chunk in chunks:
                stream.write(chunk)
                count += 1
                if count % self._every == 0 and rows is None:
                    self.report(name, count)
            member.rows = count if rows is None else rows()
        self.report(name, member.rows)
        return member.rows

    def table(self, name: str, header: tuple[str, ...], rows: Iterable[Row]) -> int:
        """A CSV member; rows go to the csv writer in small batches, the hot path of a large export."""
        count = 0
        next_report = self._every
        with self.member(name) as member, text_stream(member.raw) as stream:
            writer = SafeCsvWriter(stream)
            writer.writerow(header)
            source = iter(rows)
            # A batch never crosses a report boundary, so reports land exactly on multiples of `every`.
            while batch := list(itertools.islice(source, min(WRITE_BATCH_ROWS, next_report - count))):
                writer.writerows(batch)
                count += len(batch)
                if count == next_report:
                    self.report(name, count)
                    next_report += self._every
            member.rows = count
        self.report(name, count)
        return count

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
    with q.read_snapshot(db), published_file(exports_dir, name) as (path, handle):
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            pack = _PackWriter(archive, now, progress, progress_every)
            for member, render in (("summary.md", markdown_summary), ("summary.html", html_summary)):
                trainees = _Counter(trainee_summaries(q.iter_attempts(db, filters), parts))
                pack.text(member, render(trainees, heading), rows=trainees.count)
            total = pack.table("attempts.csv", q.ATTEMPT_COLUMNS,
                               _yes_no(q.iter_attempts(db, filters), q.ATTEMPT_COLUMNS, ("passed", "official")))
            total += pack.table("decisions.csv", q.DECISION_COLUMNS, q.iter_decisions(db, filters))
            total += pack.text("decision_log.ndjson", _lines(q.iter_decision_log_json(db, filters)))
            shots: dict[str, None] = {}
            qa_rows = _collect_screenshots(q.iter_qa(db, filters), shots)
            total += pack.table("qa.csv", q.QA_COLUMNS, _yes_no(qa_rows, q.QA_COLUMNS, ("skipped",)))
            total += pack.table("observations.csv", q.NOTE_COLUMNS, q.iter_notes(db, filters))
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


def _collect_screenshots(rows: Iterable[Row], names: dict[str, None]) -> Iterator[Row]:
    index = q.QA_COLUMNS.index("screenshot")
    for row in rows:
        if row[index]:
            names[row[index]] = None
        yield row


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
