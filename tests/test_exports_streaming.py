"""The evidence pack streams: exporting ten times the decisions does not take ten times the memory.

Peak Python memory is measured with tracemalloc while the pack is written; a
version that collected rows in a list before writing them would grow with
the row count and fail the ratio.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from exports_records import T0, bulk_decisions
from sqlite_utils import Database

from optrain.exports import EvidenceFilter, export_evidence_pack

SMALL, LARGE = 6_000, 60_000


@pytest.fixture(scope="module")
def databases(make_db: Callable[[], Database]) -> dict[int, Database]:
    built = {}
    for rows in (SMALL, LARGE):
        built[rows] = make_db()
        bulk_decisions(built[rows], rows)
    return built


def peak_while_exporting(db: Database, folder: Path) -> tuple[int, int | None]:
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        pack = export_evidence_pack(
            db,
            EvidenceFilter(),
            exports_dir=folder,
            uploads_dir=folder / "none",
            signing_key=folder / "key.pem",
            now=T0,
        )
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    return peak, pack.rows("decisions.csv")


def test_peak_memory_does_not_grow_with_the_number_of_rows(databases: dict[int, Database], tmp_path: Path) -> None:
    small_peak, small_rows = peak_while_exporting(databases[SMALL], tmp_path / "small")
    large_peak, large_rows = peak_while_exporting(databases[LARGE], tmp_path / "large")
    assert (small_rows, large_rows) == (SMALL, LARGE)
    assert large_peak < 2 * small_peak, f"peak {large_peak:,} B for {LARGE:,} rows vs {small_peak:,} B for {SMALL:,}"
