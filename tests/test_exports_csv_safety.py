"""Formula-injection neutralising, and CSV that parses back to the original text."""

from __future__ import annotations

import io

import pytest
from exports_records import OWASP_PAYLOADS, TRICKY_TEXT, parse_csv, parse_with_pandas

from optrain.exports.csv_safety import FORMULA_TRIGGERS, SafeCsvWriter, neutralise, safe_row


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_owasp_payloads_get_one_leading_quote(payload: str) -> None:
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", [*TRICKY_TEXT, "", "1+1", "a=b", "x@y.example", "0-1"])
def test_text_that_is_not_a_formula_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_trigger_character_is_neutralised(trigger: str) -> None:
    assert neutralise(trigger + "x").startswith("'" + trigger)


def test_numbers_the_app_computes_are_not_prefixed() -> None:
    assert safe_row([-1.0, -2, None, "-2"]) == [-1.0, -2, None, "'-2"]


def _written(rows: list[list[object]]) -> str:
    buffer = io.StringIO(newline="")
    writer = SafeCsvWriter(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


ALL_TEXT = (*OWASP_PAYLOADS, *TRICKY_TEXT)


@pytest.mark.parametrize("text", ALL_TEXT)
def test_csv_module_reads_back_the_neutralised_text(text: str) -> None:
    rows = parse_csv(_written([["id", "answer", "points"], ["1", text, -1.5]]))
    assert rows == [["id", "answer", "points"], ["1", neutralise(text), "-1.5"]]


def test_pandas_reads_back_every_cell() -> None:
    frame = parse_with_pandas(_written([["id", "answer"], *([str(i), text] for i, text in enumerate(ALL_TEXT))]))
    assert list(frame.columns) == ["id", "answer"]
    assert frame["answer"].tolist() == [neutralise(text) for text in ALL_TEXT]


@pytest.mark.parametrize("text", OWASP_PAYLOADS)
def test_removing_the_documented_prefix_restores_the_original(text: str) -> None:
    cell = parse_csv(_written([[text]]))[0][0]
    assert cell[0] == "'" and cell[1:] == text
