"""What the AppTest tests share: paths, signing in, seeding attempts and driving the Train page.

`Seed` records attempts through the core service, for tests about what the
pages show rather than how a call is made; `TrainSteps` drives the Train page
by widget key, one rerun per click as a browser would trigger it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from optrain import accounts, qa_capture, storage, training
from optrain.config import Settings
from optrain.queue import generate_queue
from optrain.scenarios.loader import load_scenario_file
from optrain.scenarios.model import Scenario
from optrain.ui import state as keys

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
SCENARIOS = ROOT / "scenarios"
PAGES: dict[str, str] = {
    "home": "app_pages/home.py",
    "train": "app_pages/train.py",
    "my_results": "app_pages/my_results.py",
    "review": "app_pages/review.py",
    "qa": "app_pages/qa_browser.py",
    "studio": "app_pages/studio.py",
    "exports": "app_pages/exports.py",
    "users": "app_pages/users.py",
}
TIMEOUT = 30.0
NO_ACCESS = "You do not have access"
START = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)

# (call, template) per item; a call for an item that is not pending is an error in the test.
Calls = Mapping[str, tuple[str, str | None]]


def demo_account(username: str) -> accounts.DemoAccount:
    return next(a for a in accounts.DEMO_ACCOUNTS if a.username == username)


def operator(username: str) -> training.Operator:
    account = demo_account(username)
    return training.Operator(username, f"{account.first_name} {account.last_name}", f"{username}@hotrodan.example")


def sign_in(at: AppTest, username: str) -> None:
    """The signed-in session a successful form sign-in leaves (the account is re-read on every run)."""
    at.session_state[keys.AUTH_STATUS] = True
    at.session_state[keys.USERNAME] = username


def expected_calls(scenario: Scenario) -> dict[str, tuple[str, str | None]]:
    """The right call for every root item, read from the scenario itself."""
    return {e.item.id: (e.item.expected.call, e.item.expected.template) for e in generate_queue(scenario).entries}


def signed_out() -> AppTest:
    """The app's first run for a visitor: the sign-in form."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    return at


def submit_form(at: AppTest, username: str, password: str) -> AppTest:
    """streamlit-authenticator's form has no widget keys: find its fields by label."""
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    return at


def signed_in_as(at: AppTest) -> str | None:
    """The username of the session, when it is signed in."""
    state = at.session_state
    if "authentication_status" not in state or state["authentication_status"] is not True:
        return None
    return str(state["username"])


def texts(elements: Iterable[Any]) -> list[str]:
    """The values of AppTest elements (Markdown source for text elements)."""
    return [str(e.value) for e in elements]


@dataclass(frozen=True)
class Env:
    db_path: Path
    auth_path: Path
    uploads: Path

    def db(self) -> Database:
        """A second connection, as another process would open it."""
        return storage.open_db(self.db_path)


class Seed:
    """Attempts written through the same service the Train page uses."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.db = storage.open_db(env.db_path)

    def scenario(self, scenario_id: str = "hands_on_practice") -> Scenario:
        return load_scenario_file(Settings.from_env().scenarios_dir / f"{scenario_id}.yaml")

    def start(self, username: str = "trainee", scenario_id: str = "hands_on_practice") -> int:
        return training.start_attempt(self.db, self.scenario(scenario_id), operator(username), START).id

    def decide(self, attempt_id: int, calls: Calls, username: str = "trainee") -> None:
        attempt = storage.get_attempt(self.db, attempt_id)
        scenario = self.scenario(attempt.scenario_id)
        for n, (item_id, (call, template)) in enumerate(calls.items(), start=1):
            state = training.load_state(self.db, scenario, attempt_id, username)
            note = "Refund is over the $500 limit" if call == "escalate_manager" else None
            training.record_call(
                self.db,
                state,
                operator(username),
                training.CallInput(item_id, call, template, None, note),
                now=START + timedelta(minutes=n),
                elapsed_seconds=60.0,
            )

    def finished(
        self, username: str = "trainee", calls: Calls | None = None, scenario_id: str = "hands_on_practice"
    ) -> int:
        attempt_id = self.start(username, scenario_id)
        self.decide(attempt_id, calls or expected_calls(self.scenario(scenario_id)), username)
        state = training.load_state(self.db, self.scenario(scenario_id), attempt_id, username)
        training.finish(self.db, state, now=START + timedelta(hours=1))
        return attempt_id

    def feedback(self, attempt_id: int, answers: Mapping[str, str]) -> None:
        """Q&A answers for a finished attempt, as the form after the results saves them."""
        attempt = storage.get_attempt(self.db, attempt_id)
        qa_capture.save_qa(
            self.db,
            self.scenario(attempt.scenario_id),
            attempt,
            [qa_capture.AnswerInput(qid, text) for qid, text in answers.items()],
            uploads_dir=self.env.uploads,
            now=START + timedelta(hours=2),
        )


class TrainSteps:
    """A trainee's clicks on the Train page, each followed by the rerun a browser would trigger."""

    @staticmethod
    def open(at: AppTest, scenario_id: str) -> int:
        """From the catalog: open the scenario, start the shift; returns the attempt id from the URL."""
        at.button(key=f"open_{scenario_id}").click().run()
        assert not at.exception
        at.button(key="start_shift").click().run()
        assert not at.exception
        return int(at.query_params["attempt"])

    @staticmethod
    def pick(at: AppTest, attempt_id: int, item_id: str | None = None) -> str:
        """Select an item in the work queue (default: the one the queue offers next)."""
        radio = at.radio(key=f"pick_{attempt_id}")
        if item_id is not None and radio.value != item_id:
            radio.set_value(item_id).run()
            assert not at.exception
        return str(at.radio(key=f"pick_{attempt_id}").value)

    @staticmethod
    def prepare(
        at: AppTest, attempt_id: int, item_id: str, call: str, template: str | None = None, **text: str
    ) -> None:
        """Choose a call and fill its inputs (`note=`, `body=`) without submitting."""
        at.radio(key=f"call_{attempt_id}_{item_id}").set_value(call).run()
        assert not at.exception
        if template is not None:
            at.selectbox(key=f"template_{attempt_id}_{item_id}").set_value(template).run()
            assert not at.exception
        for name, value in text.items():
            key = f"{name}_{template}" if name == "body" and template else name
            widget = next(w for w in (*at.text_area, *at.text_input) if w.key == f"{key}_{attempt_id}_{item_id}")
            widget.set_value(value)

    @staticmethod
    def submit(at: AppTest, attempt_id: int, item_id: str) -> None:
        at.button(key=f"submit_{attempt_id}_{item_id}").click().run()
        assert not at.exception

    def decide(
        self, at: AppTest, attempt_id: int, item_id: str, call: str, template: str | None = None, **text: str
    ) -> None:
        self.pick(at, attempt_id, item_id)
        if call == "escalate_manager":
            text.setdefault("note", "Refund is over the $500 limit")
        self.prepare(at, attempt_id, item_id, call, template, **text)
        self.submit(at, attempt_id, item_id)

    def work_queue(self, at: AppTest, attempt_id: int, calls: Calls) -> list[str]:
        """Answer whatever the queue offers next until nothing is pending; returns the order taken."""
        taken: list[str] = []
        while not [b for b in at.button if b.key == "finish"]:
            assert len(taken) < len(calls), f"still pending after {taken}"
            item_id = self.pick(at, attempt_id)
            assert item_id in calls, f"the queue offered {item_id}, which the test has no call for"
            assert [r for r in at.radio if r.key == f"call_{attempt_id}_{item_id}"], (
                f"{item_id} is not waiting for a call"
            )
            self.decide(at, attempt_id, item_id, *calls[item_id])
            taken.append(item_id)
        return taken
