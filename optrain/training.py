"""The trainee's attempt as a service: start or resume, make a call, finish.

Both the screens and the headless tools go through here, so a scenario worked
in the browser scores exactly as `optrain simulate` does. Every call is stored
(decision row + decision-log record, one transaction) before it is confirmed,
and the attempt can always be rebuilt from the database alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from sqlite_utils import Database

from optrain import storage
from optrain.calls import CALLS
from optrain.certificates import issue_if_complete
from optrain.errors import AlreadyDecided, AttemptError, DecisionError, TimeLimitReached
from optrain.queue import Queue, QueueEntry, generate_queue, scenario_seed, template_context
from optrain.scenario_versions import snapshot
from optrain.scenarios.model import ConversationItem, Scenario
from optrain.scoring import (
    AttemptResult,
    Decision,
    ItemResult,
    context_for,
    judge,
    pending_item_ids,
    quantity_problem,
    quantity_unit,
    score_attempt,
    validate_decision,
    walk,
)
from optrain.storage.progress import progress_by_scenario
from optrain.templates import BUILTIN_TEMPLATES, Template, render

MAX_BODY_CHARS = 5_000
MAX_NOTE_CHARS = 2_000


@dataclass(frozen=True)
class Operator:
    username: str
    name: str
    email: str


@dataclass(frozen=True)
class CallInput:
    item_id: str
    call: str
    template: str | None = None
    body: str | None = None
    note: str | None = None
    replaces: int | None = None  # exam mode: the id of the decision this call changes
    quantity: float | None = None  # reorder, adjust_quantity: how many (see scoring.quantity_problem)


@dataclass(frozen=True)
class AttemptState:
    """Everything a screen needs to show an attempt, rebuilt from the database.

    Frozen, so what is derived from the decisions (pending items, decided ids) is worked out once per state:
    a screen asks for them many times per rerun.
    """

    scenario: Scenario
    queue: Queue
    attempt: storage.Attempt
    decisions: tuple[storage.DecisionRow, ...]

    @cached_property
    def as_decisions(self) -> tuple[Decision, ...]:
        return tuple(
            Decision(d.item_id, d.call, d.template, d.body, d.note, d.elapsed_seconds, d.quantity)
            for d in self.decisions
        )

    @cached_property
    def pending(self) -> tuple[str, ...]:
        return pending_item_ids(self.queue, self.as_decisions)

    @cached_property
    def decided_ids(self) -> frozenset[str]:
        return frozenset(d.item_id for d in self.decisions)

    @property
    def progress(self) -> tuple[int, int]:
        """(decided, decided + waiting): follow-ups join the total when a call reveals them."""
        done = len(self.decisions)
        return done, done + len(self.pending)

    @property
    def complete(self) -> bool:
        return not self.pending


def pending_after(state: AttemptState, item_id: str, call: str, template: str | None) -> tuple[str, ...]:
    """What waits for a call once this call is recorded (its follow-up included), without reading it back."""
    return pending_item_ids(state.queue, (*state.as_decisions, Decision(item_id, call, template)))


def templates_for(scenario: Scenario) -> dict[str, Template]:
    return {**BUILTIN_TEMPLATES, **{t.id: Template(t.id, t.title, t.body) for t in scenario.templates}}


def root_entry(queue: Queue, item_id: str) -> QueueEntry:
    """The conversation a follow-up belongs to (follow-ups carry their root's customer and order)."""
    parents = queue.parents
    while item_id in parents:
        item_id = parents[item_id]
    return queue.entry(item_id)


def prefill_reply(scenario: Scenario, queue: Queue, item_id: str, template_id: str, agent_name: str) -> str:
    """The template body filled with this conversation's customer and order."""
    template = templates_for(scenario).get(template_id)
    if template is None:
        raise DecisionError(f"'{template_id}' is not a template of this scenario")
    return render(template.body, template_context(root_entry(queue, item_id), agent_name=agent_name))


def check_call(scenario: Scenario, queue: Queue, call: CallInput) -> list[str]:
    """What is wrong with a call as typed, in words for the trainee; empty when it can be recorded."""
    problems: list[str] = []
    try:
        item = validate_decision(queue, Decision(call.item_id, call.call, call.template))
    except DecisionError as exc:
        return [str(exc)]
    spec = CALLS[call.call]
    if spec.note_required and not (call.note or "").strip():
        problems.append(spec.note_required)
    if call.note is not None and len(call.note) > MAX_NOTE_CHARS:
        problems.append(f"The note is {len(call.note):,} characters; keep it under {MAX_NOTE_CHARS:,}.")
    if spec.needs_body and call.body is not None and not call.body.strip():
        problems.append("The reply is empty; write the message the customer will receive.")
    if call.body is not None and len(call.body) > MAX_BODY_CHARS:
        problems.append(f"The reply is {len(call.body):,} characters; keep it under {MAX_BODY_CHARS:,}.")
    if spec.needs_template and call.template and call.template not in templates_for(scenario):
        problems.append(f"'{call.template}' is not a template of this scenario.")
    if spec.needs_draft and not (isinstance(item, ConversationItem) and item.ai_draft):
        problems.append("This conversation has no AI draft to judge.")
    quantity = quantity_problem(item, call.call, call.quantity)
    if quantity:
        problems.append(quantity)
    return problems


MAX_ATTEMPT_ID = 2**63 - 1  # SQLite's largest integer: a longer id cannot name a row


def parse_attempt_id(text: str) -> int | None:
    """The attempt id in a Train page address; None when it is not a number at all.

    Only ASCII digits count: '²' passes `str.isdigit` and then fails `int`. A number past SQLite's range
    names no attempt, and says so the way a missing one does, instead of overflowing the query.
    """
    if not (text.isascii() and text.isdecimal()):
        return None
    value = int(text)
    if value > MAX_ATTEMPT_ID:
        raise AttemptError(f"Attempt {text} does not exist; start the scenario again from the scenario list.")
    return value


def start_attempt(
    db: Database, scenario: Scenario, operator: Operator, now: datetime, *, official: bool = True
) -> storage.Attempt:
    """Open an attempt, keeping a snapshot of this scenario version for as long as the attempt exists."""
    snapshot(db, scenario, source="builtin", now=now)  # a custom version is already stored: this is a no-op
    return storage.start_attempt(
        db,
        username=operator.username,
        display_name=operator.name,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        seed=scenario_seed(scenario),
        now=now,
        official=official,
    )


def load_state(
    db: Database, scenario: Scenario, attempt_id: int, username: str, *, attempt: storage.Attempt | None = None
) -> AttemptState:
    """An attempt of this user on this scenario version; anyone else's is refused.

    `attempt` is its row when the caller has just read it (the row is then not read twice).
    """
    if attempt is None or attempt.id != attempt_id:
        attempt = storage.get_attempt(db, attempt_id)
    if attempt.username != username:
        raise AttemptError("That attempt belongs to someone else.")
    if attempt.scenario_id != scenario.id or attempt.scenario_version != scenario.version:
        raise AttemptError(
            f"That attempt was taken on {attempt.scenario_id} version {attempt.scenario_version}, "
            f"not on {scenario.id} version {scenario.version}."
        )
    return AttemptState(scenario, generate_queue(scenario), attempt, storage.list_decisions(db, attempt_id))


def record_call(
    db: Database,
    state: AttemptState,
    operator: Operator,
    call: CallInput,
    *,
    now: datetime,
    elapsed_seconds: float | None,
) -> tuple[ItemResult, storage.DecisionRow]:
    """Validate, judge and durably record one call; returns the verdict (for coach mode) and the row as stored
    (a screen knows from its id whether a state has it).

    Raises DecisionError with the trainee-facing problems, AlreadyDecided when
    the item already has a call (a double click) or a change was already made,
    AttemptError when finished (TimeLimitReached once the time limit has run out).
    """
    if not state.attempt.in_progress:
        raise AttemptError("This attempt is finished; start a new one to practise again.")
    if time_limit_reached(state, now):
        raise TimeLimitReached(time_limit_message(state.scenario))
    problems = check_call(state.scenario, state.queue, call)
    if problems:
        raise DecisionError(" ".join(problems))
    previous = _changed_call(state, call)
    if previous is None and call.item_id in state.decided_ids:
        raise AlreadyDecided(f"{call.item_id} already has a call in this attempt; each item is decided once.")
    if previous is None and call.item_id not in state.pending:
        raise DecisionError("That item is not waiting for a call in this attempt.")
    body = call.body
    if call.call == "approve_template" and call.template and body is None:
        body = prefill_reply(state.scenario, state.queue, call.item_id, call.template, operator.name)
    if call.call == "approve_draft":
        item = state.queue.item(call.item_id)
        body = item.ai_draft if isinstance(item, ConversationItem) else None
    decision = Decision(
        call.item_id, call.call, call.template, body, (call.note or "").strip() or None, elapsed_seconds, call.quantity
    )
    item = state.queue.item(call.item_id)
    verdict = judge(
        item,
        decision,
        is_follow_up=call.item_id in state.queue.follow_ups,
        context=context_for(state.scenario, state.queue, call.item_id),
    )
    entry = root_entry(state.queue, call.item_id)
    withdraw = withdrawn_by(state, decision) if previous is not None else ()
    if previous is not None and elapsed_seconds is not None:
        elapsed_seconds = round((previous.elapsed_seconds or 0.0) + elapsed_seconds, 3)  # time on the item in all
    row = storage.record_decision(
        db,
        state.attempt.id,
        item_id=call.item_id,
        call=call.call,
        template=call.template,
        body=body,
        note=decision.note,
        decided_at=now,
        elapsed_seconds=elapsed_seconds,
        points=verdict.points,
        max_points=verdict.max_points,
        verdict=verdict.verdict,
        log=storage.DecisionLogEntry(
            shop_domain=state.scenario.shop_domain,
            action_type=CALLS[call.call].action_type,
            operator_email=operator.email,
            payload={
                "mode": "training",
                "attempt_id": state.attempt.id,
                "scenario_id": state.scenario.id,
                "scenario_version": state.scenario.version,
                "item_id": call.item_id,
                "item_kind": item.kind,
                "conversation_id": entry.payload.get("id") if item.kind == "conversation" else None,
                "call": call.call,
                "template": call.template,
                "body": body,
                "note": decision.note,
                **(
                    {}
                    if call.quantity is None
                    else {"quantity": call.quantity, "unit": quantity_unit(item)}  # as the draft PO says it
                ),
                **(
                    {}
                    if previous is None
                    else {
                        "replaces": {
                            "call": previous.call,
                            "template": previous.template,
                            "decided_at": previous.decided_at.isoformat(),
                        },
                        "withdrawn": list(withdraw),
                    }
                ),
            },
        ),
        replaces=previous.id if previous is not None else None,
        withdraw=withdraw,
        quantity=call.quantity,
    )
    return verdict, row


def _changed_call(state: AttemptState, call: CallInput) -> storage.DecisionRow | None:
    """The stored call a changed call replaces (None for a first call); only exam mode allows a change."""
    if call.replaces is None:
        return None
    if state.scenario.feedback_mode != "exam":
        raise DecisionError("In coach mode a call is final: its verdict is already shown.")
    previous = next((d for d in state.decisions if d.item_id == call.item_id), None)
    if previous is None:
        raise DecisionError("That item has no call to change in this attempt.")
    if previous.id != call.replaces:
        raise AlreadyDecided("This call was already changed; nothing was saved twice.")
    return previous


def withdrawn_by(state: AttemptState, changed: Decision) -> tuple[str, ...]:
    """Decided items a changed call takes off the path: follow-ups the old call had opened, and theirs.

    Their calls answered a customer message that, after the change, was never written, so they are
    withdrawn from the attempt (the decision log keeps them); if the old call is chosen again, the
    follow-up waits for a call again.
    """
    by_item = {d.item_id: d for d in state.as_decisions}
    by_item[changed.item_id] = changed
    on_path = {item.id for item, decision, _ in walk(state.queue, by_item) if decision is not None}
    return tuple(d.item_id for d in state.decisions if d.item_id not in on_path)


def finish(
    db: Database, state: AttemptState, *, now: datetime, catalog: Mapping[str, Scenario] | None = None
) -> AttemptResult:
    """Score the stored calls and close the attempt; refused while items still wait.

    With the catalog, an official attempt that completes the learning path also issues the
    trainee's certificate, so it exists from that moment on, whichever page is opened next.
    """
    if state.pending:
        raise AttemptError(f"{len(state.pending)} item(s) still need a call before the attempt can be finished.")
    return _close(db, state, now=now, catalog=catalog)


def time_limit(scenario: Scenario) -> timedelta | None:
    return None if scenario.time_limit_minutes is None else timedelta(minutes=scenario.time_limit_minutes)


def time_left(state: AttemptState, now: datetime) -> timedelta | None:
    """Wall-clock time left of the scenario's limit (never below zero); None without a limit.

    The limit runs from the attempt's start and keeps running while the trainee is away (a reload, a
    closed tab, a server restart), as a timed quiz does.
    """
    limit = time_limit(state.scenario)
    if limit is None:
        return None
    return max(timedelta(0), state.attempt.started_at + limit - now)


def time_limit_reached(state: AttemptState, now: datetime) -> bool:
    left = time_left(state, now)
    return left is not None and left <= timedelta(0) and state.attempt.in_progress


def time_limit_message(scenario: Scenario) -> str:
    return (
        f"The time limit of {scenario.time_limit_minutes} min is reached: the shift was finished, and every item "
        "still waiting for a call is scored as unanswered."
    )


def finish_at_time_limit(
    db: Database, state: AttemptState, *, now: datetime, catalog: Mapping[str, Scenario] | None = None
) -> AttemptResult:
    """Close an attempt whose time limit has run out, as it stands: waiting items score as unanswered.

    Refused before the limit (a trainee finishes early with `finish`, which wants every item decided).
    """
    if not time_limit_reached(state, now):
        raise AttemptError("The time limit of this shift has not run out; finish it once every item has a call.")
    return _close(db, state, now=now, catalog=catalog)


def ended_at_time_limit(state: AttemptState) -> bool:
    """A finished attempt that was closed by its time limit (it ran the whole limit, or longer)."""
    limit = time_limit(state.scenario)
    attempt = state.attempt
    return (
        limit is not None
        and attempt.status == "completed"
        and attempt.finished_at is not None
        and attempt.finished_at - attempt.started_at >= limit
    )


def _close(
    db: Database, state: AttemptState, *, now: datetime, catalog: Mapping[str, Scenario] | None
) -> AttemptResult:
    result = score_attempt(state.scenario, state.as_decisions, state.queue)
    if state.attempt.in_progress:
        storage.finish_attempt(
            db,
            state.attempt.id,
            now=now,
            score=result.score,
            max_score=result.max_score,
            percent=result.percent,
            passed=result.passed,
            critical_failures=len(result.critical_failures),
        )
        if catalog is not None and state.attempt.official and result.passed:
            issue_if_complete(
                db,
                username=state.attempt.username,
                display_name=state.attempt.display_name or state.attempt.username,
                scenarios=catalog,
                progress=progress_by_scenario(db, state.attempt.username),
                now=now,
            )
    return result


def result_of(state: AttemptState) -> AttemptResult:
    return score_attempt(state.scenario, state.as_decisions, state.queue)


def confirmation(call: str, entry: QueueEntry) -> str:
    """What the replica says after a call, as the real dashboard does ("Reply sent to <name>")."""
    payload = entry.payload
    name = str((payload.get("meta") or {}).get("sender", {}).get("name") or "the customer")
    sku = str(payload.get("sku") or "the SKU")
    title = str(payload.get("title") or "the tile")
    spec = CALLS.get(call)
    return spec.confirm(name=name, sku=sku, title=title) if spec else "Decision recorded"


def elapsed_since_previous(state: AttemptState, now: datetime) -> float:
    """Time to decide, from the database alone: since the previous call, or the start of the shift."""
    previous = max((d.decided_at for d in state.decisions), default=state.attempt.started_at)
    return max(0.0, round((now - previous).total_seconds(), 3))
