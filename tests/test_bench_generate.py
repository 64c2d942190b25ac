"""The benchmark database generator: same scale, same bytes; real items; rows the app can read."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

from optrain import storage
from optrain.storage.migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bench/ sits beside the package and is not installed with it
    sys.path.insert(0, str(ROOT))

from bench.generate import Scale, build_database, database_path, load_builtin  # noqa: E402

TINY = Scale(trainees=3, decisions_per_trainee=25, qa_answers=12, seed=7)


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(TINY, tmp_path_factory.mktemp("bench"))


def test_same_scale_gives_identical_databases(tiny: Path, tmp_path: Path) -> None:
    again = build_database(TINY, tmp_path)
    assert dump(again) == dump(tiny)


def test_another_seed_gives_another_database(tiny: Path, tmp_path: Path) -> None:
    other = build_database(Scale(trainees=3, decisions_per_trainee=25, qa_answers=12, seed=8), tmp_path)
    assert dump(other) != dump(tiny)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("decisions", TINY.decisions),
        ("decision_log", TINY.decisions),
        ("qa_answers", TINY.qa_answers),
    ],
)
def test_row_counts_are_exact(tiny: Path, table: str, expected: int) -> None:
    db = storage.open_db(tiny, read_only=True)
    assert db[table].count == expected


def test_decisions_are_on_real_items_of_their_scenario(tiny: Path) -> None:
    from optrain.queue import generate_queue

    items = {s.id: {i.id for i in generate_queue(s).all_items()} for s in load_builtin()}
    db = storage.open_db(tiny, read_only=True)
    for attempt in storage.list_attempts(db):
        stored = {d.item_id for d in storage.list_decisions(db, attempt.id)}
        assert stored and stored <= items[attempt.scenario_id]


def test_only_the_attempt_that_used_up_the_budget_is_left_unfinished(tiny: Path) -> None:
    from optrain.queue import generate_queue

    sizes = {s.id: len(generate_queue(s).all_items()) for s in load_builtin()}
    db = storage.open_db(tiny, read_only=True)
    for attempt in storage.list_attempts(db):
        decided = len(storage.list_decisions(db, attempt.id))
        if attempt.status == "in_progress":
            assert decided < sizes[attempt.scenario_id]
        else:
            assert decided == sizes[attempt.scenario_id] and attempt.finished_at is not None


def test_audit_payload_is_what_the_app_would_write(tiny: Path) -> None:
    db = storage.open_db(tiny, read_only=True)
    records = storage.list_decision_log(db)
    raw = [row["payload"] for row in db.query("SELECT payload FROM decision_log ORDER BY created_at, id")]
    assert raw == [json.dumps(dict(r.payload), sort_keys=True, ensure_ascii=False) for r in records]
    assert all(r.payload["attempt_id"] == r.attempt_id for r in records)


def test_schema_is_fully_migrated(tiny: Path) -> None:
    db = storage.open_db(tiny, read_only=True)
    assert not MIGRATIONS.pending(db)


def test_cached_database_is_reused_and_named_by_its_scale(tiny: Path) -> None:
    before = tiny.stat().st_mtime_ns
    assert build_database(TINY, tiny.parent) == tiny == database_path(TINY, tiny.parent)
    assert tiny.stat().st_mtime_ns == before
    assert database_path(Scale(trainees=4, decisions_per_trainee=25, qa_answers=12, seed=7), tiny.parent) != tiny
