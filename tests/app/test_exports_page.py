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
from optrain.errors import ExportError
from optrain.exports import default_key_path, load_signing_key, verify_pack
from optrain.ui.downloads import Handover

from .harness import Env, Seed, texts


def seeded(seed: Seed) -> int:
    attempt = seed.finished()
    scenario = seed.scenario()
    text_q = next(q.id for q in scenario.questions if q.kind == "text")
    seed.feedback(attempt, {text_q: '=HYPERLINK("http://x","click") the heatmap, colours confuse me'})
    return attempt


def handed_over(at: AppTest, key: str, seen: int) -> bytes:
    """What the browser receives for a click made after build number `seen` of the download button `key`."""
    handover: Handover = at.session_state[f"{key}_handover"]
    return handover.file_after(seen, timeout=0)


def exported(env: Env, pattern: str) -> list[Path]:
    return sorted((Path(str(env.db_path)).parent / "exports").glob(pattern))


def test_tickets_are_not_marked_filed_unless_asked(app: Callable[..., AppTest], seed: Seed, env: Env) -> None:
    attempt = seeded(seed)
    at = app("support", "exports")
    assert not at.exception
    assert at.checkbox(key="exp_mark").value is False
    at.download_button(key="exp_tickets").click().run()
    assert not at.exception and not at.error
    (written,) = exported(env, "qa_tickets_*")
    assert handed_over(at, "exp_tickets", 0) == written.read_bytes()
    assert [s.value for s in at.success] == [f"1 ticket(s) written to {written.name}; your download starts now."]
    # If the browser's request for the click's file comes too late, the same file is one click away.
    again = at.download_button(key="exp_tickets_again")
    assert again.proto.label == "Download it again" and not again.disabled
    answered = [a for a in storage.list_answers(env.db(), attempt_id=attempt) if not a.skipped]
    assert answered and all(a.status == "new" for a in answered)


def test_support_exports_linear_tickets_and_marks_them_filed(app: Callable[..., AppTest], seed: Seed, env: Env) -> None:
    attempt = seeded(seed)
    at = app("support", "exports")
    assert not at.exception
    at.radio(key="exp_format").set_value("linear").run()
    at.checkbox(key="exp_mark").check().run()
    assert at.download_button(key="exp_tickets").proto.label == "Export and download 1 ticket(s)"
    at.download_button(key="exp_tickets").click().run()
    assert not at.exception and not at.error
    (written,) = exported(env, "*.csv")
    assert handed_over(at, "exp_tickets", 0) == written.read_bytes()
    assert [s.value for s in at.success] == [
        f"1 ticket(s) written to {written.name}; 1 marked ticket filed; your download starts now."
    ]
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["Title", "Description", "Priority", "Status", "Labels", "Created"]
    assert '=HYPERLINK("http://x","click") the heatmap' in rows[0]["Description"]
    assert not rows[0]["Title"].startswith(("=", "+", "-", "@"))
    answered = [a for a in storage.list_answers(env.db(), attempt_id=attempt) if not a.skipped]
    assert answered and all(a.status == "ticket_filed" for a in answered)
    # The next rerun finds no new answer (they are ticket filed now): nothing more to export.
    at.run()
    assert any("nothing to export" in i for i in texts(at.info))
    assert at.download_button(key="exp_tickets").disabled
    with pytest.raises(ExportError):  # a second click made before this rerun gets no file, not the first one
        handed_over(at, "exp_tickets", 1)


def test_evidence_pack_is_built_and_handed_over_with_a_valid_manifest(
    app: Callable[..., AppTest], seed: Seed, env: Env
) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.download_button(key="ev_build").click().run()
    assert not at.exception and not at.error
    (pack,) = exported(env, "training_evidence_*.zip")
    assert handed_over(at, "ev_build", 0) == pack.read_bytes()
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
    assert f"{pack.name}: attempts.csv (1 rows), decisions.csv (7 rows)" in " ".join(texts(at.caption))


def test_a_failed_ticket_export_hands_over_no_file(
    app: Callable[..., AppTest], seed: Seed, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.download_button(key="exp_tickets").click().run()
    assert not at.exception and handed_over(at, "exp_tickets", 0)
    blocker = Path(str(env.db_path)).parent / "blocker"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("OPTRAIN_EXPORTS", str(blocker / "exports"))
    at.download_button(key="exp_tickets").click().run()
    assert not at.exception
    assert any("cannot be written" in e for e in texts(at.error))
    with pytest.raises(ExportError, match="The build failed"):
        handed_over(at, "exp_tickets", 1)


def test_an_empty_build_never_hands_over_the_previous_pack(app: Callable[..., AppTest], seed: Seed) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.download_button(key="ev_build").click().run()
    assert not at.exception and handed_over(at, "ev_build", 0)
    at.text_input(key="ev_trainee").input("someone_else").run()
    at.download_button(key="ev_build").click().run()
    assert not at.exception
    assert any(e.startswith("Nothing to export") for e in texts(at.error))
    with pytest.raises(ExportError, match="The build failed"):
        handed_over(at, "ev_build", 1)


def test_the_evidence_build_shows_its_progress(app: Callable[..., AppTest], seed: Seed) -> None:
    seeded(seed)
    at = app("support", "exports")
    at.download_button(key="ev_build").click().run()
    assert not at.exception
    (bar,) = at.get("progress")
    assert bar.proto.value == 100 and bar.proto.text == "Done: signed, your download starts now"


def test_nothing_to_export_says_so_and_writes_nothing(app: Callable[..., AppTest], env: Env) -> None:
    at = app("support", "exports")
    assert any("nothing to export" in i for i in texts(at.info))
    assert not (Path(str(env.db_path)).parent / "exports").exists()


def test_retention_is_for_admins(app: Callable[..., AppTest]) -> None:
    support = app("support", "exports")
    assert not [b for b in support.button if b.key == "ret_purge"]
    admin = app("admin", "exports")
    assert [b for b in admin.button if b.key == "ret_purge"]
