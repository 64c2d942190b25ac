"""Faults while the app runs: the database refuses a write, or a scenario file breaks.

The database faults are made on the very connection the page uses (the one
`get_db` keeps in the session): `query_only` is how SQLite refuses writes to a
read-only file (root ignores file permissions, so chmod cannot be used),
`max_page_count` at the current size is a full disk, and a short busy timeout
plus another writer is a busy database. Each test then removes the cause and
checks the same action goes through.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.storage.db import DEFAULT_BUSY_TIMEOUT_MS
from optrain.storage.errors import BUSY_MESSAGE, FULL_MESSAGE, READONLY_MESSAGE
from optrain.ui import db as ui_db
from optrain.ui.text import plain

from .harness import APP, SCENARIOS, TIMEOUT, Env, Seed, TrainSteps, texts

HANDS_ON = "hands_on_practice"
EARLIER = ("hoodie_blk_m", "reorder")
ALEX = "alex_rivera_sla"
# Long enough to need new pages, so a full disk refuses it (a short row would fit in a page's free space).
LONG_REPLY = "Hi Alex, we are sorry for the wait on your Holley kit. " * 85
NO_LIMIT = 2_147_483_646


def session_db(at: AppTest) -> Database:
    """The connection this AppTest session's pages write through."""
    return at.session_state[ui_db._SESSION_KEY][1]


@contextmanager
def read_only(db: Database, path: Path) -> Iterator[None]:
    db.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        db.execute("PRAGMA query_only = OFF")


@contextmanager
def disk_full(db: Database, path: Path) -> Iterator[None]:
    db.execute("VACUUM")  # no free pages left (migrations drop tables), so any write needs a new page
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA max_page_count = {NO_LIMIT}")


@contextmanager
def busy(db: Database, path: Path) -> Iterator[None]:
    """Another writer holds the lock for longer than this connection waits."""
    db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        db.execute(f"PRAGMA busy_timeout = {DEFAULT_BUSY_TIMEOUT_MS}")


FAULTS = [(read_only, READONLY_MESSAGE), (disk_full, FULL_MESSAGE), (busy, BUSY_MESSAGE)]
FAULT_IDS = ["read-only", "disk-full", "busy"]


def file_health(env: Env) -> str:
    with sqlite3.connect(env.db_path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def calls_in_db(env: Env, attempt_id: int) -> tuple[list[storage.DecisionRow], list[str]]:
    db = env.db()
    decisions = list(storage.list_decisions(db, attempt_id))
    log = [str(r.payload["item_id"]) for r in storage.list_decision_log(db, attempt_id=attempt_id)]
    return decisions, log


@pytest.mark.parametrize(("fault", "message"), FAULTS, ids=FAULT_IDS)
def test_a_call_the_database_refuses_is_explained_and_goes_through_once_the_cause_is_gone(
    app,
    env: Env,
    seed: Seed,
    train: TrainSteps,
    fault,
    message: str,
) -> None:
    attempt_id = seed.start("trainee")
    seed.decide(attempt_id, {EARLIER[0]: (EARLIER[1], None)})
    (earlier,), _ = calls_in_db(env, attempt_id)
    at = app("trainee", "train", attempt=str(attempt_id))
    train.pick(at, attempt_id, ALEX)
    train.prepare(at, attempt_id, ALEX, "approve_template", "ack_delay", body=LONG_REPLY)

    with fault(session_db(at), env.db_path):
        train.submit(at, attempt_id, ALEX)
        assert message in texts(at.error)
        assert not at.toast
        assert at.button(key=f"submit_{attempt_id}_{ALEX}"), "the trainee can submit the same call again"
        assert calls_in_db(env, attempt_id) == ([earlier], [EARLIER[0]])
    assert file_health(env) == "ok"

    train.submit(at, attempt_id, ALEX)
    assert message not in texts(at.error)
    assert texts(at.toast) == ["Reply sent to Alex Rivera"]
    decisions, log = calls_in_db(env, attempt_id)
    assert decisions[0] == earlier
    assert [(d.item_id, d.body) for d in decisions[1:]] == [(ALEX, LONG_REPLY)]
    assert log == [EARLIER[0], ALEX]


@pytest.mark.parametrize(("fault", "message"), FAULTS[:2], ids=FAULT_IDS[:2])
def test_qa_answers_the_database_refuses_leave_no_screenshot_behind(
    app, env: Env, seed: Seed, fault, message: str
) -> None:
    attempt_id = seed.finished("trainee")
    at = app("trainee", "train", attempt=str(attempt_id))
    at.text_area(key=f"qa_{attempt_id}_what_is_confusing").set_value("The SLA badge colours. " * 200)
    at.file_uploader(key=f"qa_{attempt_id}_shot").upload(
        "heatmap.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"
    )

    def submit() -> None:
        next(b for b in at.button if b.label == "Submit answers").click().run()
        assert not at.exception

    with fault(session_db(at), env.db_path):
        submit()
        assert plain(f"Nothing was saved: {message}") in texts(at.error)
        assert storage.list_answers(env.db(), attempt_id=attempt_id) == ()
        assert not env.uploads.exists() or not list(env.uploads.iterdir())
    assert file_health(env) == "ok"

    submit()
    assert not at.error
    answers = storage.list_answers(env.db(), attempt_id=attempt_id)
    assert [a.question_id for a in answers if a.screenshot] == ["what_is_confusing"]
    assert [p.name for p in env.uploads.iterdir()] == [a.screenshot for a in answers if a.screenshot]


def test_an_observation_the_database_refuses_is_explained_and_saved_on_retry(app, env: Env, seed: Seed) -> None:
    attempt_id = seed.finished("trainee")
    at = app("trainer", "review")
    at.selectbox(key="review_pick").set_value(attempt_id).run()
    at.text_area(key=f"note_text_{attempt_id}").set_value("Hesitated on the refund")

    def add() -> None:
        next(b for b in at.button if b.label == "Add observation").click().run()
        assert not at.exception

    with read_only(session_db(at), env.db_path):
        add()
        assert READONLY_MESSAGE in texts(at.error)
    assert storage.list_notes(env.db(), attempt_id) == ()
    at.text_area(key=f"note_text_{attempt_id}").set_value("Hesitated on the refund")
    add()
    assert [n.note for n in storage.list_notes(env.db(), attempt_id)] == ["Hesitated on the refund"]


# ---------------------------------------------------------------- scenario files


@pytest.fixture
def scenarios(env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private scenarios folder the test can break while the app runs."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in (HANDS_ON, "cx_escalations_basics"):
        shutil.copy(SCENARIOS / f"{name}.yaml", folder)
    monkeypatch.setenv("OPTRAIN_SCENARIOS", str(folder))
    return folder


BROKEN = "id: late_arrival\ntitle: [unclosed\nqueue: {"


def catalog_buttons(at: AppTest) -> set[str]:
    return {str(b.key) for b in at.button if str(b.key).startswith("open_")}


def test_a_broken_file_appearing_while_the_app_runs_reaches_trainers_only(app, scenarios: Path) -> None:
    trainee = app("trainee", "train")
    shown = catalog_buttons(trainee)
    assert f"open_{HANDS_ON}" in shown

    (scenarios / "late_arrival.yaml").write_text(BROKEN, encoding="utf-8")
    trainee.run()
    assert not trainee.exception
    assert catalog_buttons(trainee) == shown
    assert not trainee.error
    assert not [e.label for e in trainee.expander if "could not be loaded" in e.label]
    assert not [t for t in texts([*trainee.markdown, *trainee.caption]) if "late\\_arrival" in t]

    trainer = app("trainer", "train")
    assert catalog_buttons(trainer) == shown
    (problems,) = [e for e in trainer.expander if "could not be loaded" in e.label]
    assert "1 scenario file(s) could not be loaded" in problems.label
    assert any("late\\_arrival" in m and "not valid YAML" in m for m in texts(problems.markdown))


def test_a_scenario_that_breaks_mid_shift_keeps_the_calls_and_resumes_when_fixed(
    app, env: Env, seed: Seed, scenarios: Path, train: TrainSteps
) -> None:
    attempt_id = seed.start("trainee")
    seed.decide(attempt_id, {EARLIER[0]: (EARLIER[1], None), ALEX: ("approve_template", "ack_delay")})
    before, _ = calls_in_db(env, attempt_id)
    at = app("trainee", "train", attempt=str(attempt_id))
    assert at.radio(key=f"pick_{attempt_id}")
    good = (scenarios / f"{HANDS_ON}.yaml").read_text(encoding="utf-8")

    (scenarios / f"{HANDS_ON}.yaml").write_text(good[: len(good) // 2] + "\n  - [unclosed", encoding="utf-8")
    at.run()
    assert not at.exception
    (paused,) = texts(at.error)
    assert "cannot be loaded right now" in paused and "Every call you made is saved" in paused
    assert not at.radio
    assert calls_in_db(env, attempt_id)[0] == before

    (scenarios / f"{HANDS_ON}.yaml").write_text(good, encoding="utf-8")
    at.run()
    assert not at.exception and not [e for e in texts(at.error) if "cannot be loaded" in e]
    assert next(p.text for p in at.get("progress")).startswith("2 of ")
    for item_id in (EARLIER[0], ALEX):
        train.pick(at, attempt_id, item_id)
        assert any(m.startswith("**Your call:**") for m in texts(at.markdown))


# ---------------------------------------------------------------- a damaged or unreachable database file


def _damage(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(b"this is not a database at all " * 200)
    else:  # truncated: a real database cut after its first pages, as a copy interrupted mid-way leaves it
        storage.open_db(path).close()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize("how", ["garbage", "truncated"])
@pytest.mark.parametrize("role", ["trainee", "trainer"])
def test_a_damaged_database_says_what_is_wrong_and_how_to_restore_it(env: Env, how: str, role: str) -> None:
    from .harness import sign_in

    _damage(env.db_path, how)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    sign_in(at, role)
    at.run()
    assert not at.exception
    shown = " ".join(texts(at.error))
    assert "damaged or is not a database" in shown
    assert "optrain db backup" in shown
    assert plain(str(env.db_path)) in shown  # the message names the file (shown as plain text)


def test_a_database_on_a_read_only_file_system_is_named_with_what_to_do(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tmpfs remounted read-only (root ignores permissions): the pages say so instead of a generic error."""
    import subprocess

    from optrain.storage.errors import CANTOPEN_MESSAGE

    from .harness import sign_in

    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(ro)], check=False).returncode:
        pytest.skip("mounting a read-only file system needs root (CAP_SYS_ADMIN)")
    try:
        storage.open_db(ro / "optrain.db").close()
        assert subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=False).returncode == 0
        monkeypatch.setenv("OPTRAIN_DB", str(ro / "optrain.db"))
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        sign_in(at, "trainee")
        at.run()
    finally:
        subprocess.run(["umount", "-l", str(ro)], check=False)
    assert not at.exception
    assert any(plain(CANTOPEN_MESSAGE) in shown for shown in texts(at.error))


def test_the_sign_in_page_on_a_damaged_database_names_the_fault_not_a_generic_error(env: Env) -> None:
    """A signed-out visitor: the sign-in reads the database first, so the page says why it cannot go on."""
    from .harness import APP, TIMEOUT

    _damage(env.db_path, "garbage")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    shown = " ".join(texts(at.error))
    assert "damaged or is not a database" in shown and "optrain db backup" in shown
