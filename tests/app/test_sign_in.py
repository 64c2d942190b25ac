"""The real sign-in form, failed sign-ins on record, and the refusal to run demo accounts outside demo mode."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from optrain import accounts, signin, storage
from optrain.errors import StorageError

from .harness import PAGES, Env, demo_account, signed_in_as, signed_out, submit_form, texts

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
UNSAFE = "Demo mode is off, but the accounts file is not safe to use yet"


@pytest.mark.parametrize(("username", "recorded_as"), [("trainee", "trainee"), ("nobody", "nobody")])
def test_wrong_password_is_refused_and_recorded(env: Env, username: str, recorded_as: str) -> None:
    at = submit_form(signed_out(), username, "not-the-password")
    assert texts(at.error) == [signin.FAILED_MESSAGE]
    assert signed_in_as(at) is None
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
    at = submit_form(at, "trainee", "still-not-it")
    assert storage.recent_failures(db, "trainee", EPOCH) == 2
    assert texts(at.error) == [signin.FAILED_MESSAGE]


@pytest.mark.parametrize("username", [a.username for a in accounts.DEMO_ACCOUNTS])
def test_demo_password_signs_in_through_the_form(env: Env, username: str) -> None:
    account = demo_account(username)
    at = submit_form(signed_out(), username, account.password)
    assert not at.error
    assert signed_in_as(at) == username
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
    assert signed_in_as(at) == "trainee"
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


def test_demo_mode_off_with_a_weak_cookie_key_names_the_key(
    env: Env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
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


def test_demo_mode_off_with_a_clean_accounts_file_starts(
    env: Env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "clean.yaml"
    accounts.init_config(path, demo=False)
    accounts.add_account(
        path,
        "casey",
        name="Casey Morgan",
        email="casey@hotrodan.example",
        roles=("trainee",),
        password="long-private-passphrase",
    )
    monkeypatch.setenv("OPTRAIN_AUTH", str(path))
    monkeypatch.setenv("OPTRAIN_DEMO", "0")
    at = signed_out()
    assert not at.error
    assert not at.table, "no demo credentials outside demo mode"
    at = submit_form(at, "casey", "long-private-passphrase")
    assert texts(at.title) == ["Welcome, Casey"]


@pytest.mark.parametrize("typed", ["  Trainee ", "TRAINEE"])
def test_the_username_is_matched_trimmed_and_in_any_case(env: Env, typed: str) -> None:
    at = submit_form(signed_out(), typed, demo_account("trainee").password)
    assert signed_in_as(at) == "trainee"


def test_a_password_with_spaces_around_it_signs_in_exactly_as_typed(env: Env) -> None:
    accounts.add_account(
        env.auth_path,
        "dana",
        name="Dana Reyes",
        email="dana@hotrodan.example",
        roles=("trainee",),
        password="  spaced passphrase  ",
    )
    at = submit_form(signed_out(), "dana", "spaced passphrase")
    assert signed_in_as(at) is None and texts(at.error) == [signin.FAILED_MESSAGE]
    at = submit_form(at, "dana", "  spaced passphrase  ")
    assert signed_in_as(at) == "dana"


def test_sign_in_fails_closed_when_the_attempt_cannot_be_recorded(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: object, **kwargs: object) -> None:
        raise StorageError("attempt to write a readonly database")

    monkeypatch.setattr(signin, "log_login", read_only)
    at = submit_form(signed_out(), "trainee", demo_account("trainee").password)
    assert signed_in_as(at) is None
    (error,) = texts(at.error)
    assert error.startswith("Sign-in is unavailable: the app cannot record sign-in attempts")
    assert "readonly database" in error


@pytest.mark.parametrize("value", ["n", "disabled", "2"])
def test_an_unknown_demo_setting_is_refused_at_start(env: Env, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OPTRAIN_DEMO", value)
    at = signed_out()
    (error,) = texts(at.error)
    assert error.startswith(f"The app cannot start: OPTRAIN_DEMO='{value}' is not understood")
    assert not at.text_input and not at.table


def test_a_low_entropy_cookie_key_is_refused_outside_demo_mode(
    env: Env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "weak.yaml"
    accounts.init_config(path, demo=False)
    config = accounts.read_config(path)
    config["cookie"]["key"] = "a" * 32
    accounts.write_config(path, config)
    monkeypatch.setenv("OPTRAIN_AUTH", str(path))
    monkeypatch.setenv("OPTRAIN_DEMO", "0")
    at = signed_out()
    assert any(UNSAFE in e for e in texts(at.error))
    assert any("not random enough" in m for m in texts(at.markdown))
    assert not at.text_input
