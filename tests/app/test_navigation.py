"""Every page for every role: what the router registers, what renders, and what a role may not see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from optrain import accounts
from optrain.accounts import DEMO_ACCOUNTS

from .harness import NO_ACCESS, PAGES, ROOT, TIMEOUT, Seed, demo_account, sign_in, texts

ROLES = ("trainee", "trainer", "support", "admin")
TRAINEE_PAGES = {"home", "train", "my_results"}
VISIBLE: dict[str, set[str]] = {
    "trainee": TRAINEE_PAGES,
    "trainer": TRAINEE_PAGES | {"review", "qa", "studio"},
    "support": TRAINEE_PAGES | {"qa", "exports"},
    "admin": set(PAGES),
}
TITLE: dict[str, str] = {
    "home": "Welcome, ",
    "train": "Train",
    "my_results": "My results",
    "review": "Review",
    "qa": "Q&A answers",
    "studio": "Scenario studio",
    "exports": "Exports",
    "users": "Users",
}
# What each page shows once there is data, so a smoke test also reaches past the empty state.
CONTENT: dict[str, Callable[[AppTest], bool]] = {
    "home": lambda at: any(m.label == "Attempts" and m.value == "1" for m in at.metric),
    "train": lambda at: at.button(key="open_hands_on_practice").label == "Practise again",
    "my_results": lambda at: bool(at.dataframe),
    "review": lambda at: bool(at.dataframe),
    "qa": lambda at: bool(at.dataframe),
    "exports": lambda at: not at.download_button(key="exp_tickets").disabled,
}
# Pages whose content does not depend on attempts: what they always show.
ALWAYS: dict[str, Callable[[AppTest], bool]] = {
    "studio": lambda at: bool(at.text_area(key="studio_text")),
    "users": lambda at: list(at.dataframe[0].value["Username"]) == sorted(a.username for a in DEMO_ACCOUNTS),
}


@pytest.mark.parametrize("role", ROLES)
def test_router_registers_only_the_pages_of_the_role(app, role: str) -> None:
    at = app(role)
    for page in PAGES:
        if page in VISIBLE[role]:
            at.switch_page(PAGES[page])
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(PAGES[page])


@pytest.mark.parametrize("with_data", [False, True], ids=["empty", "with-data"])
@pytest.mark.parametrize(("role", "page"), [(r, p) for r in ROLES for p in PAGES if p in VISIBLE[r]])
def test_each_page_renders_for_each_role_allowed(app, seed: Seed, role: str, page: str, with_data: bool) -> None:
    if with_data:
        seed.feedback(seed.finished(role), {"what_is_confusing": "The SLA badge colours"})
    at = app(role, page)
    assert at.title[0].value.startswith(TITLE[page])
    assert not [e for e in at.error if NO_ACCESS in e.value]
    if page in ALWAYS:
        assert ALWAYS[page](at)
    else:
        assert CONTENT[page](at) is with_data


@pytest.mark.parametrize(
    ("role", "page"),
    # A trainee on review, exports, qa and studio, with replayed widget state, is in test_attacks.py.
    [
        ("trainee", "users"),
        ("support", "review"),
        ("support", "studio"),
        ("support", "users"),
        ("trainer", "exports"),
        ("trainer", "users"),
        *((None, page) for page in PAGES),
    ],
)
def test_page_refuses_a_role_it_does_not_serve(env, seed: Seed, role: str | None, page: str) -> None:
    """Defence in depth: the page file itself, run without the router, shows nothing to the wrong role."""
    seed.finished("trainee")
    at = AppTest.from_file(ROOT / PAGES[page], default_timeout=TIMEOUT)
    if role is not None:
        sign_in(at, role)
    at.run()
    assert not at.exception
    assert any(NO_ACCESS in e for e in texts(at.error))
    assert not at.title
    assert not at.dataframe
    assert not at.download_button
    assert not at.metric


def test_a_role_taken_away_mid_session_ends_the_session_on_the_next_run(app, env, seed: Seed) -> None:
    """Roles are read from the accounts file on every run, never trusted from the session."""
    seed.finished("trainee")
    at = app("trainer", "review")
    assert at.title[0].value == "Review" and at.dataframe
    accounts.set_roles(env.auth_path, "trainer", ("trainee",))
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.dataframe


@pytest.mark.parametrize("change", ["reset", "remove"])
def test_a_password_reset_or_removal_ends_the_open_session(app, env, change: str) -> None:
    at = app("trainer", "review")
    if change == "reset":
        accounts.reset_password(env.auth_path, "trainer", "a-new-passphrase")
    else:
        accounts.remove_account(env.auth_path, "trainer")
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.title or at.title[0].value == "Operator Training Simulator"


def test_a_logout_in_another_tab_ends_this_tab_at_its_next_run(app) -> None:
    first, second = app("trainee"), app("trainee")
    first.sidebar.button(key="sign_out").click().run()
    assert not first.exception
    second.run()
    assert not second.exception
    assert [t.label for t in second.text_input] == ["Username", "Password"]


def deep_link(page: str) -> AppTest:
    """A signed-out visitor opening /<page> (AppTest resolves a page by its file name before the first run)."""
    at = AppTest.from_file(ROOT / "streamlit_app.py", default_timeout=TIMEOUT)
    at.switch_page(PAGES[page]).run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    ("username", "page", "title"),
    [("trainer", "review", "Review"), ("trainee", "train", "Train"), ("admin", "users", "Users")],
)
def test_a_deep_link_opened_signed_out_lands_on_its_page_after_sign_in(
    env, username: str, page: str, title: str
) -> None:
    at = deep_link(page)
    assert [b.label for b in at.button] == ["Sign in"]
    assert texts(at.title) == ["Operator Training Simulator"]
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(demo_account(username).password)
    at.button[0].click().run()
    assert not at.exception
    assert texts(at.title) == [title]


@pytest.mark.parametrize(("username", "page"), [("trainee", "review"), ("trainee", "users"), ("support", "studio")])
def test_a_page_the_role_may_not_see_says_so_plainly(env, username: str, page: str) -> None:
    at = deep_link(page)
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(demo_account(username).password)
    at.button[0].click().run()
    assert not at.exception
    assert texts(at.warning) == ["This page is not available for your role. Ask an admin if you need it."]
    assert not at.title and not at.dataframe and not at.text_area


@pytest.mark.parametrize("page", list(PAGES))
def test_signed_out_visitor_gets_the_sign_in_form_on_any_page(app, seed: Seed, page: str) -> None:
    attempt_id = seed.start("trainee")
    at = AppTest.from_file(ROOT / "streamlit_app.py", default_timeout=TIMEOUT)
    at.query_params["attempt"] = str(attempt_id)
    at.switch_page(PAGES[page]).run()  # before the first run: the deep link /<page>?attempt=<id>
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert texts(at.title) == ["Operator Training Simulator"]
    assert not at.dataframe and not at.metric and not at.radio
    with pytest.raises(ValueError):
        at.switch_page(PAGES[page] if page != "home" else PAGES["train"])


@pytest.mark.parametrize("role", ROLES)
def test_sidebar_names_the_user_and_roles_and_offers_log_out(app, role: str) -> None:
    at = app(role)
    (account,) = [m.value for m in at.sidebar.markdown if "Roles: " in m.value]
    person = demo_account(role)
    assert account.startswith(f"**{person.first_name} {person.last_name}**")
    assert account.split("Roles: ")[1].removesuffix("]]").split(", ") == list(person.roles)
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_a_page_run_without_the_router_shows_itself_to_the_right_role(env) -> None:
    """Under the router a page reuses the account its gate checked on the same run; on its own it reads
    the session itself (the refusals are tested above)."""
    at = AppTest.from_file(ROOT / PAGES["review"], default_timeout=TIMEOUT)
    sign_in(at, "trainer")
    at.run()
    assert not at.exception
    assert not [e for e in texts(at.error) if NO_ACCESS in e]
    assert texts(at.title) == ["Review"]
