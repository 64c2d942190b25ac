"""The app's addresses and which roles see which, for the router (`streamlit_app.py`).

Every address exists for everyone, so that opening one never shows "Page not
found": a visitor gets the sign-in form there, a role that may not see it a
plain refusal (and each page re-checks the role itself).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from optrain.ui.auth import User
from optrain.ui.session import logout, sign_in_page
from optrain.ui.text import plain

# url path -> (script, title, icon)
PAGES: dict[str, tuple[str, str, str]] = {
    "home": ("app_pages/home.py", "Home", ":material/home:"),
    "train": ("app_pages/train.py", "Train", ":material/school:"),
    "my-results": ("app_pages/my_results.py", "My results", ":material/insights:"),
    "review": ("app_pages/review.py", "Review", ":material/fact_check:"),
    "qa": ("app_pages/qa_browser.py", "Q&A answers", ":material/forum:"),
    "studio": ("app_pages/studio.py", "Scenario studio", ":material/edit_document:"),
    "exports": ("app_pages/exports.py", "Exports", ":material/download:"),
    "users": ("app_pages/users.py", "Users", ":material/manage_accounts:"),
}


def sections_for(user: User) -> dict[str, tuple[str, ...]]:
    """Sidebar section -> the addresses this user's roles may open, in sidebar order."""
    allowed: dict[str, tuple[str, ...]] = {"Training": ("home", "train", "my-results")}
    if user.can("trainer"):
        allowed["Trainers"] = ("review", "qa", "studio")
    if user.can("support"):
        allowed["Support"] = ("exports",) if user.can("trainer") else ("qa", "exports")
    if "admin" in user.roles:
        allowed["Admin"] = ("users",)
    return allowed


def _pages(*names: str) -> list[StreamlitPage]:
    return [st.Page(PAGES[n][0], title=PAGES[n][1], icon=PAGES[n][2], url_path=n) for n in names]


def _stand_ins(names: list[str], draw: Callable[[], None]) -> list[StreamlitPage]:
    """Hidden pages at these addresses that draw `draw` instead of the page."""
    return [st.Page(draw, title=PAGES[n][1], url_path=n, visibility="hidden") for n in names]


def _not_available() -> None:
    st.warning("This page is not available for your role. Ask an admin if you need it.", icon=":material/block:")
    st.page_link(PAGES["home"][0], label="Go to Home", icon=":material/home:")


def signed_out() -> StreamlitPage:
    """The sign-in form at every address; after signing in, the same address shows the page itself."""
    login = st.Page("app_pages/login.py", title="Sign in", icon=":material/login:", url_path="start", default=True)
    return st.navigation([login, *_stand_ins(list(PAGES), sign_in_page)], position="hidden")


def signed_in(user: User) -> StreamlitPage:
    """The pages this user's roles may see, in sections, and the sidebar's account box."""
    allowed = sections_for(user)
    sections = {title: _pages(*names) for title, names in allowed.items()}
    shown = {name for names in allowed.values() for name in names}
    # The root address is a hidden page of its own: Streamlit serves the default page at "/" only, so Home
    # as the default would make "/home" a "Page not found".
    sections["Training"] += [
        st.Page(PAGES["home"][0], title="Home", url_path="start", default=True, visibility="hidden"),
        *_stand_ins([n for n in PAGES if n not in shown], _not_available),
    ]
    page = st.navigation(sections)
    with st.sidebar:
        # A display name is data, not Markdown. Name and roles are one element: each is sent on every click.
        st.markdown(f"**{plain(user.name)}**  \n:gray[:small[Roles: {plain(', '.join(user.roles))}]]")
        if st.button("Log out", key="sign_out", icon=":material/logout:", width="stretch"):
            logout(user)
            st.rerun()
    return page
