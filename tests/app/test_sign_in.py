"""The real sign-in form, failed sign-ins on record, and the refusal to run demo accounts outside demo mode."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from optrain import accounts, storage

from .harness import PAGES, Env, demo_account, signed_out, submit_form, texts

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
UNSAFE = "Demo mode is off, but the accounts file is not safe to use yet"


@pytest.mark.parametrize(("username", "recorded_as"), [("trainee", "trainee"), ("nobody", "(unknown user)")])
def test_wrong_password_is_refused_and_recorded(env: Env, username: str, recorded_as: str) -> None:
    at = submit_form(signed_out(), username, "not-the-password")
    assert any("Username or password is incorrect" in e for e in texts(at.error))
    assert at.session_state["authentication_status"] is not True
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    db = env.db()
    assert storage.recent_failures(db, recorded_as, EPOCH) == 1
    assert storage.last_event_at(db, recorded_as, "success") is None


def test_a_rerun_after_a_failed_sign_in_records_no_further_failure(env: Env) -> None:
    at = submit_form(signed_out(), "trainee", "not-the-password")
    at.run()
    at.run()
    assert not at.exception
    db = env.db()
    assert storage.recent_failures(db, "trainee", EPOCH) == 1
    assert storage.recent_failures(db, "(unknown user)", EPOCH) == 0
    at = submit_form(at, "trainee", "still-not-it")
    assert storage.recent_failures(db, "trainee", EPOCH) == 2
    assert any("Username or password is incorrect" in e for e in texts(at.error))


@pytest.mark.parametrize("username", [a.username for a in accounts.DEMO_ACCOUNTS])
def test_demo_password_signs_in_through_the_form(env: Env, username: str) -> None:
    account = demo_account(username)
    at = submit_form(signed_out(), username, account.password)
    assert not at.error
    assert at.session_state["authentication_status"] is True
    assert texts(at.title) == [f"Welcome, {account.first_name}"]
    assert storage.last_event_at(env.db(), username, "success") is not None
    at.switch_page(PAGES["train"]).run()
    assert not at.exception
    assert texts(at.title) == ["Train"]


def test_no_custom_component_is_drawn_before_or_after_sign_in(env: Env) -> None:
    """A component reruns the page once it has loaded in the browser, and a click made in that
    moment is lost; the sign-in library's cookie component is replaced by a stand-in."""
    at = signed_out()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("component_instance")
    submit_form(at, "trainee", demo_account("trainee").password)
    assert at.session_state["authentication_status"] is True
    assert not at.get("component_instance")


def test_sign_in_page_lists_demo_accounts_only_in_demo_mode(env: Env) -> None:
    at = signed_out()
    (table,) = at.table
    assert list(table.value["Username"]) == [a.username for a in accounts.DEMO_ACCOUNTS]


def test_demo_mode_off_with_demo_accounts_refuses_to_start(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTRAIN_DEMO", "0")
    at = signed_out()
    assert any(UNSAFE in e for e in texts(at.error))
    problems = " ".join(texts(at.markdown))
    for account in accounts.DEMO_ACCOUNTS:
        assert f"optrain users reset-password {account.username}" in problems
    assert any("OPTRAIN_DEMO=1" in c for c in texts(at.caption))
    assert not at.text_input, "the sign-in form must not be offered"


def test_demo_mode_off_with_a_weak_cookie_key_names_the_key(env: Env, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "weak.yaml"
    accounts.init_config(path, demo=False)
    config = accounts.read_config(path)
    config["cookie"]["key"] = "some_key"
    accounts.write_config(path, config)
    monkeypatch.setenv("OPTRAIN_AUTH", str(path))
    monkeypatch.setenv("OPTRAIN_DEMO", "0")
    at = signed_out()
    assert any(UNSAFE in e for e in texts(at.error))
    assert any("cookie.key" in m for m in texts(at.markdown))


def test_demo_mode_off_with_a_clean_accounts_file_starts(env: Env, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "clean.yaml"
    accounts.init_config(path, demo=False)
    accounts.add_account(path, "casey", name="Casey Morgan", email="casey@hotrodan.example", roles=("trainee",),
                         password="long-private-passphrase")
    monkeypatch.setenv("OPTRAIN_AUTH", str(path))
    monkeypatch.setenv("OPTRAIN_DEMO", "0")
    at = signed_out()
    assert not at.error
    assert not at.table, "no demo credentials outside demo mode"
    at = submit_form(at, "casey", "long-private-passphrase")
    assert texts(at.title) == ["Welcome, Casey"]
