"""CSV lines written by SQLite, byte for byte what `csv_safety.SafeCsvWriter` writes for the same row.

An evidence pack holds a CSV line per decision; formatting 600,000 of them
cell by cell in Python (a neutralisation test and a csv-module call per
cell) cost more than fetching them. Here each cell becomes a SQL expression,
so SQLite hands over whole lines:

- text: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'`
  (the formula neutralisation of `csv_safety`), then the cell is quoted,
  with its quotes doubled, when it holds a comma, a quote or a line break
  (RFC 4180, the csv module's minimal quoting);
- integers: their decimal text; NULL: an empty cell; flags: `no`/`yes`;
- floats are the one thing SQLite cannot write as Python does (it prints
  15 significant digits, Python the shortest text that reads back
  exactly), so a REAL column is returned as a separate value and Python's
  `%s` formats it: a line is `template % parts`.

A cell SQLite cannot write exactly (a BLOB, a float in a column that
should hold integers) makes its part NULL. The app never writes either, so
the caller re-formats such a rare row in Python from `row_sql`; see
`optrain.exports.table_text`. The tests hold the two writers to the same
bytes on hostile text (NUL characters included) and awkward floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The patterns are bound as parameters: constants of the statement, never built per row.
CSV_PARAMS: dict[str, str] = {"csv_formula": "[-=+@\t\r]*"}
_SPECIAL = ("','", "'\"'", "char(10)", "char(13)")

# key: an INTEGER PRIMARY KEY (always an integer); text: a TEXT column; real: a REAL column;
# flag: 0/1 written no/yes; cell: any other (INTEGER columns, which SQLite lets hold any type).
CellKind = Literal["key", "text", "cell", "real", "flag"]
Cells = tuple[tuple[str, CellKind], ...]


@dataclass(frozen=True)
class CsvLines:
    """The SQL for one CSV member: `lines_sql` yields (key, *parts), `template % parts` is the line."""

    header: tuple[str, ...]
    flags: tuple[str, ...]
    template: str
    lines_sql: str
    row_sql: str
    select_sql: str


def _text(column: str) -> str:
    """A text value as written after `safe_row`: neutralised, then quoted if it holds `,` `"` CR or LF."""
    # Every trigger character sorts before 'A', so most identifiers skip the GLOB call.
    formula = f"{column} < 'A' AND {column} GLOB :csv_formula"
    neutral = f"(CASE WHEN {formula} THEN '''' || {column} ELSE {column} END)"
    # instr compares bytes (NUL characters included); a GLOB '*[...]*' over the value cost several times more.
    special = " OR ".join(f"instr({column}, {char})" for char in _SPECIAL)
    return (
        f"CASE WHEN {special} THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' "
        f"WHEN {formula} THEN '''' || {column} ELSE {column} END"
    )


def _cell(column: str, kind: CellKind) -> str:
    """One cell as text, or (kind "real") as the float itself; NULL when only Python can write it."""
    if kind == "key":
        return f"CAST({column} AS TEXT)"
    if kind == "text":
        # A TEXT column holds text, NULL or a BLOB (SQLite stores numbers there as text). Every BLOB sorts
        # at or after X'' and all text before it: a type test without a function call.
        return f"(CASE WHEN {column} IS NULL THEN '' WHEN {column} >= X'' THEN NULL ELSE {_text(column)} END)"
    if kind == "real":
        return (f"(CASE typeof({column}) WHEN 'real' THEN {column} WHEN 'null' THEN '' "
                f"WHEN 'integer' THEN CAST({column} AS TEXT) WHEN 'text' THEN {_text(column)} END)")
    cell = (f"(CASE typeof({column}) WHEN 'integer' THEN CAST({column} AS TEXT) WHEN 'null' THEN '' "
            f"WHEN 'text' THEN {_text(column)} END)")
    if kind == "flag":
        return f"(CASE {column} WHEN 0 THEN 'no' WHEN 1 THEN 'yes' ELSE {cell} END)"
    return cell


def csv_lines(header: tuple[str, ...], cells: Cells, *, key: str, tables: str, where: str, order: str) -> CsvLines:
    """The queries for a CSV member; column and table names are constants of this package, never user text.

    Runs of non-float cells are joined (with their commas) into one part,
    so a decision line comes back as five values instead of fourteen.
    """
    parts: list[str] = []
    template: list[str] = []
    run: list[str] = []
    for index, (column, kind) in enumerate(cells):
        comma = "," if index else ""
        if kind == "real":
            if run:
                parts.append(" || ".join(run))
                template.append("%s")
                run = []
            parts.append(_cell(column, kind))
            template.append(comma + "%s")
        else:
            run.extend(["','", _cell(column, kind)] if comma else [_cell(column, kind)])
    run.append("char(13, 10)")
    parts.append(" || ".join(run))
    template.append("%s")
    columns = ", ".join(column for column, _ in cells)
    return CsvLines(
        header=header,
        flags=tuple(name for name, (_, kind) in zip(header, cells, strict=True) if kind == "flag"),
        template="".join(template),
        lines_sql=f"SELECT {key}, {', '.join(parts)} FROM {tables} WHERE {where} ORDER BY {order}",
        row_sql=f"SELECT {columns} FROM {tables} WHERE {key} = :key",
        select_sql=f"SELECT {columns} FROM {tables} WHERE {where} ORDER BY {order}",
    )
