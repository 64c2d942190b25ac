"""The human-readable front page of an evidence pack: per trainee, what they trained on and how it went.

Only official attempts count here (a "try it" run is practice and is listed
in attempts.csv only). An agenda part is completed when the trainee passed
an official attempt of a scenario in that part.

Both renderings stream: attempts arrive grouped by trainee, and only one
trainee's attempts are held at a time. The HTML escapes every value with
`html.escape`, carries a small inline stylesheet and a Content-Security-Policy
that forbids scripts, so a hostile name or answer stays inert text.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from optrain.exports import markdown
from optrain.scenarios.model import AGENDA, AGENDA_TITLES
from optrain.storage.export_queries import ATTEMPT_COLUMNS, Row

_COL = {name: index for index, name in enumerate(ATTEMPT_COLUMNS)}
SUMMARY_HEADERS: tuple[str, ...] = (
    "Scenario",
    "Version",
    "Started (UTC)",
    "Finished (UTC)",
    "Status",
    "Score",
    "Percent",
    "Passed",
)

STYLESHEET = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2328; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin-top: .5rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .pass { color: #1a7f37; } .fail { color: #cf222e; }
.meta { color: #59636e; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class TraineeSummary:
    username: str
    display_name: str | None
    attempts: tuple[Row, ...]
    parts_completed: tuple[str, ...]

    @property
    def heading(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username


@dataclass(frozen=True)
class SummaryHeading:
    exported_at: str
    app_version: str
    filters: tuple[tuple[str, str], ...]


def trainee_summaries(attempts: Iterable[Row], modules: Mapping[str, str]) -> Iterator[TraineeSummary]:
    """One summary per trainee from attempts sorted by username; `modules` maps scenario id to agenda part."""
    official = (row for row in attempts if row[_COL["official"]])
    for username, group in itertools.groupby(official, key=lambda row: row[_COL["trainee"]]):
        rows = tuple(group)
        passed = {modules.get(row[_COL["scenario"]]) for row in rows if row[_COL["passed"]]}
        names = [row[_COL["display_name"]] for row in rows if row[_COL["display_name"]]]
        yield TraineeSummary(
            username=username,
            display_name=names[-1] if names else None,
            attempts=rows,
            parts_completed=tuple(part for part in AGENDA if part in passed),
        )


_SCENARIO, _VERSION, _STARTED, _FINISHED, _STATUS = (
    _COL["scenario"],
    _COL["version"],
    _COL["started_at"],
    _COL["finished_at"],
    _COL["status"],
)
_SCORE, _MAX_SCORE, _PERCENT, _PASSED = _COL["score"], _COL["max_score"], _COL["percent"], _COL["passed"]


def _number(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _cells(row: Row) -> tuple[str, ...]:
    score = row[_SCORE]
    percent = row[_PERCENT]
    passed = row[_PASSED]
    return (
        str(row[_SCENARIO]),
        str(row[_VERSION]),
        str(row[_STARTED]),
        str(row[_FINISHED] or ""),
        str(row[_STATUS]).replace("_", " "),
        "" if score is None else f"{_number(score)}/{_number(row[_MAX_SCORE])}",
        "" if percent is None else f"{percent:.0%}",
        "" if passed is None else ("yes" if passed else "no"),
    )


def _parts(summary: TraineeSummary) -> str:
    return ", ".join(AGENDA_TITLES.get(part, part) for part in summary.parts_completed) or "none yet"


# Most cells repeat (scenario, version, status, score, percent, passed): each distinct text is escaped
# once, in a bounded cache, so memory does not grow with the rows.
@lru_cache(maxsize=4096)
def _md(text: str) -> str:
    return markdown.inline(text, in_table=True)


@lru_cache(maxsize=4096)
def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _markdown_head(heading: SummaryHeading) -> str:
    lines = ["# Training evidence\n\n", f"Exported {heading.exported_at} by optrain {heading.app_version}.\n\n"]
    lines += [f"- {label}: {_md(value)}\n" for label, value in heading.filters]
    return "".join(lines)


def _markdown_trainee(summary: TraineeSummary, rows: list[tuple[str, ...]]) -> str:
    lines = [
        f"\n## {_md(summary.heading)}\n\n",
        f"Agenda parts completed: {_parts(summary)}\n\n",
        "| " + " | ".join(SUMMARY_HEADERS) + " |\n",
        "|" + "---|" * len(SUMMARY_HEADERS) + "\n",
    ]
    lines += ["| " + " | ".join(map(_md, cells)) + " |\n" for cells in rows]
    return "".join(lines)


def _markdown_tail(count: int) -> str:
    return f"\n{count} trainee(s) with official attempts.\n"


def _html_head(heading: SummaryHeading) -> str:
    lines = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(CSP)}">\n'
        f"<title>Training evidence</title>\n<style>{STYLESHEET}</style>\n</head>\n<body>\n"
        "<h1>Training evidence</h1>\n"
        f'<p class="meta">Exported {_esc(heading.exported_at)} by optrain {_esc(heading.app_version)}.</p>\n<ul>\n'
    ]
    lines += [f"<li>{_esc(label)}: {_esc(value)}</li>\n" for label, value in heading.filters]
    lines.append("</ul>\n")
    return "".join(lines)


_HTML_HEADER_ROW = "".join(f"<th>{_esc(name)}</th>" for name in SUMMARY_HEADERS) + "</tr></thead>\n<tbody>\n"
_PASS_CLASS = {"yes": "pass", "no": "fail"}


def _html_trainee(summary: TraineeSummary, rows: list[tuple[str, ...]]) -> str:
    lines = [
        f"<section>\n<h2>{_esc(summary.heading)}</h2>\n",
        f"<p>Agenda parts completed: {_esc(_parts(summary))}</p>\n<table>\n<thead><tr>",
        _HTML_HEADER_ROW,
    ]
    for cells in rows:
        lines.append("<tr>" + "".join(f"<td>{_esc(cell)}</td>" for cell in cells[:-1]))
        lines.append(f'<td class="{_PASS_CLASS.get(cells[-1], "")}">{_esc(cells[-1])}</td></tr>\n')
    lines.append("</tbody>\n</table>\n</section>\n")
    return "".join(lines)


def _html_tail(count: int) -> str:
    return f'<p class="meta">{count} trainee(s) with official attempts.</p>\n</body>\n</html>\n'


def markdown_summary(summaries: Iterable[TraineeSummary], heading: SummaryHeading) -> Iterator[str]:
    yield _markdown_head(heading)
    count = 0
    for count, summary in enumerate(summaries, start=1):  # noqa: B007 - count is read after the loop
        yield _markdown_trainee(summary, [_cells(row) for row in summary.attempts])
    yield _markdown_tail(count)


def html_summary(summaries: Iterable[TraineeSummary], heading: SummaryHeading) -> Iterator[str]:
    yield _html_head(heading)
    count = 0
    for count, summary in enumerate(summaries, start=1):  # noqa: B007 - count is read after the loop
        yield _html_trainee(summary, [_cells(row) for row in summary.attempts])
    yield _html_tail(count)
