"""A large training database, built reproducibly for the benchmarks.

Every trainee works the built-in scenarios in turn, one pass a day, until
they have made `decisions_per_trainee` calls; every item of an attempt gets a
call (follow-ups included), and the attempt that reaches the budget is left
in progress, so the counts are exact whatever the curriculum holds: 1,000
trainees x 600 calls is 600,000 decisions and as many decision-log records.
Item ids, calls, points and verdicts are those of the real scenarios, judged
by `optrain.scoring.judge`, so the Review page's item analysis works on real
items.

All randomness comes from one seeded `random.Random` (and a Faker seeded from
it for trainee names) and all times from `START`, so the same `Scale` gives
the same bytes. Rows go in through `executemany` on the app's own tables in a
few large transactions: the storage functions commit one row at a time,
which is right for the app and hours too slow here. The database is cached
under `bench/out/`, named by a hash of the scale, the scenario files and this
generator's version, so re-runs start at once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faker import Faker
from sqlite_utils import Database

from optrain.calls import CALLS
from optrain.queue import generate_queue
from optrain.scenarios.loader import load_scenarios
from optrain.scenarios.model import CALLS_BY_KIND, ConversationItem, Item, Scenario
from optrain.scoring import Decision, judge
from optrain.storage import open_db
from optrain.storage.db import utc_iso
from optrain.templates import BUILTIN_TEMPLATES
from optrain.training import prefill_reply

GENERATOR_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"
OUT_DIR = Path(__file__).resolve().parent / "out"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
AGENT_NAME = "Casey Morgan"
TRAINEES_PER_TRANSACTION = 100
ESCALATION_NOTE = "Refund is over the $500 limit; needs a manager's approval."
ANSWER_OPENERS = (
    "The",
    "I found the",
    "Honestly the",
    "For me the",
    "Our team thinks the",
    "Mostly fine, but the",
)
ANSWER_TOPICS = (
    "SLA breach badge",
    "days of cover column",
    "template picker",
    "escalation button",
    "rate limit banner",
    "Inventory Heatmap colours",
    "CX Escalations list",
    "decision log notice",
    "Fulfillment Health tile",
    "refund over $500 rule",
    "freight/LTL orders",
    "AI draft review",
    "Sales Pulse top SKUs",
)
ANSWER_ENDINGS = (
    "is clear enough.",
    "was confusing at first.",
    "needs a tooltip.",
    "should show the order total.",
    "hides the customer's last message.",
    "could link to the runbook.",
    "works well on a busy shift.",
    "needs the carrier's tracking link.",
    "should say who to contact.",
    "took me too long to find.",
)

_DECISION_SQL = """
    INSERT INTO decisions (attempt_id, item_id, call, template, body, note, decided_at, elapsed_seconds, seq,
                           points, max_points, verdict)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_LOG_SQL = """
    INSERT INTO decision_log (shop_domain, action_type, operator_email, created_at, payload, attempt_id)
    VALUES (?, ?, ?, ?, ?, ?)
"""
_ATTEMPT_SQL = """
    INSERT INTO attempts (id, username, display_name, scenario_id, scenario_version, seed, started_at, finished_at,
                          status, score, max_score, percent, passed, critical_failures, official)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
"""
_ANSWER_SQL = """
    INSERT INTO qa_answers (attempt_id, username, scenario_id, scenario_version, question_id, part, kind, answer,
                            skipped, severity, screenshot, created_at, status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
"""


@dataclass(frozen=True)
class Scale:
    trainees: int = 1000
    decisions_per_trainee: int = 600
    qa_answers: int = 20_000
    seed: int = 20260105

    @property
    def decisions(self) -> int:
        return self.trainees * self.decisions_per_trainee

    def label(self) -> str:
        return (
            f"{self.trainees:,} trainees x {self.decisions_per_trainee} decisions = {self.decisions:,} decisions, "
            f"{self.qa_answers:,} Q&A answers"
        )


FULL = Scale()
TENTH = Scale(trainees=100, qa_answers=2_000)


@dataclass(frozen=True)
class Option:
    """One call an item can get, judged once: the generator only picks among these."""

    call: str
    template: str | None
    body: str | None
    note: str | None
    points: float
    max_points: float
    verdict: str
    critical_failure: bool
    action_type: str
    payload_tail: str  # the payload's JSON after '{"attempt_id": N, ' (attempt_id sorts first)


@dataclass(frozen=True)
class ItemPlan:
    item_id: str
    options: tuple[Option, ...]  # the expected call first


@dataclass(frozen=True)
class ScenarioPlan:
    scenario: Scenario
    seed: int
    items: tuple[ItemPlan, ...]


@dataclass(frozen=True)
class AttemptRow:
    id: int
    username: str
    scenario: Scenario
    finished_at: datetime
    completed: bool


@functools.lru_cache(maxsize=4)
def load_builtin(folder: Path = SCENARIOS_DIR) -> tuple[Scenario, ...]:
    """Parsed once per process: YAML parsing costs more than generating a small database."""
    catalog = load_scenarios([folder])
    if catalog.problems:
        raise RuntimeError(f"the built-in scenarios do not load: {catalog.problems[0]}")
    return tuple(catalog.scenarios[key] for key in sorted(catalog.scenarios))


def _candidate_calls(item: Item) -> list[tuple[str, str | None]]:
    calls: list[tuple[str, str | None]] = [(item.expected.call, item.expected.template)]
    calls += [(a.call, a.template) for a in item.alternatives]
    for call in CALLS_BY_KIND[item.kind]:
        if call == "approve_template":
            calls += [(call, template) for template in BUILTIN_TEMPLATES]
        elif call not in ("approve_draft", "edit_draft", "reject_draft") or (
            isinstance(item, ConversationItem) and item.ai_draft
        ):
            calls.append((call, None))
    return list(dict.fromkeys(calls))


def plan_scenario(scenario: Scenario) -> ScenarioPlan:
    """Every item with the calls a trainee might make, each judged and its audit payload prepared."""
    queue = generate_queue(scenario)
    plans = []
    for item in queue.all_items():
        follow_up = item.id in queue.follow_ups
        entry = queue.entry(item.id)
        options = []
        for call, template in _candidate_calls(item):
            body = None
            if call == "approve_template" and template:
                body = prefill_reply(scenario, queue, item.id, template, AGENT_NAME)
            elif call in ("approve_draft", "edit_draft") and isinstance(item, ConversationItem):
                body = item.ai_draft if call == "approve_draft" else f"{item.ai_draft} Thanks for your patience."
            note = ESCALATION_NOTE if CALLS[call].note_required else None
            verdict = judge(item, Decision(item.id, call, template, body, note), is_follow_up=follow_up)
            payload = {
                "mode": "training",
                "scenario_id": scenario.id,
                "scenario_version": scenario.version,
                "item_id": item.id,
                "item_kind": item.kind,
                "conversation_id": entry.payload.get("id") if item.kind == "conversation" else None,
                "call": call,
                "template": template,
                "body": body,
                "note": note,
            }
            options.append(
                Option(
                    call,
                    template,
                    body,
                    note,
                    verdict.points,
                    verdict.max_points,
                    verdict.verdict,
                    verdict.critical_failure,
                    CALLS[call].action_type,
                    json.dumps(payload, sort_keys=True, ensure_ascii=False)[1:],
                )
            )
        plans.append(ItemPlan(item.id, tuple(options)))
    return ScenarioPlan(scenario, queue.seed, tuple(plans))


def audit_payload(attempt_id: int, option: Option) -> str:
    """Byte-identical to `json.dumps(payload, sort_keys=True)` of the app, without encoding each row."""
    return f'{{"attempt_id": {attempt_id}, {option.payload_tail}'


class _Writer:
    """Walks trainees, days and scenarios in a fixed order and yields rows for executemany."""

    def __init__(self, scale: Scale, plans: Sequence[ScenarioPlan]):
        self.scale = scale
        self.plans = plans
        self.rng = random.Random(scale.seed)
        fake = Faker("en_US")
        fake.seed_instance(scale.seed)
        self.names = [f"{fake.first_name()} {fake.last_name()}" for _ in range(scale.trainees)]
        self.skills = [self.rng.uniform(0.55, 0.95) for _ in range(scale.trainees)]
        self.attempts: list[AttemptRow] = []

    def username(self, trainee: int) -> str:
        return f"op{trainee + 1:04d}"

    def trainee_rows(self, trainee: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
        rng, username = self.rng, self.username(trainee)
        email = f"{username}@hotrodan.example"
        attempts: list[tuple] = []
        decisions: list[tuple] = []
        log: list[tuple] = []
        budget = self.scale.decisions_per_trainee
        day = 0
        while budget > 0:
            clock = START + timedelta(days=day, seconds=trainee * 29)
            skill = min(0.98, self.skills[trainee] + day * 0.01)
            for plan in self.plans:
                if budget <= 0:
                    break
                attempt_id = len(self.attempts) + 1
                started = clock
                score = top = 0.0
                critical = 0
                for seq, item in enumerate(plan.items[:budget], start=1):
                    option = item.options[0] if rng.random() < skill else rng.choice(item.options[1:] or item.options)
                    elapsed = round(rng.uniform(15.0, 240.0), 3)
                    clock += timedelta(seconds=elapsed)
                    at = utc_iso(clock)
                    score += option.points
                    top += option.max_points
                    critical += option.critical_failure
                    decisions.append(
                        (
                            attempt_id,
                            item.item_id,
                            option.call,
                            option.template,
                            option.body,
                            option.note,
                            at,
                            elapsed,
                            seq,
                            option.points,
                            option.max_points,
                            option.verdict,
                        )
                    )
                    log.append(
                        (
                            plan.scenario.shop_domain,
                            option.action_type,
                            email,
                            at,
                            audit_payload(attempt_id, option),
                            attempt_id,
                        )
                    )
                status = (
                    "in_progress" if budget < len(plan.items) else ("abandoned" if rng.random() < 0.02 else "completed")
                )
                budget -= len(plan.items)
                clock += timedelta(seconds=rng.randint(30, 300))
                attempts.append(
                    self._attempt_row(attempt_id, trainee, plan, started, clock, status, score, top, critical)
                )
                self.attempts.append(AttemptRow(attempt_id, username, plan.scenario, clock, status == "completed"))
            day += 1
        return attempts, decisions, log

    def _attempt_row(
        self,
        attempt_id: int,
        trainee: int,
        plan: ScenarioPlan,
        started: datetime,
        finished: datetime,
        status: str,
        score: float,
        top: float,
        critical: int,
    ) -> tuple:
        """Scored like `score_attempt` would on this path; only a completed attempt has a result."""
        percent = round(score / top, 4) if top else 0.0
        passed = int(not critical and percent + 1e-9 >= plan.scenario.pass_mark)
        done = status == "completed"
        return (
            attempt_id,
            self.username(trainee),
            self.names[trainee],
            plan.scenario.id,
            plan.scenario.version,
            plan.seed,
            utc_iso(started),
            None if status == "in_progress" else utc_iso(finished),
            status,
            round(score, 4) if done else None,
            round(top, 4) if done else None,
            percent if done else None,
            passed if done else None,
            critical if done else None,
        )

    def answers(self) -> Iterator[tuple]:
        """`qa_answers` answers spread evenly at random over the questions of completed attempts."""
        rng = self.rng
        slots = [(a, q) for a in self.attempts if a.completed for q in a.scenario.questions]
        for index in sorted(rng.sample(range(len(slots)), min(self.scale.qa_answers, len(slots)))):
            attempt, question = slots[index]
            skipped = rng.random() < 0.08
            if skipped:
                answer = None
            elif question.kind == "yes_somewhat_no":
                answer = rng.choice(("yes", "somewhat", "no"))
            elif question.kind == "rating":
                answer = str(rng.randint(1, 5))
            else:
                answer = f"{rng.choice(ANSWER_OPENERS)} {rng.choice(ANSWER_TOPICS)} {rng.choice(ANSWER_ENDINGS)}"
            severity = rng.choice(("low", "medium", "high", "critical")) if answer and rng.random() < 0.3 else None
            status = rng.choices(("new", "ticket_filed", "dismissed"), weights=(85, 10, 5))[0]
            at = utc_iso(attempt.finished_at + timedelta(seconds=rng.randint(20, 600)))
            yield (
                attempt.id,
                attempt.username,
                attempt.scenario.id,
                attempt.scenario.version,
                question.id,
                question.part,
                question.kind,
                answer,
                int(skipped),
                severity,
                at,
                status,
            )


def _fill(db: Database, scale: Scale, plans: Sequence[ScenarioPlan]) -> None:
    writer = _Writer(scale, plans)
    conn = db.conn
    for first in range(0, scale.trainees, TRAINEES_PER_TRANSACTION):
        with db.atomic():
            for trainee in range(first, min(first + TRAINEES_PER_TRANSACTION, scale.trainees)):
                attempts, decisions, log = writer.trainee_rows(trainee)
                conn.executemany(_ATTEMPT_SQL, attempts)
                conn.executemany(_DECISION_SQL, decisions)
                conn.executemany(_LOG_SQL, log)
    with db.atomic():
        conn.executemany(_ANSWER_SQL, writer.answers())


def cache_key(scale: Scale, folder: Path = SCENARIOS_DIR) -> str:
    digest = hashlib.sha256(f"v{GENERATOR_VERSION}:{scale!r}".encode())
    # The schema and the scenarios shape the rows, so a change to either rebuilds the database.
    for path in [ROOT / "optrain" / "storage" / "migrations.py", *sorted(folder.glob("*.yaml"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def database_path(scale: Scale, out_dir: Path = OUT_DIR) -> Path:
    return out_dir / f"optrain-{scale.trainees}x{scale.decisions_per_trainee}-{cache_key(scale)}.db"


def build_database(scale: Scale, out_dir: Path = OUT_DIR, *, rebuild: bool = False) -> Path:
    """The database for `scale`, built unless a cached copy exists; returns its path."""
    target = database_path(scale, out_dir)
    if target.exists() and not rebuild:
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    plans = [plan_scenario(scenario) for scenario in load_builtin()]
    db = open_db(partial)
    try:
        db.execute("PRAGMA synchronous = OFF")  # a crash only loses a cache file that is rebuilt
        db.execute("PRAGMA cache_size = -262144")
        _fill(db, scale, plans)
        with db.atomic():  # the one clock reading the schema keeps, fixed so equal scales give equal files
            db.execute("UPDATE _sqlite_migrations SET applied_at = ?", [utc_iso(START)])
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    os.replace(partial, target)
    for stale in out_dir.glob(f"optrain-{scale.trainees}x{scale.decisions_per_trainee}-*.db*"):
        if not stale.name.startswith(target.name):  # the same scale built from older scenarios or schema
            stale.unlink()
    return target


def counts(path: Path) -> dict[str, int]:
    db = open_db(path, read_only=True)
    try:
        return {table: db[table].count for table in ("attempts", "decisions", "decision_log", "qa_answers")}
    finally:
        db.close()


if __name__ == "__main__":
    import time

    began = time.perf_counter()
    built = build_database(FULL)
    print(built, counts(built), f"{time.perf_counter() - began:.1f}s")
