"""Login throttling: five failures in a row lock the name tried, for real and unknown names alike,
until the window passes or an admin resets the password."""

from __future__ import annotations

from datetime import UTC, datetime

from optrain import accounts, signin, storage
from optrain.signin import MAX_FAILURES

from .harness import Env, demo_account, signed_in_as, signed_out, submit_form, texts

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def test_five_failures_lock_the_account_even_for_the_right_password(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES):
        at = submit_form(at, "trainee", "wrong-password")
        assert texts(at.error) == [signin.FAILED_MESSAGE]
    at = submit_form(at, "trainee", demo_account("trainee").password)
    assert signed_in_as(at) is None
    assert texts(at.error) == [signin.FAILED_MESSAGE], "a lock reads like any failure: nothing to enumerate"
    assert storage.last_event_at(env.db(), "trainee", "locked") is not None
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_unknown_names_are_locked_as_real_ones_are(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES + 1):
        at = submit_form(at, "nobody", "wrong-password")
        assert texts(at.error) == [signin.FAILED_MESSAGE]
    db = env.db()
    assert storage.recent_failures(db, "nobody", EPOCH) == MAX_FAILURES
    assert storage.last_event_at(db, "nobody", "locked") is not None


def test_an_admin_password_reset_lifts_the_lock(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES):
        at = submit_form(at, "trainee", "wrong-password")
    accounts.reset_password(env.auth_path, "trainee", "a-new-passphrase")
    at = submit_form(at, "trainee", "a-new-passphrase")
    assert signed_in_as(at) == "trainee"


def test_other_accounts_are_not_locked(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES):
        at = submit_form(at, "trainee", "wrong-password")
    at = submit_form(at, "trainer", demo_account("trainer").password)
    assert signed_in_as(at) == "trainer"


def test_a_success_resets_the_count(env: Env) -> None:
    at = signed_out()
    for _ in range(MAX_FAILURES - 1):
        at = submit_form(at, "support", "wrong-password")
    at = submit_form(at, "support", demo_account("support").password)
    assert signed_in_as(at) == "support"
    assert storage.recent_failures(env.db(), "support", EPOCH) == 0
