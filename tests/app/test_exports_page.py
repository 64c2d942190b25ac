"""The Exports page: tickets from the Q&A capture and the evidence pack, written and offered for download."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from optrain import storage
from optrain.exports import verify_pack

from .harness import Env, Seed, texts


def seeded(seed: Seed) -> int:
    attempt = seed.finished()
    scenario = seed.scenario()
    text_q = next(q.id for q in scenario.questions if q.kind == "text")
    seed.feedback(attempt, {text_q: '=HYPERLINK("http://x","click") the heatmap, colours confuse me'})
    return attempt


def test_support_exports_linear_tickets_and_marks_them_filed(app: Callable[..., AppTest], seed: Seed, env: Env) -> None:
    attempt = seeded(seed)
    at = app("support", "exports")
    assert not at.exception
    at.radio(key="exp_format").set_value("linear").run()
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
    assert verify_pack(pack) == []
    with zipfile.ZipFile(pack) as z:
        assert {"summary.md", "summary.html", "attempts.csv", "decisions.csv", "decision_log.ndjson", "qa.csv",
                "observations.csv", "manifest.json"} <= set(z.namelist())
    assert any("decisions.csv" in c for c in texts(at.caption))


def test_nothing_to_export_says_so_and_writes_nothing(app: Callable[..., AppTest], env: Env) -> None:
    at = app("support", "exports")
    assert any("nothing to export" in i for i in texts(at.info))
    assert not (Path(str(env.db_path)).parent / "exports").exists()


def test_retention_is_for_admins(app: Callable[..., AppTest]) -> None:
    support = app("support", "exports")
    assert not [b for b in support.button if b.key == "ret_purge"]
    admin = app("admin", "exports")
    assert [b for b in admin.button if b.key == "ret_purge"]
