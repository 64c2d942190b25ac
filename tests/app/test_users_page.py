"""The admin Users page: same rules as the CLI, admins only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from optrain import accounts

from .harness import NO_ACCESS, ROOT, TIMEOUT, Env, sign_in, texts

USERS = "app_pages/users.py"


def open_users(app: Callable[..., AppTest], role: str) -> AppTest:
    at = app(role)
    at.switch_page(USERS).run()
    assert not at.exception
    return at


def test_admin_adds_a_user_with_a_hashed_password(app: Callable[..., AppTest], env: Env) -> None:
    at = open_users(app, "admin")
    for key, value in {
        "user_add_username": "dana",
        "user_add_name": "Dana Reyes",
        "user_add_email": "d@x.io",
        "user_add_password": "secret-123",
    }.items():
        at.text_input(key=key).input(value)
    next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception and not at.error
    added = {a.username: a for a in accounts.list_accounts(env.auth_path)}["dana"]
    assert added.roles == ("trainee",)
    assert "secret-123" not in env.auth_path.read_text()


def test_refusals_are_shown_inline(app: Callable[..., AppTest], env: Env) -> None:
    at = open_users(app, "admin")
    at.text_input(key="user_add_username").input("dana")
    at.text_input(key="user_add_name").input("Dana")
    at.text_input(key="user_add_password").input("short")
    next(b for b in at.button if b.label == "Add user").click().run()
    assert any("at least 8 characters" in e for e in texts(at.error))
    assert "dana" not in {a.username for a in accounts.list_accounts(env.auth_path)}


@pytest.mark.parametrize("role", ["trainee", "trainer", "support"])
def test_only_admins_reach_the_page(app: Callable[..., AppTest], role: str) -> None:
    at = app(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(USERS)
    direct = AppTest.from_file(str(ROOT / USERS), default_timeout=TIMEOUT)
    sign_in(direct, role)
    direct.run()
    assert any(NO_ACCESS in e for e in texts(direct.error)) and not direct.dataframe


def test_a_refused_add_keeps_what_was_typed(app: Callable[..., AppTest], env: Env) -> None:
    at = open_users(app, "admin")
    typed = {
        "user_add_username": "dana",
        "user_add_name": "Dana Reyes",
        "user_add_email": "dana-at-shop",
        "user_add_password": "long-enough-1",
    }
    for key, value in typed.items():
        at.text_input(key=key).input(value)
    next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception
    assert texts(at.error) == ["'dana-at-shop' is not an e-mail address (expected name@example.com)"]
    assert {key: at.text_input(key=key).value for key in typed} == typed
    assert "dana" not in {a.username for a in accounts.list_accounts(env.auth_path)}

    at.text_input(key="user_add_email").input("dana@shop.test")
    next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception and not at.error
    assert accounts.list_accounts(env.auth_path)[1].email == "dana@shop.test"
    assert {key: at.text_input(key=key).value for key in typed} == dict.fromkeys(typed, "")


def test_the_table_rows_and_removable_accounts_are_computed_by_the_core() -> None:
    listing = (
        accounts.Account("ana", "Ana B", "ana@x.io", ("admin",)),
        accounts.Account("bo", "Bo C", "bo@x.io", ("trainee", "trainer")),
    )
    assert accounts.table_rows(listing) == [
        {"Username": "ana", "Name": "Ana B", "E-mail": "ana@x.io", "Roles": "admin"},
        {"Username": "bo", "Name": "Bo C", "E-mail": "bo@x.io", "Roles": "trainee, trainer"},
    ]
    assert accounts.removable(listing, "ana") == ["bo"]
    assert accounts.roles_of(listing, "bo") == ("trainee", "trainer") and accounts.roles_of(listing, "zed") == ()


@pytest.mark.parametrize(
    "email", ["", "dana", "dana@", "@shop.test", "dana@shop", "da na@shop.test", "dana@@shop.test"]
)
def test_invalid_e_mail_addresses_are_refused(env: Env, email: str) -> None:
    with pytest.raises(accounts.AccountError, match="e-mail address"):
        accounts.add_account(
            env.auth_path, "dana", name="Dana", email=email, roles=("trainee",), password="long-enough-1"
        )


def test_the_users_table_shows_bidi_controls_in_names() -> None:
    listing = (accounts.Account("ana", "Ana \u202egnp.exe", "ana@x.io", ("admin",)),)
    assert accounts.table_rows(listing)[0]["Name"] == "Ana [U+202E]gnp.exe"
