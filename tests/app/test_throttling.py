"""Login throttling: five failures in a row lock the account for a while, and the lock is logged."""

from __future__ import annotations

from datetime import datetime, timezone

from optrain import storage
from optrain.ui.session import MAX_FAILURES

from .harness import Env, demo_account, signed_out, submit_form, texts

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def test_five_failures_lock_the_account_even_for_the_right_password(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES - 1):
        at = submit_form(at, "trainee", "wrong-password")
        assert any("incorrect" in e for e in texts(at.error))
    at = submit_form(at, "trainee", "wrong-password")
    assert any("locked for 15 minutes" in e for e in texts(at.error))
    assert storage.last_event_at(env.db(), "trainee", "locked") is not None
    at = submit_form(at, "trainee", demo_account("trainee").password)
    assert at.session_state["authentication_status"] is not True
    assert any("locked" in e for e in texts(at.error))
    assert [t.label for t in at.text_input] == ["Username", "Password"]

def test_other_accounts_are_not_locked(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES):
        at = submit_form(at, "trainee", "wrong-password")
    at = submit_form(at, "trainer", demo_account("trainer").password)
    assert at.session_state["authentication_status"] is True

def test_a_success_resets_the_count(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES - 1):
        at = submit_form(at, "support", "wrong-password")
    at = submit_form(at, "support", demo_account("support").password)
    assert at.session_state["authentication_status"] is True
    assert storage.recent_failures(env.db(), "support", EPOCH) == 0
