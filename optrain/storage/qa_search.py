"""The Q&A browser's query: filters plus full-text search (SQLite FTS5) over the answers."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from optrain.storage.db import fetch_all, utc_iso
from optrain.storage.qa import QaAnswer, answer_from_row

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Inside an emoji sequence: zero-width joiner, variation selectors, keycap, skin tones, tag characters.
_EMOJI_JOINERS = re.compile("[\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


@dataclass(frozen=True)
class QaFilter:
    parts: tuple[str, ...] = ()
    question_ids: tuple[str, ...] = ()
    scenario_ids: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    include_skipped: bool = False


def fts_query(text: str) -> str | None:
    """Words the user typed as an FTS5 query: each word quoted (prefix-matched), so no input is syntax."""
    words = _TOKEN.findall(text)[:12]
    return " ".join(f'"{w}"*' for w in words) or None


def symbol_terms(text: str) -> tuple[str, ...]:
    """Emoji and other symbols typed in a search, each sequence kept whole ('👨‍👩‍👧', '👍🏽').

    FTS5's unicode61 tokenizer treats symbols as separators, so a search for
    one gave no FTS query at all and matched every answer; they are matched
    as substrings instead. Text with neither words nor symbols (only
    punctuation) is matched as typed.
    """
    terms: list[str] = []
    current = ""
    for char in text:
        if unicodedata.category(char) == "So" or (current and _EMOJI_JOINERS.fullmatch(char)):
            current += char
            continue
        if current:
            terms.append(current)
            current = ""
    if current:
        terms.append(current)
    if not terms and not _TOKEN.search(text) and text.strip():
        terms.append(text.strip())
    return tuple(dict.fromkeys(terms))[:12]


def _json(values: tuple[str, ...]) -> str | None:
    return json.dumps(list(values)) if values else None


def search_answers(db: Database, f: QaFilter, *, limit: int = 1000) -> tuple[QaAnswer, ...]:
    """Newest first. An empty filter matches every answered (not skipped) question."""
    sql = """
        SELECT q.id, q.attempt_id, q.username, q.scenario_id, q.scenario_version, q.question_id, q.part, q.kind,
               q.answer, q.skipped, q.severity, q.screenshot, q.created_at, q.status
        FROM qa_answers q
        WHERE (:include_skipped = 1 OR q.skipped = 0)
          AND (:parts IS NULL OR q.part IN (SELECT value FROM json_each(:parts)))
          AND (:question_ids IS NULL OR q.question_id IN (SELECT value FROM json_each(:question_ids)))
          AND (:scenario_ids IS NULL OR q.scenario_id IN (SELECT value FROM json_each(:scenario_ids)))
          AND (:severities IS NULL OR q.severity IN (SELECT value FROM json_each(:severities)))
          AND (:statuses IS NULL OR q.status IN (SELECT value FROM json_each(:statuses)))
          AND (:since IS NULL OR q.created_at >= :since)
          AND (:until IS NULL OR q.created_at < :until)
          AND (:match IS NULL OR q.id IN (SELECT rowid FROM qa_answers_fts WHERE qa_answers_fts MATCH :match))
          AND (:symbols IS NULL OR NOT EXISTS (
                SELECT 1 FROM json_each(:symbols) s WHERE instr(COALESCE(q.answer, ''), s.value) = 0))
        ORDER BY q.created_at DESC, q.id DESC
        LIMIT :limit
    """
    params: dict[str, Any] = {
        "include_skipped": int(f.include_skipped),
        "parts": _json(f.parts),
        "question_ids": _json(f.question_ids),
        "scenario_ids": _json(f.scenario_ids),
        "severities": _json(f.severities),
        "statuses": _json(f.statuses),
        "since": utc_iso(f.since) if f.since else None,
        "until": utc_iso(f.until) if f.until else None,
        "match": fts_query(f.text),
        "symbols": _json(symbol_terms(f.text)),
        "limit": limit,
    }
    return fetch_all(db, sql, params, answer_from_row)
