"""Answers files for headless runs: a mapping of item id -> call, in YAML or JSON.

An item's value is a call (`escalate_manager`, `approve_template:ack_delay`) or
a mapping with `call` and optionally `template`, `body` (the reply as sent, so
its reply checks run on it), `note`, `elapsed_seconds` and `quantity` (of a
reorder or a quantity adjustment, a whole number).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from optrain.errors import AnswersFileError
from optrain.scoring import Decision

MAX_ANSWERS_BYTES = 1_000_000
ALLOWED_KEYS = {"call", "template", "body", "note", "elapsed_seconds", "quantity"}


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise AnswersFileError(
                    f"'{key}' is given twice (lines {seen[key]} and {key_node.start_mark.line + 1}); "
                    "each item takes one call"
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


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
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise AnswersFileError(f"{path}: not valid YAML or JSON ({exc})") from None
    except AnswersFileError as exc:
        raise AnswersFileError(f"{path}: {exc}") from None
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
            wrong_type = [
                k for k in ("template", "body", "note") if value.get(k) is not None and not isinstance(value[k], str)
            ]
            if wrong_type:
                problems.append(f"{item_id}: {', '.join(wrong_type)} must be text")
                continue
            quantity = value.get("quantity")
            if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int | float)):
                problems.append(f"{item_id}: quantity must be a number, such as 40; got {quantity!r}")
                continue
            decisions.append(
                Decision(
                    str(item_id),
                    value["call"],
                    value.get("template"),
                    value.get("body"),
                    value.get("note"),
                    value.get("elapsed_seconds"),
                    quantity,
                )
            )
        else:
            problems.append(f"{item_id}: expected a call such as 'escalate_manager' or a mapping with 'call'")
    if problems:
        raise AnswersFileError(f"{name}: " + "; ".join(problems))
    return tuple(decisions)
