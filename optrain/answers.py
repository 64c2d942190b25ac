"""Answers files for headless runs: a mapping of item id -> call, in YAML or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from optrain.errors import AnswersFileError
from optrain.scoring import Decision

MAX_ANSWERS_BYTES = 1_000_000
ALLOWED_KEYS = {"call", "template", "body", "note", "elapsed_seconds"}


def load_answers(path: Path | str) -> tuple[Decision, ...]:
    """Read an answers file; every problem is reported with the item it concerns."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_ANSWERS_BYTES:
            raise AnswersFileError(f"{path}: larger than {MAX_ANSWERS_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswersFileError(f"{path}: cannot be read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AnswersFileError(f"{path}: not valid YAML or JSON ({exc})") from None
    return parse_answers(data, str(path))


def parse_answers(data: Any, name: str = "answers") -> tuple[Decision, ...]:
    if not isinstance(data, dict) or not data:
        raise AnswersFileError(
            f"{name}: expected a mapping of item id -> call, e.g. 'alex-sla: approve_template:ack_delay'"
        )
    decisions: list[Decision] = []
    problems: list[str] = []
    for item_id, value in data.items():
        if isinstance(value, str):
            call, _, template = value.partition(":")
            decisions.append(Decision(str(item_id), call.strip(), template.strip() or None))
        elif isinstance(value, dict) and isinstance(value.get("call"), str):
            unknown = set(value) - ALLOWED_KEYS
            if unknown:
                problems.append(f"{item_id}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
                continue
            decisions.append(
                Decision(
                    str(item_id),
                    value["call"],
                    value.get("template"),
                    value.get("body"),
                    value.get("note"),
                    value.get("elapsed_seconds"),
                )
            )
        else:
            problems.append(f"{item_id}: expected a call such as 'escalate_manager' or a mapping with 'call'")
    if problems:
        raise AnswersFileError(f"{name}: " + "; ".join(problems))
    return tuple(decisions)
