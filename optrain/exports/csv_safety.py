"""CSV that spreadsheets open as text, never as formulas (CSV / formula injection).

Rule: a text cell whose first character is `=`, `+`, `-`, `@`, a tab or a
carriage return gets a single quote `'` put in front of it, so Excel,
LibreOffice and Google Sheets show it as text instead of evaluating it
(OWASP "CSV Injection"). A cell that already starts with a quote is left
alone.

Bidirectional control characters (a right-to-left override can make
`gnp.exe` read as `exe.png`) are written visibly as `[U+202E]`
(`optrain.text_safety.visible_bidi`), as the staff tables show them. Nothing
else in a cell changes.

Only text (`str`) cells are neutralised: trainee answers, names, reply
bodies, notes, ids, time stamps. Numbers the app computes itself (scores,
points, elapsed seconds) are written as numbers, so a penalty of -1 stays
`-1` and still sums in a spreadsheet; a number cannot carry a formula.

Files are UTF-8 without a byte-order mark (ticket importers read the first
header literally), with `\\r\\n` line ends and minimal quoting; every cell,
including ones with commas, quotes and line breaks, parses back with
Python's csv module and pandas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from optrain.text_safety import visible_bidi

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"
_TRIGGERS = "".join(FORMULA_TRIGGERS)  # one-character triggers, for a membership test


def neutralise(text: str) -> str:
    """`text`, with a leading `'` when a spreadsheet would otherwise read it as a formula, and
    bidirectional controls shown."""
    text = visible_bidi(text)
    return NEUTRALISING_PREFIX + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_row(cells: Sequence[Any]) -> Sequence[Any]:
    """Neutralise the text cells of a row; numbers and empty (None) cells pass through.

    Most rows hold only plain ASCII text that starts with no trigger: they are tested inline, without a
    call, and handed back as they are; a row with any other text cell is rebuilt.
    """
    for cell in cells:
        if isinstance(cell, str) and cell and (cell[0] in _TRIGGERS or not cell.isascii()):
            return [neutralise(c) if isinstance(c, str) else c for c in cells]
    return cells


class SafeCsvWriter:
    """A csv writer that neutralises every text cell it writes, headers included."""

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, cells: Sequence[Any]) -> None:
        self._writer.writerow(safe_row(cells))

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        self._writer.writerows(map(safe_row, rows))


def csv_line(cells: Sequence[Any]) -> str:
    """One row as `SafeCsvWriter` writes it, line end included."""
    buffer = io.StringIO(newline="")
    SafeCsvWriter(buffer).writerow(cells)
    return buffer.getvalue()
