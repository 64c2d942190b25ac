"""The training evidence pack: members parsed back, hostile text inert, manifest and verification."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from exports_records import (
    OWASP_PAYLOADS,
    SHOP,
    T0,
    TRICKY_TEXT,
    answer,
    attempt,
    decide,
    finish,
    parse_csv,
    parse_with_pandas,
)
from sqlite_utils import Database

from optrain import __version__, storage
from optrain.errors import ExportError
from optrain.exports import EvidenceFilter, EvidencePack, export_evidence_pack
from optrain.exports.csv_safety import neutralise

NOW = T0 + timedelta(days=3, hours=18, minutes=15)
HOSTILE_NAME = "<script>alert('pwned')</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MODULES = {"hands_on_practice": "hands_on", "cx_escalations_basics": "cx_escalations"}

HEADERS = {
    "attempts.csv": [
        "attempt",
        "trainee",
        "display_name",
        "scenario",
        "version",
        "started_at",
        "finished_at",
        "status",
        "score",
        "max_score",
        "percent",
        "passed",
        "critical_failures",
        "official",
    ],
    "decisions.csv": [
        "attempt",
        "trainee",
        "scenario",
        "version",
        "item",
        "call",
        "template",
        "body",
        "note",
        "decided_at",
        "elapsed_seconds",
        "points",
        "max_points",
        "verdict",
    ],
    "qa.csv": [
        "answer_id",
        "attempt",
        "trainee",
        "scenario",
        "version",
        "question",
        "part",
        "kind",
        "answer",
        "skipped",
        "severity",
        "screenshot",
        "created_at",
        "status",
    ],
    "observations.csv": [
        "note_id",
        "attempt",
        "trainee",
        "scenario",
        "version",
        "item",
        "tag",
        "note",
        "trainer",
        "created_at",
    ],
}


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "qa1-shot_aaaa.png").write_bytes(PNG)
    (folder / "unreferenced_bbbb.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(b"outside the uploads folder")
    return folder


def seed(db: Database) -> dict[str, Any]:
    """Casey passes hands-on practice, Riley (hostile name) fails CX basics, plus a practice run."""
    casey = attempt(db, "casey", display_name="Casey Morgan")
    decide(db, casey, "alex_rivera_sla", body="Hi Alex, thanks for waiting")
    decide(
        db,
        casey,
        "hoodie_reorder",
        call="reorder",
        template=None,
        body=None,
        points=-1.0,
        verdict="wrong",
        at=T0 + timedelta(minutes=2),
    )
    finish(db, casey, score=8, passed=True)
    answer(db, casey, "what_is_confusing", answer=OWASP_PAYLOADS[0], severity="high", screenshot="qa1-shot_aaaa.png")
    answer(db, casey, "most_valuable_features", answer=None, skipped=True, screenshot="../secret.png")
    riley = attempt(
        db, "riley", display_name=HOSTILE_NAME, scenario_id="cx_escalations_basics", now=T0 + timedelta(days=1)
    )
    decide(
        db,
        riley,
        "jordan_lee_refund",
        call="escalate_manager",
        template=None,
        body=HOSTILE_NAME,
        at=T0 + timedelta(days=1),
    )
    finish(db, riley, score=4, passed=False, at=T0 + timedelta(days=1, minutes=20))
    answer(
        db,
        riley,
        "sla_breach_indicators",
        answer=HOSTILE_NAME,
        part="cx_escalations",
        screenshot="missing_cccc.png",
        now=T0 + timedelta(days=1),
    )
    storage.add_note(
        db,
        attempt_id=riley.id,
        item_id="jordan_lee_refund",
        tag="hesitation",
        note="+1+1 hesitated",
        trainer="trainer",
        now=T0 + timedelta(days=1),
    )
    practice = attempt(db, "casey", scenario_id="cx_escalations_basics", official=False, now=T0 + timedelta(days=2))
    return {"casey": casey, "riley": riley, "practice": practice}


def pack_of(
    db: Database, tmp_path: Path, uploads: Path, filters: EvidenceFilter = EvidenceFilter(), **options: Any
) -> EvidencePack:
    return export_evidence_pack(
        db,
        filters,
        exports_dir=tmp_path / "exports",
        uploads_dir=uploads,
        signing_key=tmp_path / "config" / "key.pem",
        now=NOW,
        modules=MODULES,
        **options,
    )


def members(pack: EvidencePack) -> dict[str, bytes]:
    with zipfile.ZipFile(pack.path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_pack_is_named_by_utc_time_and_holds_the_documented_members(
    db: Database, tmp_path: Path, uploads: Path
) -> None:
    seed(db)
    pack = pack_of(db, tmp_path, uploads)
    assert pack.path.name == "training_evidence_20260609T031500Z.zip"
    assert pack.path.parent == (tmp_path / "exports").resolve()
    assert sorted(members(pack)) == sorted(
        [
            "summary.md",
            "summary.html",
            "attempts.csv",
            "decisions.csv",
            "decision_log.ndjson",
            "qa.csv",
            "observations.csv",
            "reply_reviews.csv",
            "screenshots/qa1-shot_aaaa.png",
            "manifest.json",
            "manifest.sig",
        ]
    )


@pytest.mark.parametrize(
    ("member", "rows"), [("attempts.csv", 3), ("decisions.csv", 3), ("qa.csv", 3), ("observations.csv", 1)]
)
def test_csv_members_parse_back_with_csv_and_pandas(
    db: Database, tmp_path: Path, uploads: Path, member: str, rows: int
) -> None:
    seed(db)
    pack = pack_of(db, tmp_path, uploads)
    text = members(pack)[member].decode("utf-8")
    parsed = parse_csv(text)
    frame = parse_with_pandas(text)
    assert parsed[0] == HEADERS[member] == list(frame.columns)
    assert len(parsed) - 1 == len(frame) == rows == pack.rows(member)
    assert frame.values.tolist() == parsed[1:]


def test_decisions_csv_values(db: Database, tmp_path: Path, uploads: Path) -> None:
    made = seed(db)["casey"]
    rows = parse_csv(members(pack_of(db, tmp_path, uploads))["decisions.csv"].decode())
    first, second = (dict(zip(rows[0], row, strict=True)) for row in rows[1:3])
    assert first == {
        "attempt": str(made.id),
        "trainee": "casey",
        "scenario": "hands_on_practice",
        "version": "1",
        "item": "alex_rivera_sla",
        "call": "approve_template",
        "template": "ack_delay",
        "body": "Hi Alex, thanks for waiting",
        "note": "",
        "decided_at": "2026-06-05T09:00:00+00:00",
        "elapsed_seconds": "12.5",
        "points": "1.0",
        "max_points": "1.0",
        "verdict": "correct",
    }
    assert second["points"] == "-1.0", "a number the app computed is not prefixed"


def test_user_text_in_csv_members_is_neutralised(db: Database, tmp_path: Path, uploads: Path) -> None:
    seed(db)
    files = members(pack_of(db, tmp_path, uploads))
    qa = parse_with_pandas(files["qa.csv"].decode())
    assert qa["answer"].tolist()[0] == neutralise(OWASP_PAYLOADS[0]) == "'" + OWASP_PAYLOADS[0]
    assert parse_csv(files["observations.csv"].decode())[1][7] == "'+1+1 hesitated"


@pytest.mark.parametrize("words", [*OWASP_PAYLOADS, *TRICKY_TEXT])
def test_qa_answers_round_trip_apart_from_the_prefix(db: Database, tmp_path: Path, uploads: Path, words: str) -> None:
    answer(db, attempt(db), answer=words)
    text = members(pack_of(db, tmp_path, uploads))["qa.csv"].decode("utf-8")
    assert parse_csv(text)[1][8] == neutralise(words)
    assert parse_with_pandas(text)["answer"].tolist() == [neutralise(words)]


def test_decision_log_is_one_json_object_a_line(db: Database, tmp_path: Path, uploads: Path) -> None:
    seed(db)
    lines = members(pack_of(db, tmp_path, uploads))["decision_log.ndjson"].decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    assert list(records[0]) == ["shop_domain", "action_type", "operator_email", "created_at", "payload"]
    assert records[0] == {
        "shop_domain": SHOP,
        "action_type": "approve_reply",
        "operator_email": "casey@hotrodan.example",
        "created_at": "2026-06-05T09:00:00+00:00",
        "payload": {"item_id": "alex_rivera_sla", "call": "approve_template", "body": "Hi Alex, thanks for waiting"},
    }
    assert records[2]["payload"]["body"] == HOSTILE_NAME


def test_decision_log_keeps_the_order_it_was_written_in(db: Database, tmp_path: Path, uploads: Path) -> None:
    """The audit trail's order is the order of writing, even where a clock stamped a later record earlier."""
    first = attempt(db, "casey")
    decide(db, first, "alex_rivera_sla", at=T0 + timedelta(minutes=5))
    decide(db, first, "hoodie_reorder", at=T0 + timedelta(minutes=1))
    lines = members(pack_of(db, tmp_path, uploads))["decision_log.ndjson"].decode("utf-8").splitlines()
    assert [json.loads(line)["payload"]["item_id"] for line in lines] == ["alex_rivera_sla", "hoodie_reorder"]


def test_html_summary_keeps_hostile_text_inert(db: Database, tmp_path: Path, uploads: Path) -> None:
    seed(db)
    page = members(pack_of(db, tmp_path, uploads))["summary.html"].decode("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert "<style>" in page and "Content-Security-Policy" in page


def test_summary_lists_each_trainee_with_scores_and_parts_completed(
    db: Database, tmp_path: Path, uploads: Path
) -> None:
    seed(db)
    files = members(pack_of(db, tmp_path, uploads))
    markdown = files["summary.md"].decode("utf-8")
    casey = markdown.split("## Casey Morgan (casey)")[1].split("## ")[0]
    assert "Agenda parts completed: 7. Hands-on practice" in casey
    assert (
        "| hands_on_practice | 1 | 2026-06-05T09:00:00+00:00 | 2026-06-05T09:30:00+00:00 | completed | 8/10 | 80% | yes |"
        in casey
    )
    assert "cx_escalations_basics" not in casey, "practice runs are not in the summary"
    riley = markdown.split("(riley)")[1]
    assert "Agenda parts completed: none yet" in riley and "| 4/10 | 40% | no |" in riley
    assert "&lt;script&gt;" in markdown and "<script" not in markdown
    assert "2 trainee(s) with official attempts." in markdown


def test_manifest_lists_filters_version_rows_and_hashes(db: Database, tmp_path: Path, uploads: Path) -> None:
    seed(db)
    filters = EvidenceFilter(since=T0, until=NOW, trainee=None, scenario_id=None)
    files = members(pack_of(db, tmp_path, uploads, filters))
    manifest = json.loads(files.pop("manifest.json"))
    files.pop("manifest.sig")
    assert manifest["app_version"] == __version__
    assert manifest["exported_at"] == "2026-06-09T03:15:00Z"
    assert manifest["filters"] == {
        "since": "2026-06-05T09:00:00Z",
        "until": "2026-06-09T03:15:00Z",
        "trainee": None,
        "scenario": None,
    }
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files)
    for name, data in files.items():
        assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert listed[name]["bytes"] == len(data)
    assert listed["decision_log.ndjson"]["rows"] == 3 and listed["screenshots/qa1-shot_aaaa.png"]["rows"] is None
    assert manifest["missing_screenshots"] == ["../secret.png", "missing_cccc.png"]


def test_only_referenced_existing_screenshots_inside_uploads_are_copied(
    db: Database, tmp_path: Path, uploads: Path
) -> None:
    seed(db)
    pack = pack_of(db, tmp_path, uploads)
    files = members(pack)
    assert files["screenshots/qa1-shot_aaaa.png"] == PNG
    assert [n for n in files if n.startswith("screenshots/")] == ["screenshots/qa1-shot_aaaa.png"]
    assert pack.missing_screenshots == ("../secret.png", "missing_cccc.png")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            EvidenceFilter(trainee="riley"),
            {"attempts.csv": 1, "decisions.csv": 1, "decision_log.ndjson": 1, "qa.csv": 1, "observations.csv": 1},
        ),
        (
            EvidenceFilter(scenario_id="hands_on_practice"),
            {"attempts.csv": 1, "decisions.csv": 2, "decision_log.ndjson": 2, "qa.csv": 2, "observations.csv": 0},
        ),
        (
            EvidenceFilter(since=T0 + timedelta(hours=1)),
            {"attempts.csv": 2, "decisions.csv": 1, "decision_log.ndjson": 1, "qa.csv": 1, "observations.csv": 1},
        ),
        (
            EvidenceFilter(until=T0 + timedelta(hours=1)),
            {"attempts.csv": 1, "decisions.csv": 2, "decision_log.ndjson": 2, "qa.csv": 2, "observations.csv": 0},
        ),
    ],
)
def test_filters_select_rows_in_every_file(
    db: Database, tmp_path: Path, uploads: Path, filters: EvidenceFilter, expected: dict[str, int]
) -> None:
    seed(db)
    pack = pack_of(db, tmp_path, uploads, filters)
    assert {name: pack.rows(name) for name in expected} == expected


def test_nothing_to_export_raises_and_writes_no_file(db: Database, tmp_path: Path, uploads: Path) -> None:
    seed(db)
    with pytest.raises(ExportError, match="^Nothing to export: no training records match these filters"):
        pack_of(db, tmp_path, uploads, EvidenceFilter(trainee="nobody"))
    folder = tmp_path / "exports"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_unwritable_exports_folder_is_named_in_the_error(db: Database, tmp_path: Path, uploads: Path) -> None:
    seed(db)
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot be written") as caught:
        export_evidence_pack(
            db,
            EvidenceFilter(),
            exports_dir=blocker / "out",
            uploads_dir=uploads,
            signing_key=tmp_path / "key.pem",
            now=NOW,
        )
    assert str(blocker / "out") in str(caught.value) and "OPTRAIN_EXPORTS" in str(caught.value)


@pytest.mark.parametrize("every", [1, 2, 10_000])
def test_progress_reports_the_member_and_rows_of_the_whole_pack(
    db: Database, tmp_path: Path, uploads: Path, every: int
) -> None:
    seed(db)
    calls: list[tuple[str, int, int]] = []
    pack_of(
        db,
        tmp_path,
        uploads,
        progress=lambda name, done, total: calls.append((name, done, total)),
        progress_every=every,
    )
    # 3 attempts, 3 decisions, 3 audit records, 3 answers, 1 note, no reply review
    assert {total for _, _, total in calls} == {13}
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)
    assert calls[-1] == ("reply_reviews.csv", 13, 13)
    ends = {name: done for name, done, _ in calls}
    assert ends == {
        "attempts.csv": 3,
        "decisions.csv": 6,
        "decision_log.ndjson": 9,
        "qa.csv": 12,
        "observations.csv": 13,
        "reply_reviews.csv": 13,
    }
    # Rows are written a fetched batch at a time: a report once `every` rows have passed, and one at the end.
    log = [done for name, done, _ in calls if name == "decision_log.ndjson"]
    assert log == ([9] if every == 10_000 else [9, 9])
