"""Learning path order, certificate eligibility and issue, PDF structure, CLI verification."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from optrain import storage
from optrain.certificates import issue_if_complete, learning_path, path_status, render_pdf
from optrain.cli import main
from optrain.scenarios.model import Scenario
from optrain.storage.certificates import certificate_by_id
from optrain.storage.progress import ScenarioProgress

NOW = datetime(2026, 6, 5, 16, 0, tzinfo=timezone.utc)


def scenario(sid: str, module: str, difficulty: str = "beginner", **extra: object) -> Scenario:
    return Scenario.model_validate({
        "id": sid, "title": sid, "version": 1, "module": module, "difficulty": difficulty, "briefing": "b",
        "queue": [{"id": "a", "kind": "inventory", "sku": "X", "product": "P", "units": 1, "days_of_cover": 1,
                   "expected": {"call": "reorder"}, "rationale": "r", "rule": "low_cover_reorder"}], **extra})


SCENARIOS = {s.id: s for s in (
    scenario("final", "hands_on", "advanced", certification=True, feedback_mode="exam", pass_mark=0.85),
    scenario("cx2", "cx_escalations", "intermediate"),
    scenario("intro", "introduction"),
    scenario("cx1", "cx_escalations"),
    scenario("extra", "custom", required=False),
)}


def progress(passed: dict[str, float]) -> dict[str, ScenarioProgress]:
    return {sid: ScenarioProgress(sid, 1, 1, pct, True, NOW, None) for sid, pct in passed.items()}


def test_path_is_agenda_order_easier_first_certification_last() -> None:
    assert [s.id for s in learning_path(SCENARIOS)] == ["intro", "cx1", "cx2", "final"]


@pytest.mark.parametrize(
    ("passed", "next_id", "complete"),
    [({}, "intro", False), ({"intro": 1, "cx1": 1}, "cx2", False),
     ({"intro": 1, "cx1": 1, "cx2": 1}, "final", False), ({"intro": 1, "cx1": 1, "cx2": 1, "final": 0.9}, None, True)],
)
def test_path_status(passed: dict[str, float], next_id: str | None, complete: bool) -> None:
    status = path_status(SCENARIOS, progress(passed))
    assert (status.next.id if status.next else None, status.complete) == (next_id, complete)


def test_certificate_issued_once_when_complete_and_verifiable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "c.db"
    db = storage.open_db(db_path)
    partial = progress({"intro": 1.0, "cx1": 0.9})
    assert issue_if_complete(db, username="casey", display_name="Casey Morgan", scenarios=SCENARIOS,
                             progress=partial, now=NOW) is None
    full = progress({"intro": 1.0, "cx1": 0.8, "cx2": 1.0, "final": 0.9})
    cert = issue_if_complete(db, username="casey", display_name="Casey Morgan", scenarios=SCENARIOS,
                             progress=full, now=NOW)
    assert cert is not None and re.fullmatch(r"OTS-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", cert.verification_id)
    assert cert.scores == {"introduction": 1.0, "cx_escalations": 0.9, "certification": 0.9}
    again = issue_if_complete(db, username="casey", display_name="Casey Morgan", scenarios=SCENARIOS,
                              progress=full, now=NOW)
    assert again == cert and certificate_by_id(db, cert.verification_id) == cert
    monkeypatch.setenv("OPTRAIN_DB", str(db_path))
    ok = CliRunner().invoke(main, ["certificate", "verify", cert.verification_id])
    assert ok.exit_code == 0 and "Casey Morgan" in ok.output and "VALID" in ok.output
    bad = CliRunner().invoke(main, ["certificate", "verify", "OTS-XXXX-XXXX-XXXX"])
    assert bad.exit_code == 1 and "No certificate" in bad.output


def test_pdf_is_well_formed_and_names_the_holder() -> None:
    from optrain.storage.certificates import CertificateRow

    cert = CertificateRow("OTS-AAAA-BBBB-CCCC", "casey", "Casey (O'Brien) \\ Morgan", NOW,
                          {"introduction": 1.0, "certification": 0.9}, "h")
    pdf = render_pdf(cert)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:xref + 4] == b"xref"
    offsets = [int(line[:10]) for line in pdf[xref:].split(b"\n")[3:9]]
    assert all(pdf[o:].split(b" ", 1)[0].isdigit() and b" 0 obj" in pdf[o:o + 12] for o in offsets)
    assert b"Casey \\(O'Brien\\) \\\\ Morgan" in pdf and b"OTS-AAAA-BBBB-CCCC" in pdf
