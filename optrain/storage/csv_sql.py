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

`grouped_batch_sql` goes one step further for the largest member: SQLite
writes a whole batch of lines as one BLOB, floats included, so a batch costs
Python one value instead of one per row (and a helper process can write it
while the export compresses the previous one). A float is written in SQL
only when it is provably the float nearest a number of thousandths below
10^12 (the app stores seconds and points no finer): SQLite checks that with
integer arithmetic and exact division, builds the digits from integers, and
the text is then exactly Python's `repr`. Any other float makes its line
NULL, and the caller re-formats that batch through `range_lines_sql`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The patterns are bound as parameters: constants of the statement, never built per row.
CSV_PARAMS: dict[str, str] = {"csv_formula": "[-=+@\t\r]*"}
# Line feed and carriage return as literal characters: `char(10)` was called again for every cell.
_SPECIAL = ("','", "'\"'", "'\n'", "'\r'")
CRLF = "'\r\n'"

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
    lines_select: str  # the SELECT list of `lines_sql`
    tables: str
    where: str
    order: str

    def range_lines_sql(self, bounds: str) -> str:
        """`lines_sql` restricted to the rows within `bounds`."""
        return f"{self.lines_select} FROM {self.tables} WHERE ({self.where}) AND {bounds} ORDER BY {self.order}"


def _text(column: str) -> str:
    """A text value as written after `safe_row`: neutralised, then quoted if it holds `,` `"` CR or LF."""
    # Every trigger character sorts before 'A' and outside '0'-'<', so identifiers and time stamps
    # (which start with a digit) skip the GLOB call.
    formula = f"{column} < 'A' AND ({column} < '0' OR {column} >= '=') AND {column} GLOB :csv_formula"
    neutral = f"(CASE WHEN {formula} THEN '''' || {column} ELSE {column} END)"
    # instr compares bytes (NUL characters included); a GLOB '*[...]*' over the value cost several times more.
    special = " OR ".join(f"instr({column}, {char})" for char in _SPECIAL)
    return (
        f"CASE WHEN {special} THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' "
        f"WHEN {formula} THEN '''' || {column} ELSE {column} END"
    )


def _float_text(column: str) -> str:
    """`repr()` of a float that is the one nearest a whole number of thousandths below 10^12; else NULL.

    A whole number is written from its integer. Otherwise m = round(x * 1000)
    is only a candidate: `m / 1000.0 = x` holds exactly when x is the float
    nearest m/1000 (IEEE division rounds correctly and m is exact below
    2^53). That decimal has at most 15 significant digits, so it is the
    shortest text reading back as x, which is what `repr` writes; its
    digits come from integers, not from SQLite's own float formatting.
    (A REAL column stores -0.0 as 0.0, so the sign of zero never matters.)
    """
    whole = f"CAST({column} AS INTEGER)"
    thousandths = f"abs(CAST(round({column} * 1000) AS INTEGER))"
    fraction = f"rtrim(substr({thousandths} % 1000 + 1000, 2), '0')"
    return (
        f"CASE WHEN {column} >= 1e12 OR {column} <= -1e12 THEN NULL "
        f"WHEN {column} = {whole} THEN {whole} || '.0' "
        f"WHEN CAST(round({column} * 1000) AS INTEGER) / 1000.0 = {column} "
        f"THEN (CASE WHEN {column} < 0 THEN '-' ELSE '' END) || ({thousandths} / 1000) || '.' || {fraction} END"
    )


def _cell(column: str, kind: CellKind, *, floats_in_sql: bool = False) -> str:
    """One cell as text, or (kind "real") as the float itself; NULL when only Python can write it.

    With `floats_in_sql` a REAL cell is text too (see `_float_text`).
    """
    if kind == "key":
        return f"CAST({column} AS TEXT)"
    if kind == "text":
        # A TEXT column holds text, NULL or a BLOB (SQLite stores numbers there as text). Every BLOB sorts
        # at or after X'' and all text before it: a type test without a function call.
        return f"(CASE WHEN {column} IS NULL THEN '' WHEN {column} >= X'' THEN NULL ELSE {_text(column)} END)"
    if kind == "real" and floats_in_sql:
        # A REAL column reads back every number as a float; numbers sort before all text, BLOBs after it.
        return (f"(CASE WHEN {column} IS NULL THEN '' WHEN {column} < '' THEN {_float_text(column)} "
                f"WHEN {column} >= X'' THEN NULL ELSE {_text(column)} END)")
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
    run.append(CRLF)
    parts.append(" || ".join(run))
    template.append("%s")
    columns = ", ".join(column for column, _ in cells)
    lines_select = f"SELECT {key}, {', '.join(parts)}"
    return CsvLines(
        header=header,
        flags=tuple(name for name, (_, kind) in zip(header, cells, strict=True) if kind == "flag"),
        template="".join(template),
        lines_sql=f"{lines_select} FROM {tables} WHERE ({where}) ORDER BY {order}",
        lines_select=lines_select,
        row_sql=f"SELECT {columns} FROM {tables} WHERE {key} = :key",
        select_sql=f"SELECT {columns} FROM {tables} WHERE {where} ORDER BY {order}",
        tables=tables,
        where=where,
        order=order,
    )


def grouped_batch_sql(parent_cells: Cells, child_cells: Cells, *, parent: str, parent_key: str, parent_where: str,
                      child: str, child_key: str, child_order: str) -> str:
    """One batch of a member whose rows are child rows led by cells of their parent, as one BLOB of lines.

    The batch covers the parents with `parent_key` in (:lo, :hi]. The
    parents' cells are written once per parent (not once per child), and the
    children are read in `child_order` through their index, so nothing is
    sorted. Yields one row: the BLOB (NULL when no row matches), the rows
    matched and the lines written; fewer lines than rows means a line is NULL
    (a cell only Python can write).
    """
    lead = " || ',' || ".join(_cell(column, kind, floats_in_sql=True) for column, kind in parent_cells)
    rest = " || ',' || ".join(_cell(column, kind, floats_in_sql=True) for column, kind in child_cells)
    return (
        f"WITH p AS MATERIALIZED (SELECT {parent_key} AS id, {lead} AS lead FROM {parent} "
        f"WHERE ({parent_where}) AND {parent_key} > :lo AND {parent_key} <= :hi) "
        f"SELECT CAST(group_concat(line, '') AS BLOB), count(*), count(line) FROM ("
        f"SELECT p.lead || ',' || {rest} || {CRLF} AS line FROM {child} JOIN p ON p.id = {child_key} "
        f"WHERE {child_key} > :lo AND {child_key} <= :hi ORDER BY {child_order})"
    )
