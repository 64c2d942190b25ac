"""Learning path order, certificate eligibility and issue, PDF structure, CLI verification."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader
from sqlite_utils import Database

from optrain import training
from optrain.certificates import issue_if_complete, learning_path, path_status, render_pdf
from optrain.cli import main
from optrain.scenarios.model import Scenario
from optrain.storage.certificates import CertificateRow, certificate_by_id, certificate_of
from optrain.storage.progress import ScenarioProgress

NOW = datetime(2026, 6, 5, 16, 0, tzinfo=UTC)


def scenario(sid: str, module: str, difficulty: str = "beginner", **extra: object) -> Scenario:
    return Scenario.model_validate(
        {
            "id": sid,
            "title": sid,
            "version": 1,
            "module": module,
            "difficulty": difficulty,
            "briefing": "b",
            "queue": [
                {
                    "id": "a",
                    "kind": "inventory",
                    "sku": "X",
                    "product": "P",
                    "units": 1,
                    "days_of_cover": 1,
                    "expected": {"call": "reorder"},
                    "rationale": "r",
                    "rule": "low_cover_reorder",
                }
            ],
            **extra,
        }
    )


SCENARIOS = {
    s.id: s
    for s in (
        scenario("final", "hands_on", "advanced", certification=True, feedback_mode="exam", pass_mark=0.85),
        scenario("cx2", "cx_escalations", "intermediate"),
        scenario("intro", "introduction"),
        scenario("cx1", "cx_escalations"),
        scenario("extra", "custom", required=False),
    )
}


def progress(passed: dict[str, float]) -> dict[str, ScenarioProgress]:
    return {sid: ScenarioProgress(sid, 1, 1, pct, True, NOW, None) for sid, pct in passed.items()}


def test_path_is_agenda_order_easier_first_certification_last() -> None:
    assert [s.id for s in learning_path(SCENARIOS)] == ["intro", "cx1", "cx2", "final"]


@pytest.mark.parametrize(
    ("passed", "next_id", "complete"),
    [
        ({}, "intro", False),
        ({"intro": 1, "cx1": 1}, "cx2", False),
        ({"intro": 1, "cx1": 1, "cx2": 1}, "final", False),
        ({"intro": 1, "cx1": 1, "cx2": 1, "final": 0.9}, None, True),
    ],
)
def test_path_status(passed: dict[str, float], next_id: str | None, complete: bool) -> None:
    status = path_status(SCENARIOS, progress(passed))
    assert (status.next.id if status.next else None, status.complete) == (next_id, complete)


def test_certificate_issued_once_when_complete_and_verifiable(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    partial = progress({"intro": 1.0, "cx1": 0.9})
    assert (
        issue_if_complete(
            db, username="casey", display_name="Casey Morgan", scenarios=SCENARIOS, progress=partial, now=NOW
        )
        is None
    )
    full = progress({"intro": 1.0, "cx1": 0.8, "cx2": 1.0, "final": 0.9})
    cert = issue_if_complete(
        db, username="casey", display_name="Casey Morgan", scenarios=SCENARIOS, progress=full, now=NOW
    )
    assert cert is not None and re.fullmatch(r"OTS-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", cert.verification_id)
    assert cert.scores == {"introduction": 1.0, "cx_escalations": 0.9, "certification": 0.9}
    again = issue_if_complete(
        db, username="casey", display_name="Casey Morgan", scenarios=SCENARIOS, progress=full, now=NOW
    )
    assert again == cert and certificate_by_id(db, cert.verification_id) == cert
    monkeypatch.setenv("OPTRAIN_DB", str(db_path))
    ok = CliRunner().invoke(main, ["certificate", "verify", cert.verification_id])
    assert ok.exit_code == 0 and "Casey Morgan" in ok.output and "VALID" in ok.output
    bad = CliRunner().invoke(main, ["certificate", "verify", "OTS-XXXX-XXXX-XXXX"])
    assert bad.exit_code == 1 and "No certificate" in bad.output


def cert_for(name: str) -> CertificateRow:
    return CertificateRow("OTS-AAAA-BBBB-CCCC", "casey", name, NOW, {"introduction": 1.0, "certification": 0.9}, "h")


def pdf_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return [line.strip() for line in reader.pages[0].extract_text().splitlines()]


@pytest.mark.parametrize(
    "name", ["Zoë Ångström-Øvergaard", "Łukasz Żółć", "Иван Петров", "李小龍", "Casey (O'Brien) \\ Morgan"]
)
def test_the_name_prints_as_written(name: str) -> None:
    lines = pdf_lines(render_pdf(cert_for(name)))
    assert lines[:4] == ["Certificate of completion", "Operator Training Simulator", "This certifies that", name]
    assert "1. Introduction: 100%" in lines and "Certification: 90%" in lines
    assert (
        lines[-1] == "Verification id: OTS-AAAA-BBBB-CCCC  (check with: optrain certificate verify OTS-AAAA-BBBB-CCCC)"
    )


LONG_NAMES = [
    "Maria Magdalena Wilhelmina Zoë Ångström-Øvergaard von Hohenzollern-Sigmaringen und Liechtenstein-Vaduz de la Cruz",
    "W" * 120,
]


@pytest.mark.parametrize("name", LONG_NAMES)
def test_a_long_name_wraps_and_is_kept_whole(name: str) -> None:
    lines = pdf_lines(render_pdf(cert_for(name)))
    start, end = (
        lines.index("This certifies that") + 1,
        next(i for i, x in enumerate(lines) if x.startswith("completed")),
    )
    assert 2 <= end - start <= 4  # 120 of the widest letter take four lines at the smallest size
    assert "".join(lines[start:end]).replace(" ", "") == name.replace(" ", "")


@pytest.mark.parametrize("name", [*LONG_NAMES, "李小龍"])
def test_the_page_renders_with_everything_inside_the_frame(name: str, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed; `make test` installs it")
    (tmp_path / "c.pdf").write_bytes(render_pdf(cert_for(name)))
    subprocess.run(["pdftoppm", "-r", "36", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    image = Image.open(pages[0]).convert("RGB")
    assert image.size == (421, 298)  # A4 landscape at 36 dpi: half a pixel per point
    # The text is near-black, the frame orange: no near-black pixel between the page edge and
    # the inner frame line (36 pt = 18 px in), and some inside it.
    dark = {(x, y) for x in range(image.width) for y in range(image.height) if max(image.getpixel((x, y))) < 90}
    assert dark and all(19 < x < image.width - 19 and 19 < y < image.height - 19 for x, y in dark)


def test_finishing_the_last_attempt_of_the_path_issues_the_certificate(db: Database) -> None:
    casey = training.Operator("casey", "Łukasz Żółć", "casey@example.test")
    order = [s for s in learning_path(SCENARIOS)]
    for scenario in order:
        assert certificate_of(db, "casey") is None
        attempt = training.start_attempt(db, scenario, casey, NOW)
        state = training.load_state(db, scenario, attempt.id, "casey")
        training.record_call(db, state, casey, training.CallInput("a", "reorder"), now=NOW, elapsed_seconds=5)
        training.finish(db, training.load_state(db, scenario, attempt.id, "casey"), now=NOW, catalog=SCENARIOS)
    cert = certificate_of(db, "casey")
    assert cert is not None and cert.display_name == "Łukasz Żółć" and cert.issued_at == NOW
    assert cert.scores == {"introduction": 1.0, "cx_escalations": 1.0, "certification": 1.0}


def test_a_trial_run_issues_nothing(db: Database) -> None:
    casey = training.Operator("casey", "Casey Morgan", "casey@example.test")
    only = {"final": SCENARIOS["final"]}
    attempt = training.start_attempt(db, only["final"], casey, NOW, official=False)
    state = training.load_state(db, only["final"], attempt.id, "casey")
    training.record_call(db, state, casey, training.CallInput("a", "reorder"), now=NOW, elapsed_seconds=5)
    training.finish(db, training.load_state(db, only["final"], attempt.id, "casey"), now=NOW, catalog=only)
    assert certificate_of(db, "casey") is None


def test_a_character_no_bundled_font_has_is_left_out_not_fatal() -> None:
    lines = pdf_lines(render_pdf(cert_for("Casey 🚗 Morgan")))
    assert lines[3].replace(" ", "") == "CaseyMorgan"
