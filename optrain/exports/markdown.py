"""Markdown that shows user text as text: no raw HTML, no broken tables, verbatim words in a code fence."""

from __future__ import annotations

import re

_BACKTICK_RUNS = re.compile(r"`+")
# Text `inline` would return unchanged: no whitespace (`\s` is the set `str.split` splits on) and nothing to escape.
_PLAIN = re.compile(r"[^\s&<>]*")
_PLAIN_IN_TABLE = re.compile(r"[^\s&<>\\|]*")


def inline(text: str, *, in_table: bool = False) -> str:
    """One line of text for a heading, list item or table cell.

    `<`, `>` and `&` become entities, so a viewer that renders raw HTML shows
    a hostile name as text; line breaks become spaces.
    """
    if (_PLAIN_IN_TABLE if in_table else _PLAIN).fullmatch(text):
        return text  # most cells (ids, times, scores) of a large summary: one regex instead of six passes
    value = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if in_table:
        value = value.replace("\\", "\\\\").replace("|", "\\|")
    return value


def fenced(text: str) -> str:
    """`text` verbatim in a code fence longer than any run of backticks inside it (CommonMark)."""
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}\n"
