"""The learning path and its certificate.

A trainee who has passed every required scenario of the path and the
certification scenario gets one certificate: name, date, best score per
agenda part and a verification id that `optrain certificate verify ID` checks
against the database. The PDF is written with fpdf2 and the fonts bundled in
`optrain/fonts/`, so a name in any script prints as the trainee wrote it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import cast

from fontTools.ttLib import TTFont
from fpdf import FPDF
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
    db: Database,
    *,
    username: str,
    display_name: str,
    scenarios: Mapping[str, Scenario],
    progress: Mapping[str, ScenarioProgress],
    now: datetime,
) -> CertificateRow | None:
    """The trainee's certificate, issued now if the path is complete and none exists yet."""
    existing = certificate_of(db, username)
    if existing is not None or not path_status(scenarios, progress).complete:
        return existing
    scores = part_scores(scenarios, progress)
    body = json.dumps(
        {"username": username, "name": display_name, "issued_at": now.isoformat(), "scores": scores}, sort_keys=True
    )
    return put_certificate(
        db,
        CertificateRow(
            verification_id=new_verification_id(),
            username=username,
            display_name=display_name,
            issued_at=now,
            scores=scores,
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
        ),
    )


def part_title(part: str) -> str:
    return "Certification" if part == "certification" else AGENDA_TITLES.get(part, part)


# ---------------------------------------------------------------- PDF

FONTS = Path(__file__).resolve().parent / "fonts"
_PAGE_W, _PAGE_H = 842.0, 595.0  # A4 landscape, in points
_TEXT_W = _PAGE_W - 2 * 72  # the text block: a margin of 72 pt inside the page, well within the frame
_NAME_SIZES = (30, 28, 26, 24, 22, 20, 18, 16)  # a long name shrinks first, then wraps at the smallest size


@lru_cache(maxsize=1)
def _main_font_chars() -> frozenset[int]:
    """Code points both DejaVu faces draw; anything else needs the fallback font."""
    regular, bold = (
        TTFont(FONTS / name, lazy=True).getBestCmap() for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
    )
    return frozenset(regular) & frozenset(bold)


def _new_pdf(cert: CertificateRow) -> FPDF:
    pdf = FPDF(orientation="landscape", unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(72, 36, 72)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    if any(ord(c) not in _main_font_chars() for c in cert.display_name if not c.isspace()):
        # DejaVu has no CJK glyphs: Droid Sans Fallback draws those (and only those). Loading it
        # takes half a second, so it is added only for a name that needs it.
        pdf.add_font("DroidFallback", "", FONTS / "DroidSansFallbackFull.ttf")
        pdf.set_fallback_fonts(["DroidFallback"], exact_match=False)
    pdf.set_title(f"Certificate {cert.verification_id}")
    pdf.set_creator("Operator Training Simulator")
    pdf.set_creation_date(cert.issued_at)
    pdf.add_page()
    return pdf


def _centred(pdf: FPDF, text: str, size: float, *, bold: bool = False, gap: float = 0.0) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(_TEXT_W, size * 1.25, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.get_y() + gap)


def _name_size(pdf: FPDF, name: str) -> float:
    """The largest size at which the name fits on one line; the smallest (wrapping) when none does."""
    for size in _NAME_SIZES:
        pdf.set_font("DejaVu", "B", size)
        lines = cast(list[str], pdf.multi_cell(_TEXT_W, size * 1.25, name, align="C", dry_run=True, output="LINES"))
        if len(lines) == 1:
            return size
    return _NAME_SIZES[-1]


def printable_name(name: str) -> str:
    """The name as printed: control and format characters (escape codes, bidi overrides) dropped, spaces collapsed."""
    return " ".join("".join(c for c in name if c.isspace() or not unicodedata.category(c).startswith("C")).split())


def render_pdf(cert: CertificateRow, shop: str = "Hot Rodan") -> bytes:
    """A one-page A4 landscape certificate; any script in the name prints as written."""
    cert = replace(cert, display_name=printable_name(cert.display_name))
    pdf = _new_pdf(cert)
    pdf.set_draw_color(194, 64, 13)
    pdf.set_line_width(6)
    pdf.rect(24, 24, _PAGE_W - 48, _PAGE_H - 48)
    pdf.set_line_width(1)
    pdf.rect(36, 36, _PAGE_W - 72, _PAGE_H - 72)
    pdf.set_text_color(26, 26, 26)
    pdf.set_y(96)
    _centred(pdf, "Certificate of completion", 34, bold=True, gap=6)
    _centred(pdf, "Operator Training Simulator", 16, gap=26)
    _centred(pdf, "This certifies that", 14, gap=12)
    _centred(pdf, cert.display_name, _name_size(pdf, cert.display_name), bold=True, gap=14)
    _centred(pdf, f"completed the {shop} Operator Control Center training path and its certification", 14)
    _centred(pdf, f"on {cert.issued_at:%d %B %Y}.", 14, gap=22)
    for part, score in sorted(cert.scores.items(), key=lambda kv: AGENDA.index(kv[0]) if kv[0] in AGENDA else 99):
        _centred(pdf, f"{part_title(part)}: {score:.0%}", 12)
    pdf.set_y(_PAGE_H - 84)
    _centred(
        pdf,
        f"Verification id: {cert.verification_id}  (check with: optrain certificate verify {cert.verification_id})",
        10,
    )
    return bytes(pdf.output())
