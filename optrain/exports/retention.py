"""Decision-log retention: the runbook keeps audit records 90 days unless configured otherwise.

Ages are written `Nd` (days) or `Nw` (weeks), e.g. `90d` or `13w`; the
cutoff is that long before `now`, and records created before it go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from optrain.storage import purge_decision_log
from optrain.storage.export_queries import count_decision_log_before

DEFAULT_RETENTION = "90d"
_AGE = re.compile(r"(\d{1,5})([dw])")
_UNIT_DAYS = {"d": 1, "w": 7}


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    records: int
    dry_run: bool


def parse_age(text: str) -> timedelta:
    """`90d` or `13w` as a timedelta; anything else raises ValueError with the accepted forms."""
    match = _AGE.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not an age; write a whole number of days or weeks, e.g. 90d or 13w")
    return timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2)])


def purge_old_decision_log(db: Database, age: timedelta, *, now: datetime, dry_run: bool = False) -> PurgeResult:
    """Delete (or, for a dry run, count) the audit records created more than `age` before `now`."""
    cutoff = now - age
    if dry_run:
        return PurgeResult(cutoff, count_decision_log_before(db, older_than=cutoff), dry_run=True)
    return PurgeResult(cutoff, purge_decision_log(db, older_than=cutoff), dry_run=False)
