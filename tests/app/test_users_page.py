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
    for key, value in {"user_add_username": "dana", "user_add_name": "Dana Reyes", "user_add_email": "d@x.io",
                       "user_add_password": "secret-123"}.items():
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
