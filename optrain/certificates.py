"""The learning path and its certificate.

A trainee who has passed every required scenario of the path and the
certification scenario gets one certificate: name, date, best score per
agenda part and a verification id that `optrain certificate verify ID` checks
against the database. The PDF is written by a small built-in writer (one
page, standard fonts) so no extra dependency is needed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from optrain.scenarios.model import AGENDA, AGENDA_TITLES, Scenario
from optrain.storage.certificates import CertificateRow, certificate_of, put_certificate
from optrain.storage.progress import ScenarioProgress

DIFFICULTY_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def learning_path(scenarios: Mapping[str, Scenario]) -> tuple[Scenario, ...]:
    """Required scenarios in agenda order, easier first; the certification scenario last."""
    required = [s for s in scenarios.values() if s.required and not s.certification]
    required.sort(key=lambda s: (AGENDA.index(s.module), DIFFICULTY_RANK[s.difficulty], s.title))
    finals = sorted((s for s in scenarios.values() if s.certification), key=lambda s: s.title)
    return tuple(required + finals)


@dataclass(frozen=True)
class PathStatus:
    path: tuple[Scenario, ...]
    passed: frozenset[str]

    @property
    def next(self) -> Scenario | None:
        return next((s for s in self.path if s.id not in self.passed), None)

    @property
    def complete(self) -> bool:
        return bool(self.path) and any(s.certification for s in self.path) and self.next is None


def path_status(scenarios: Mapping[str, Scenario], progress: Mapping[str, ScenarioProgress]) -> PathStatus:
    return PathStatus(learning_path(scenarios), frozenset(sid for sid, p in progress.items() if p.passed))


def part_scores(scenarios: Mapping[str, Scenario], progress: Mapping[str, ScenarioProgress]) -> dict[str, float]:
    """Mean of the best scores per agenda part, over the path's scenarios."""
    by_part: dict[str, list[float]] = {}
    for scenario in learning_path(scenarios):
        best = progress.get(scenario.id)
        if best is not None and best.best_percent is not None:
            part = "certification" if scenario.certification else scenario.module
            by_part.setdefault(part, []).append(best.best_percent)
    return {part: round(sum(v) / len(v), 4) for part, v in by_part.items()}


def new_verification_id() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"OTS-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_if_complete(
    db: Database, *, username: str, display_name: str, scenarios: Mapping[str, Scenario],
    progress: Mapping[str, ScenarioProgress], now: datetime,
) -> CertificateRow | None:
    """The trainee's certificate, issued now if the path is complete and none exists yet."""
    existing = certificate_of(db, username)
    if existing is not None or not path_status(scenarios, progress).complete:
        return existing
    scores = part_scores(scenarios, progress)
    body = json.dumps({"username": username, "name": display_name, "issued_at": now.isoformat(), "scores": scores},
                      sort_keys=True)
    return put_certificate(db, CertificateRow(
        verification_id=new_verification_id(), username=username, display_name=display_name, issued_at=now,
        scores=scores, content_hash=hashlib.sha256(body.encode()).hexdigest(),
    ))


def part_title(part: str) -> str:
    return "Certification" if part == "certification" else AGENDA_TITLES.get(part, part)


# ---------------------------------------------------------------- PDF


def _pdf_text(text: str) -> str:
    encoded = text.encode("cp1252", errors="replace").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def render_pdf(cert: CertificateRow, shop: str = "Hot Rodan") -> bytes:
    """A one-page A4 landscape certificate."""
    width, height = 842, 595
    ops = ["0.76 0.25 0.05 RG 6 w 24 24 794 547 re S", "1 w 36 36 770 523 re S"]

    def line(text: str, y: float, size: int, bold: bool = False) -> None:
        approx = len(text) * size * (0.47 if bold else 0.46)  # mean Helvetica glyph width
        x = max(48.0, (width - approx) / 2)
        ops.append(f"BT /{'F2' if bold else 'F1'} {size} Tf 0.1 0.1 0.1 rg 1 0 0 1 {x:.1f} {y:.1f} Tm ({_pdf_text(text)}) Tj ET")

    line("Certificate of completion", 480, 34, bold=True)
    line("Operator Training Simulator", 445, 16)
    line("This certifies that", 400, 14)
    line(cert.display_name, 360, 30, bold=True)
    line(f"completed the {shop} Operator Control Center training path and its certification", 325, 14)
    line(f"on {cert.issued_at:%d %B %Y}.", 305, 14)
    y = 265.0
    for part, score in sorted(cert.scores.items(), key=lambda kv: AGENDA.index(kv[0]) if kv[0] in AGENDA else 99):
        line(f"{part_title(part)}: {score:.0%}", y, 12)
        y -= 18
    line(f"Verification id: {cert.verification_id}  (check with: optrain certificate verify {cert.verification_id})", 60, 10)
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
        "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
