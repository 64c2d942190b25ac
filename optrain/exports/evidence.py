"""The training evidence pack: one ZIP saying who trained on what, when, with what result, every call and its time.

Members: summary.md and summary.html (per trainee), attempts.csv,
decisions.csv, decision_log.ndjson (the audit log, one JSON object a line),
qa.csv, observations.csv (trainer notes), reply_reviews.csv (trainers' rubric
reviews of sent replies and score overrides), screenshots/<file> (the Q&A
screenshots that exist in the uploads folder), manifest.json (filters,
export time, app version, and rows, size and SHA-256 of every other member)
and manifest.sig (the Ed25519 signature of manifest.json, see `signing`).

Everything is read in one read transaction, so the files agree with each
other and with the manifest. Rows are streamed from the database through
`csv.writer` (every text cell neutralised, see `csv_safety`) straight into
the ZIP member, which is hashed as it is written: memory stays flat however
large the database is (members use ZIP64, so none is capped at 4 GiB).
Members are deflated at level 1: level 6 made the ZIP about a quarter
smaller for several seconds more on 600,000 decisions.
"""

from __future__ import annotations

import io
import json
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlite_utils import Database

from optrain import __version__
from optrain.errors import ExportError
from optrain.exports.csv_safety import SafeCsvWriter, csv_line
from optrain.exports.files import HashingWriter, published_file, utc_stamp, utc_text
from optrain.exports.signing import SIGNATURE, load_signing_key, sign
from optrain.exports.summary import SummaryHeading, html_summary, markdown_summary, trainee_summaries
from optrain.storage import export_queries as q
from optrain.storage.export_queries import EvidenceFilter

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# progress(member being written, rows written so far in the whole pack, rows the pack will hold)
ProgressCallback = Callable[[str, int, int], None]
PROGRESS_EVERY = 10_000
COMPRESSLEVEL = 1
WRITE_BUFFER_BYTES = 256 * 1024
# Blocks of WRITE_BUFFER_BYTES waiting for the writer thread: bounds the memory it adds.
WRITE_AHEAD = 4
MANIFEST = "manifest.json"
SCREENSHOTS = "screenshots/"
DECISION_LOG = "decision_log.ndjson"
COPY_CHUNK_BYTES = 1024 * 1024
NOTHING_TO_EXPORT = (
    "Nothing to export: no training records match these filters; widen the dates or clear the trainee "
    "and scenario filters, then try again."
)


@dataclass(frozen=True)
class PackTable:
    """A CSV member: its evidence table, its header, and which 0/1 columns read as no/yes."""

    name: str
    source: q.EvidenceTable
    header: tuple[str, ...]
    flags: tuple[str, ...] = ()


# The CSV members in pack order; the decision log is written between decisions and Q&A (see `_members`).
ATTEMPTS = PackTable("attempts.csv", "attempts", q.ATTEMPT_COLUMNS, ("passed", "official"))
DECISIONS = PackTable("decisions.csv", "decisions", q.DECISION_COLUMNS)
QA = PackTable("qa.csv", "qa", q.QA_COLUMNS, ("skipped",))
OBSERVATIONS = PackTable("observations.csv", "notes", q.NOTE_COLUMNS)
TABLES_BEFORE_LOG: tuple[PackTable, ...] = (ATTEMPTS, DECISIONS)
REPLY_REVIEWS = PackTable("reply_reviews.csv", "reply_reviews", q.REPLY_REVIEW_COLUMNS)
TABLES_AFTER_LOG: tuple[PackTable, ...] = (QA, OBSERVATIONS, REPLY_REVIEWS)
_YES_NO = {0: "no", 1: "yes"}
# The log's lines are JSON objects, compact around the stored payload, non-ASCII characters kept as they are.
_LOG_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# What that encoder escapes in a string: the quote, the backslash and the control characters.
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


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


class _PackWriter:
    """Writes members into the ZIP, each hashed as it goes, and reports progress over the whole pack."""

    def __init__(self, archive: zipfile.ZipFile, progress: ProgressCallback | None, every: int, total: int):
        self._zip = archive
        self._progress = progress
        self._every = max(1, every)
        self.total = total
        self.done = 0
        self.files: list[PackFile] = []

    def _report(self, name: str) -> None:
        if self._progress is not None:
            self._progress(name, self.done, self.total)

    def _member(self, name: str) -> HashingWriter:
        # A name (not a ZipInfo) makes zipfile use the archive's compression level for the member.
        return HashingWriter(self._zip.open(name, "w", force_zip64=True))

    def _listed(self, name: str, raw: HashingWriter, rows: int | None) -> None:
        self.files.append(PackFile(name, rows, raw.size, raw.hexdigest()))

    def text(self, name: str, pieces: Iterable[str]) -> None:
        raw = self._member(name)
        with raw, _text(raw) as stream:
            stream.writelines(pieces)
        self._listed(name, raw, None)

    def rows(
        self, name: str, batches: Iterable[list[q.Row]], write: Callable[[IO[str], list[q.Row]], None], header: str = ""
    ) -> int:
        """A member of one line per database row, written a batch at a time; progress every `every` rows."""
        count = 0
        next_report = self._every
        raw = self._member(name)
        with raw, _text(raw) as stream:
            stream.write(header)
            for batch in batches:
                write(stream, batch)
                count += len(batch)
                self.done += len(batch)
                if count >= next_report:
                    self._report(name)
                    next_report = count + self._every
        self._listed(name, raw, count)
        self._report(name)
        return count

    def table(self, db: Database, table: PackTable, filters: EvidenceFilter) -> int:
        """A CSV member: every text cell neutralised by SafeCsvWriter, 0/1 flags written no/yes."""
        flags = tuple(table.header.index(flag) for flag in table.flags)

        def write(stream: IO[str], batch: list[q.Row]) -> None:
            SafeCsvWriter(stream).writerows(_flags_as_words(batch, flags) if flags else batch)

        batches = q.evidence_batches(db, table.source, filters)
        return self.rows(table.name, batches, write, csv_line(table.header))

    def copy(self, name: str, source: IO[bytes]) -> None:
        raw = self._member(name)
        with raw:
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
                raw.write(chunk)
        self._listed(name, raw, None)

    def raw_member(self, name: str, data: bytes) -> None:
        """A member that is not listed in the manifest (the manifest itself, its signature)."""
        with self._zip.open(name, "w") as member:
            member.write(data)


class _WriteBehind(io.RawIOBase):
    """Hands each block to a thread that deflates, checksums, hashes and writes it (all of which release the
    GIL), so that work runs on a second core while this one formats the next rows. At most
    WRITE_AHEAD blocks wait; a write error (a full disk) is raised at the next write or at close."""

    def __init__(self, sink: HashingWriter) -> None:
        super().__init__()
        self._sink = sink
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=WRITE_AHEAD)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="evidence-pack-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (block := self._blocks.get()) is not None:
            if self._error is None:
                try:
                    self._sink.write(block)
                except BaseException as exc:  # handed to the exporting thread, which raises it
                    self._error = exc

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        if self._error is not None:
            raise self._error
        block = bytes(data)  # the buffered writer reuses its buffer
        self._blocks.put(block)
        return len(block)

    def close(self) -> None:
        if not self.closed:
            self._blocks.put(None)
            self._thread.join()
            super().close()
            if self._error is not None:
                raise self._error


def _text(raw: HashingWriter) -> io.TextIOWrapper:
    """UTF-8 text over `raw` with `newline=""`, as the csv module requires, written behind by a thread."""
    return io.TextIOWrapper(io.BufferedWriter(_WriteBehind(raw), WRITE_BUFFER_BYTES), encoding="utf-8", newline="")


def _flags_as_words(rows: Iterable[q.Row], indexes: tuple[int, ...]) -> Iterator[q.Row]:
    for row in rows:
        cells = list(row)
        for index in indexes:
            cells[index] = _YES_NO.get(cells[index], cells[index])
        yield tuple(cells)


def _log_lines(stream: IO[str], batch: list[q.Row]) -> None:
    stream.write("".join(map(_log_line, batch)))


def _log_line(row: q.Row) -> str:
    """One audit record as a JSON object on one line; the payload is the JSON text storage holds.

    The four text fields rarely hold a character JSON escapes (a quote, a backslash, a control
    character): then they are written between quotes as they are, exactly what `json.dumps` writes,
    for a tenth of its cost per line; otherwise the encoder writes the line.
    """
    shop_domain, action_type, operator_email, created_at, payload = row
    payload_text = "null" if payload is None else payload
    try:
        plain = _JSON_ESCAPED.search(shop_domain + action_type + operator_email + created_at) is None
    except TypeError:  # a field that is not text (NULL): the encoder writes it
        plain = False
    if plain:
        return (
            f'{{"shop_domain":"{shop_domain}","action_type":"{action_type}","operator_email":'
            f'"{operator_email}","created_at":"{created_at}","payload":{payload_text}}}\n'
        )
    head = _LOG_JSON.encode(
        {
            "shop_domain": shop_domain,
            "action_type": action_type,
            "operator_email": operator_email,
            "created_at": created_at,
        }
    )
    return f'{head[:-1]},"payload":{payload_text}}}\n'


def _filters_text(filters: EvidenceFilter) -> tuple[tuple[str, str], ...]:
    return (
        ("From (UTC, inclusive)", "the beginning" if filters.since is None else utc_text(filters.since)),
        ("Until (UTC, exclusive)", "now" if filters.until is None else utc_text(filters.until)),
        ("Trainee", filters.trainee or "all"),
        ("Scenario", filters.scenario_id or "all"),
    )


def _manifest(filters: EvidenceFilter, now: datetime, files: list[PackFile], missing: list[str]) -> bytes:
    return (
        json.dumps(
            {
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
                "signature": {"algorithm": "Ed25519", "file": SIGNATURE},
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    ).encode("utf-8")


def export_evidence_pack(
    db: Database,
    filters: EvidenceFilter,
    *,
    exports_dir: Path,
    uploads_dir: Path,
    signing_key: Path,
    now: datetime,
    modules: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> EvidencePack:
    """Write `training_evidence_<UTC stamp>.zip` to `exports_dir`, signed with the key at `signing_key`.

    `modules` maps scenario id to its agenda part (from the scenario
    catalog), for "agenda parts completed". The key is created at first
    use. `progress(member, rows written, rows in all)` is called every
    `progress_every` rows and when each table is complete.
    """
    key = load_signing_key(signing_key)
    heading = SummaryHeading(utc_text(now), __version__, _filters_text(filters))
    parts = modules or {}
    missing: list[str] = []
    with q.read_snapshot(db):
        counts = q.count_evidence_rows(db, filters)
        if sum(counts.values()) == 0:
            raise ExportError(NOTHING_TO_EXPORT)
        name = f"training_evidence_{utc_stamp(now)}.zip"
        with (
            published_file(exports_dir, name) as (path, handle),
            zipfile.ZipFile(
                handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL, allowZip64=True
            ) as archive,
        ):
            pack = _PackWriter(archive, progress, progress_every, sum(counts.values()))
            pack.text("summary.md", markdown_summary(trainee_summaries(q.iter_attempts(db, filters), parts), heading))
            pack.text("summary.html", html_summary(trainee_summaries(q.iter_attempts(db, filters), parts), heading))
            for table in TABLES_BEFORE_LOG:
                pack.table(db, table, filters)
            pack.rows(DECISION_LOG, q.evidence_batches(db, "decision_log", filters), _log_lines)
            for table in TABLES_AFTER_LOG:
                pack.table(db, table, filters)
            _copy_screenshots(pack, uploads_dir, dict.fromkeys(q.iter_qa_screenshots(db, filters)), missing)
            files = list(pack.files)
            manifest = _manifest(filters, now, files, missing)
            pack.raw_member(MANIFEST, manifest)
            pack.raw_member(SIGNATURE, sign(key, manifest))
    return EvidencePack(path=path, files=tuple(files), missing_screenshots=tuple(missing))


def _copy_screenshots(pack: _PackWriter, uploads_dir: Path, names: Iterable[str], missing: list[str]) -> None:
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
