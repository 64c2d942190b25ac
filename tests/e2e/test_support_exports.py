"""Support signs in, exports the Q&A tickets and the evidence pack, and the downloaded files check out."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from optrain import qa_capture, storage, training
from optrain.exports import default_key_path, load_signing_key, verify_pack
from optrain.queue import generate_queue
from optrain.scenarios.loader import load_scenario_file

from .driver import AppDriver
from .server import ROOT, AppServer

pytestmark = pytest.mark.e2e
ANSWER = '=SUM(A1) "Days of cover" is clear, but <b>the heatmap</b> colours, confuse me'


def seed(server: AppServer) -> None:
    """A finished shift with one Q&A answer, written as the Train page writes it."""
    scenario = load_scenario_file(ROOT / "scenarios" / "hands_on_practice.yaml")
    db = storage.open_db(server.db_path)
    casey = training.Operator("trainee", "Casey Morgan", "trainee@hotrodan.example")
    start = datetime.now(UTC) - timedelta(hours=1)
    attempt = training.start_attempt(db, scenario, casey, start)
    state = training.load_state(db, scenario, attempt.id, "trainee")
    for n, item in enumerate(generate_queue(scenario).entries, start=1):
        note = "Over the $500 limit" if item.item.expected.call == "escalate_manager" else None
        training.record_call(
            db,
            state,
            casey,
            training.CallInput(item.item.id, item.item.expected.call, item.item.expected.template, note=note),
            now=start + timedelta(minutes=n),
            elapsed_seconds=30,
        )
        state = training.load_state(db, scenario, attempt.id, "trainee")
    training.finish(db, state, now=start + timedelta(minutes=30))
    question = next(q for q in scenario.questions if q.kind == "text")
    qa_capture.save_qa(
        db,
        scenario,
        storage.get_attempt(db, attempt.id),
        [qa_capture.AnswerInput(question.id, ANSWER, "high")],
        uploads_dir=server.data / "uploads",
        now=start + timedelta(minutes=31),
    )
    db.close()


def download(app: AppDriver, button: str, folder: Path) -> Path:
    """Click `button` once and save the file the browser downloads."""
    with app.page.expect_download() as info:
        app.button(button).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_support_exports_tickets_and_evidence(
    own_server: AppServer, open_app: Callable[..., AppDriver], tmp_path: Path
) -> None:
    seed(own_server)
    app = open_app(own_server)
    app.sign_in("support")
    app.goto("/exports")
    expect(app.page.get_by_role("heading", name="Exports")).to_be_visible()
    app.shot("tickets_filtered")
    tickets = download(app, "Export and download 1 ticket(s)", tmp_path)  # one click: built, then downloaded
    expect(app.page.get_by_test_id("stAlertContentSuccess")).to_contain_text("1 ticket(s) written to qa_tickets_")
    app.settle()
    app.shot("tickets_exported")
    assert tickets.name.startswith("qa_tickets_") and tickets.suffix == ".csv"
    rows = list(csv.DictReader(io.StringIO(tickets.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["Title", "Description", "Priority", "Status", "Labels", "Created"]
    assert len(rows) == 1 and rows[0]["Priority"] == "High"
    assert ANSWER in rows[0]["Description"] and "hands_on_practice" in rows[0]["Description"]
    again = download(app, "Download it again", tmp_path / "again")  # the fallback when the click's own one fails
    assert again.read_bytes() == tickets.read_bytes()

    app.page.get_by_role("tab", name="Evidence pack").click()
    pack = download(app, "Build and download evidence pack", tmp_path)
    expect(app.page.get_by_text("Done: signed, your download starts now")).to_be_visible()
    app.settle()
    app.shot("evidence_built")
    assert pack.name.startswith("training_evidence_") and pack.suffix == ".zip"
    signer = load_signing_key(default_key_path(own_server.data), create=False).public_key()
    assert verify_pack(pack, signer) == []
    with zipfile.ZipFile(pack) as z:
        decisions = list(csv.DictReader(io.StringIO(z.read("decisions.csv").decode("utf-8"))))
        assert len(decisions) == 7 and {d["trainee"] for d in decisions} == {"trainee"}
        assert all(d["decided_at"].endswith("+00:00") and d["verdict"] == "correct" for d in decisions)
        (answer,) = [r for r in csv.DictReader(io.StringIO(z.read("qa.csv").decode("utf-8"))) if r["skipped"] == "no"]
        assert answer["answer"] == "'" + ANSWER  # verbatim, behind the documented formula-neutralising quote
        log = z.read("decision_log.ndjson").decode("utf-8").splitlines()
        assert len(log) == 7 and all(
            '"operator_email": "trainee@hotrodan.example"' in line
            or '"operator_email":"trainee@hotrodan.example"' in line
            for line in log
        )
        assert "<script" not in z.read("summary.html").decode("utf-8")


def test_a_second_click_gets_no_file_once_nothing_is_left_to_export(
    own_server: AppServer, open_app: Callable[..., AppDriver], tmp_path: Path
) -> None:
    """The first click marks the answer ticket filed; a second click on the same page finds nothing to export
    and must not be handed the first file."""
    seed(own_server)
    app = open_app(own_server)
    app.sign_in("support")
    app.goto("/exports")
    page = app.page
    page.get_by_test_id("stCheckbox").filter(has_text="Mark the exported answers as ticket filed").click()
    app.settle()
    first = download(app, "Export and download 1 ticket(s)", tmp_path)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("1 marked ticket filed")
    app.settle()
    (row,) = csv.DictReader(io.StringIO(first.read_text(encoding="utf-8")))
    assert ANSWER in row["Description"]
    later: list[object] = []
    page.on("download", lambda d: later.append(d))
    app.button("Export and download 1 ticket(s)").click()  # the page still lists the answer until this rerun
    expect(page.get_by_text("No answers match these filters, so there is nothing to export.")).to_be_visible()
    expect(page.get_by_test_id("stDownloadButtonError")).to_be_visible()  # the click's request came back empty
    app.shot("second_click_nothing_left")
    assert later == []
    expect(app.button("Export and download tickets")).to_be_disabled()
