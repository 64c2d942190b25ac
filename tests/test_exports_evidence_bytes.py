"""The evidence pack's unzipped contents, byte for byte, on a database full of hostile text and odd values.

`reference_csv` writes a table independently of the pack (every cell
through `safe_row` and `csv.writer`, flags as no/yes); the pack must hold
exactly its bytes on a database full of hostile text, odd floats and values
of unexpected types. The golden files hold packs written before the pack's
writer was rewritten (the app version in the summaries replaced), so the
NDJSON log and the summaries are held to their bytes too; the ZIP's own
bytes (compression) may change. `OPTRAIN_UPDATE_GOLDEN=1` rewrites them
after a deliberate change.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import pytest
from exports_records import OWASP_PAYLOADS, T0, TRICKY_TEXT, answer, attempt, decide, finish
from sqlite_utils import Database

from optrain import __version__, storage
from optrain.exports import EvidenceFilter, export_evidence_pack
from optrain.exports.csv_safety import SafeCsvWriter
from optrain.storage import export_queries as q

GOLDEN = Path(__file__).resolve().parent / "golden" / "evidence"
NOW = T0 + timedelta(days=5)
HOSTILE: tuple[str, ...] = (
    OWASP_PAYLOADS
    + TRICKY_TEXT
    + (
        "",
        " ",
        "-",
        "=",
        "'",
        '"',
        ",",
        "\r",
        "\n",
        "\r\n",
        '""',
        "a,b",
        "-1",
        "+44 20 7946 0000",
        "@home",
        "\u202eevil.exe\u202c",
        "x\x00,y",
        "\x00=1",
        "nul\x00",
        "tab\tinside",
        "ünïcödé, “quotes”",
        "\u2028sep",
        "é" * 300 + ",",
        "\x0b\x0c\x1c",
        "None",
        "<b>bold</b> | pipe",
    )
)
FLOATS: tuple[float | None, ...] = (
    0.0,
    -1.0,
    1.0,
    0.5,
    37.695,
    0.1 + 0.2,
    1 / 3,
    1e-05,
    0.0001,
    123456789.123,
    1e15,
    1e16,
    2.5e-300,
    1e300,
    -0.0,
    float("inf"),
    None,
)
MODULES = {"hands_on_practice": "hands_on", "cx_escalations_basics": "cx_escalations"}
FILTERS = {
    "all": EvidenceFilter(),
    "trainee": EvidenceFilter(trainee=HOSTILE[0]),
    "scenario": EvidenceFilter(scenario_id="cx_escalations_basics"),
    "dates": EvidenceFilter(since=T0 + timedelta(days=1), until=T0 + timedelta(days=2)),
}


@pytest.fixture
def db(db: Database) -> Database:
    """The shared empty database where every text column a trainee, trainer or scenario can fill holds
    hostile text, and floats are awkward."""
    for index, text in enumerate(HOSTILE):
        when = T0 + timedelta(days=index % 3, minutes=index)
        made = attempt(
            db,
            text or "blank",
            display_name=HOSTILE[-1 - index],
            scenario_id=("hands_on_practice", "cx_escalations_basics")[index % 2],
            now=when,
            official=index % 4 != 0,
        )
        for step, number in enumerate(FLOATS[index % 4 :: 4]):
            decide(
                db,
                made,
                f"{text}#{step}",
                call=text or "reply",
                template=None if step else text,
                body=HOSTILE[(index + step) % len(HOSTILE)],
                note=None if step % 2 else text,
                elapsed_seconds=number,
                points=number,
                max_points=FLOATS[step],
                verdict=text or None,
                at=when + timedelta(seconds=step),
            )
        if index % 3:
            score = FLOATS[index % len(FLOATS)] or 0.0
            finish(db, made, score=score, passed=index % 2 == 0, at=when + timedelta(minutes=1))
        answer(
            db,
            made,
            f"q{index}",
            answer=text or None,
            skipped=not text,
            severity=text or None,
            screenshot=text or None,
            now=when,
        )
        storage.add_note(
            db,
            attempt_id=made.id,
            item_id=text or None,
            tag="other",
            note=text or "-",
            trainer=HOSTILE[-1 - index],
            now=when,
        )
    # Values of types the app never writes but SQLite accepts: the pack must still match the former writer.
    with storage.write_transaction(db):
        db.execute("UPDATE decisions SET body = CAST(body AS BLOB) WHERE id % 7 = 3")
        db.execute("UPDATE decisions SET points = 'n/a' WHERE id % 11 = 5")
        db.execute("UPDATE decisions SET item_id = 42 WHERE id % 13 = 6")
        db.execute("UPDATE qa_answers SET scenario_version = 1.5 WHERE id % 5 = 2")
        db.execute("UPDATE qa_answers SET answer = CAST(answer AS BLOB) WHERE id % 6 = 1")
        db.execute("DELETE FROM attempts WHERE id = 2")  # its audit records stay, without an attempt
    return db


def reference_csv(header: tuple[str, ...], rows: Iterable[q.Row], flags: tuple[str, ...] = ()) -> bytes:
    """The pack's former CSV writer: 0/1 flags as no/yes, then every cell through `SafeCsvWriter`."""
    buffer = io.StringIO(newline="")
    writer = SafeCsvWriter(buffer)
    writer.writerow(header)
    indexes = [header.index(flag) for flag in flags]
    for row in rows:
        cells = list(row)
        for index in indexes:
            cells[index] = {0: "no", 1: "yes"}.get(cells[index], cells[index])
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def rows(db: Database, table: q.EvidenceTable, filters: EvidenceFilter) -> list[q.Row]:
    return [row for batch in q.evidence_batches(db, table, filters) for row in batch]


def pack_members(db: Database, folder: Path, filters: EvidenceFilter) -> dict[str, bytes]:
    pack = export_evidence_pack(
        db,
        filters,
        exports_dir=folder,
        uploads_dir=folder / "none",
        signing_key=folder / "key.pem",
        now=NOW,
        modules=MODULES,
    )
    with zipfile.ZipFile(pack.path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
def test_csv_members_equal_the_former_per_row_writer(db: Database, tmp_path: Path, filters: EvidenceFilter) -> None:
    written = pack_members(db, tmp_path, filters)
    expected = {
        "attempts.csv": reference_csv(q.ATTEMPT_COLUMNS, rows(db, "attempts", filters), ("passed", "official")),
        "decisions.csv": reference_csv(q.DECISION_COLUMNS, rows(db, "decisions", filters)),
        "qa.csv": reference_csv(q.QA_COLUMNS, rows(db, "qa", filters), ("skipped",)),
        "observations.csv": reference_csv(q.NOTE_COLUMNS, rows(db, "notes", filters)),
    }
    assert len(q.DECISION_COLUMNS) < expected["decisions.csv"].count(b",")
    for name, content in expected.items():
        assert written[name] == content, name


@pytest.mark.parametrize("label", FILTERS.keys())
def test_pack_members_equal_the_golden_pack(db: Database, tmp_path: Path, label: str) -> None:
    written = pack_members(db, tmp_path, FILTERS[label])
    written.pop("manifest.json")  # its hashes cover every member compared here
    written.pop("manifest.sig")  # a signature of the manifest
    for name in ("summary.md", "summary.html"):
        written[name] = written[name].replace(f"optrain {__version__}".encode(), b"optrain VERSION")
    folder = GOLDEN / label
    if os.environ.get("OPTRAIN_UPDATE_GOLDEN") == "1":
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in written.items():
            (folder / name).write_bytes(content)
    golden = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert sorted(written) == sorted(golden)
    for name, content in written.items():
        assert content == golden[name], name
