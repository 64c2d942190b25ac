"""Q&A capture: validated answers, uploads checked by content, all-or-nothing saving."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from optrain import qa_capture, storage, training
from optrain.errors import AnswerError, OptrainError, UploadError
from optrain.scenarios.loader import load_scenario_file
from optrain.uploads import MAX_SCREENSHOT_BYTES, image_type, store_screenshot

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
NOW = datetime(2026, 6, 5, 15, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


@pytest.fixture()
def attempt(db):  # type: ignore[no-untyped-def]
    operator = training.Operator("casey", "Casey Morgan", "casey@example.test")
    return db, training.start_attempt(db, SCENARIO, operator, NOW)


def by_kind(kind: str) -> str:
    return next(q.id for q in SCENARIO.questions if q.kind == kind)


@pytest.mark.parametrize(("data", "kind"), [(PNG, "png"), (JPEG, "jpg")])
def test_images_are_recognised_by_content(data: bytes, kind: str) -> None:
    assert image_type(data) == kind


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 10, "not a PNG or JPEG"),
        (b"<svg onload=alert(1)>", "not a PNG or JPEG"),
        (b"%PDF-1.7", "not a PNG or JPEG"),
        (PNG + b"\x00" * MAX_SCREENSHOT_BYTES, r"the limit is 2,097,152 bytes \(2 MB\)"),
    ],
)
def test_other_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        image_type(data)


def test_stored_names_come_from_the_app(tmp_path: Path) -> None:
    name = store_screenshot(tmp_path, PNG, prefix="../../etc/passwd")
    assert "/" not in name and ".." not in name and name.endswith(".png")
    assert (tmp_path / name).read_bytes() == PNG


def test_answers_are_saved_verbatim_and_unanswered_ones_as_skipped(attempt, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, att = attempt
    hostile = "<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    rows = qa_capture.save_qa(
        db,
        SCENARIO,
        att,
        [
            qa_capture.AnswerInput(by_kind("text"), hostile, "high", PNG),
            qa_capture.AnswerInput(by_kind("rating"), "4"),
        ],
        uploads_dir=tmp_path / "up",
        now=NOW,
    )
    saved = {r.question_id: r for r in rows}
    assert len(saved) == len(SCENARIO.questions)
    text = saved[by_kind("text")]
    assert (text.answer, text.severity, text.skipped, text.part) == (hostile, "high", False, "hands_on")
    assert text.screenshot and (tmp_path / "up" / text.screenshot).exists()
    assert saved[by_kind("rating")].answer == "4"
    others = [r for q, r in saved.items() if q not in (by_kind("text"), by_kind("rating"))]
    assert others and all(r.skipped and r.answer is None for r in others)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (qa_capture.AnswerInput(by_kind("rating"), "6"), "rating from 1 to 5"),
        (qa_capture.AnswerInput(by_kind("text"), "x" * 5001), "keep it under 5,000"),
        (qa_capture.AnswerInput(by_kind("text"), "ok", "urgent!"), "Severity must be one of"),
        (qa_capture.AnswerInput(by_kind("text"), "ok", None, b"MZ\x90\x00"), "not a PNG or JPEG"),
    ],
)
def test_a_bad_answer_saves_nothing(attempt, tmp_path: Path, answer: qa_capture.AnswerInput, message: str) -> None:  # type: ignore[no-untyped-def]
    db, att = attempt
    with pytest.raises(AnswerError, match=message):
        qa_capture.save_qa(db, SCENARIO, att, [answer], uploads_dir=tmp_path / "up", now=NOW)
    assert storage.list_answers(db, attempt_id=att.id) == ()
    assert not (tmp_path / "up").exists() or not any((tmp_path / "up").iterdir())


def test_skipping_records_every_question_as_skipped(attempt, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, att = attempt
    rows = qa_capture.save_qa(db, SCENARIO, att, (), uploads_dir=tmp_path, now=NOW)
    assert len(rows) == len(SCENARIO.questions) and all(r.skipped for r in rows)


def test_marking_answers_sets_all_of_them_or_none(attempt, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, att = attempt
    ids = [r.id for r in qa_capture.save_qa(db, SCENARIO, att, (), uploads_dir=tmp_path, now=NOW)]
    assert qa_capture.mark_answers(db, ids[:2], "ticket_filed") == 2
    with pytest.raises(OptrainError, match="does not exist; reload the answer list"):
        qa_capture.mark_answers(db, [ids[2], 999_999], "dismissed")
    statuses = {r.id: r.status for r in storage.list_answers(db, attempt_id=att.id)}
    assert [statuses[i] for i in ids[:3]] == ["ticket_filed", "ticket_filed", "new"]
