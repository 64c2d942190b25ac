"""The Exports page: tickets from the Q&A capture and the evidence pack, written and offered for download."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.exports import default_key_path, load_signing_key, verify_pack

from .harness import Env, Seed, texts


def seeded(seed: Seed) -> int:
    attempt = seed.finished()
    scenario = seed.scenario()
    text_q = next(q.id for q in scenario.questions if q.kind == "text")
    seed.feedback(attempt, {text_q: '=HYPERLINK("http://x","click") the heatmap, colours confuse me'})
    return attempt


def test_tickets_are_not_marked_filed_unless_asked(app: Callable[..., AppTest], seed: Seed, env: Env) -> None:
    attempt = seeded(seed)
    at = app("support", "exports")
    assert not at.exception
    assert at.checkbox(key="exp_mark").value is False
    at.button(key="exp_tickets").click().run()
    assert not at.exception and not at.error
    assert [b.key for b in at.get("download_button")] == ["exp_ticket_file_dl"]
    answered = [a for a in storage.list_answers(env.db(), attempt_id=attempt) if not a.skipped]
    assert answered and all(a.status == "new" for a in answered)


def test_support_exports_linear_tickets_and_marks_them_filed(app: Callable[..., AppTest], seed: Seed, env: Env) -> None:
    attempt = seeded(seed)
    at = app("support", "exports")
    assert not at.exception
    at.radio(key="exp_format").set_value("linear").run()
    at.checkbox(key="exp_mark").check().run()
    at.button(key="exp_tickets").click().run()
    assert not at.exception and not at.error
    exported = list((Path(str(env.db_path)).parent / "exports").glob("*.csv"))
    assert len(exported) == 1
    rows = list(csv.DictReader(io.StringIO(exported[0].read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["Title", "Description", "Priority", "Status", "Labels", "Created"]
    assert '=HYPERLINK("http://x","click") the heatmap' in rows[0]["Description"]
    assert not rows[0]["Title"].startswith(("=", "+", "-", "@"))
    answered = [a for a in storage.list_answers(env.db(), attempt_id=attempt) if not a.skipped]
    assert answered and all(a.status == "ticket_filed" for a in answered)
    assert [b.key for b in at.get("download_button")] == ["exp_ticket_file_dl"]
    # The next rerun finds no new answer (they are ticket filed now); the file is still offered.
    at.run()
    assert any("nothing to export" in i for i in texts(at.info))
    assert [b.key for b in at.get("download_button")] == ["exp_ticket_file_dl"]


def test_evidence_pack_is_built_with_a_valid_manifest(app: Callable[..., AppTest], seed: Seed, env: Env) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.button(key="ev_build").click().run()
    assert not at.exception and not at.error
    (pack,) = (Path(str(env.db_path)).parent / "exports").glob("training_evidence_*.zip")
    assert verify_pack(pack, load_signing_key(default_key_path(env.auth_path.parent)).public_key()) == []
    with zipfile.ZipFile(pack) as z:
        assert {
            "summary.md",
            "summary.html",
            "attempts.csv",
            "decisions.csv",
            "decision_log.ndjson",
            "qa.csv",
            "observations.csv",
            "manifest.json",
        } <= set(z.namelist())
    assert any("decisions.csv" in c for c in texts(at.caption))


def test_a_failed_ticket_export_does_not_offer_the_previous_file(
    app: Callable[..., AppTest], seed: Seed, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.button(key="exp_tickets").click().run()
    assert not at.exception and [b.key for b in at.get("download_button")] == ["exp_ticket_file_dl"]
    blocker = Path(str(env.db_path)).parent / "blocker"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("OPTRAIN_EXPORTS", str(blocker / "exports"))
    at.button(key="exp_tickets").click().run()
    assert not at.exception
    assert any("cannot be written" in e for e in texts(at.error))
    assert at.get("download_button") == []


def test_an_empty_build_never_offers_the_previous_pack(app: Callable[..., AppTest], seed: Seed) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.button(key="ev_build").click().run()
    assert not at.exception and [b.key for b in at.get("download_button")] == ["ev_file_dl"]
    at.text_input(key="ev_trainee").input("someone_else").run()
    assert not at.exception
    assert at.get("download_button") == [], "a pack made for other filters is not offered"
    at.button(key="ev_build").click().run()
    assert not at.exception
    assert any(e.startswith("Nothing to export") for e in texts(at.error))
    assert at.get("download_button") == []
    at.text_input(key="ev_trainee").input("").run()
    assert not at.exception and at.get("download_button") == [], "the failed build dropped the earlier pack"


def test_the_evidence_build_shows_its_progress(app: Callable[..., AppTest], seed: Seed) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.button(key="ev_build").click().run()
    assert not at.exception
    (bar,) = at.get("progress")
    assert bar.proto.value == 100 and bar.proto.text == "Done: signed and ready to download"


def test_nothing_to_export_says_so_and_writes_nothing(app: Callable[..., AppTest], env: Env) -> None:
    at = app("support", "exports")
    assert any("nothing to export" in i for i in texts(at.info))
    assert not (Path(str(env.db_path)).parent / "exports").exists()


def test_retention_is_for_admins(app: Callable[..., AppTest]) -> None:
    support = app("support", "exports")
    assert not [b for b in support.button if b.key == "ret_purge"]
    admin = app("admin", "exports")
    assert [b for b in admin.button if b.key == "ret_purge"]
