"""Router only: sign-in gate, then the pages this user's roles may see."""

import streamlit as st

from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.log import configure_logging
from optrain.ui import auth, session
from optrain.ui.text import plain

configure_logging()
st.set_page_config(page_title="Operator Training Simulator", page_icon=":material/support_agent:", layout="wide")

try:
    settings = Settings.from_env()
    user = session.gate(settings)
    problems = () if settings.demo else auth.security_problems(settings)
except OptrainError as exc:
    st.error(f"The app cannot start: {exc}")
    st.stop()

if problems:
    st.error("Demo mode is off, but the accounts file is not safe to use yet. Change the following, then reload:")
    for problem in problems:
        st.markdown(f"- {problem}")
    st.caption(f"Accounts file: {settings.auth_path.name} (set OPTRAIN_DEMO=1 to run the demo instead).")
    st.stop()

# url path -> (script, title, icon). Every address exists for everyone, so that opening one never shows
# "Page not found": a visitor gets the sign-in form there, a role that may not see it a plain refusal.
PAGES = {
    "home": ("app_pages/home.py", "Home", ":material/home:"),
    "train": ("app_pages/train.py", "Train", ":material/school:"),
    "my-results": ("app_pages/my_results.py", "My results", ":material/insights:"),
    "review": ("app_pages/review.py", "Review", ":material/fact_check:"),
    "qa": ("app_pages/qa_browser.py", "Q&A answers", ":material/forum:"),
    "studio": ("app_pages/studio.py", "Scenario studio", ":material/edit_document:"),
    "exports": ("app_pages/exports.py", "Exports", ":material/download:"),
    "users": ("app_pages/users.py", "Users", ":material/manage_accounts:"),
}


def pages(*names: str) -> list:
    return [st.Page(PAGES[n][0], title=PAGES[n][1], icon=PAGES[n][2], url_path=n) for n in names]


def stand_ins(names: list[str], draw) -> list:  # type: ignore[no-untyped-def]
    """Hidden pages at these addresses that draw `draw` instead of the page."""
    return [st.Page(draw, title=PAGES[n][1], url_path=n, visibility="hidden") for n in names]


def not_available() -> None:
    st.warning("This page is not available for your role. Ask an admin if you need it.", icon=":material/block:")
    st.page_link(home[0], label="Go to Home", icon=":material/home:")


# The root address is a hidden page of its own: Streamlit serves the default page at "/" only, so Home as
# the default would make "/home" a "Page not found".
if user is None:
    # The sign-in form at every address; after signing in, the same address shows the page itself.
    login = st.Page("app_pages/login.py", title="Sign in", icon=":material/login:", url_path="start", default=True)
    page = st.navigation([login, *stand_ins(list(PAGES), session.sign_in_page)], position="hidden")
else:
    allowed: dict[str, tuple[str, ...]] = {"Training": ("home", "train", "my-results")}
    if user.can("trainer"):
        allowed["Trainers"] = ("review", "qa", "studio")
    if user.can("support"):
        allowed["Support"] = ("exports",) if user.can("trainer") else ("qa", "exports")
    if "admin" in user.roles:
        allowed["Admin"] = ("users",)
    sections: dict[str, list] = {title: pages(*names) for title, names in allowed.items()}
    home = sections["Training"]
    shown = {name for names in allowed.values() for name in names}
    sections["Training"] += [
        st.Page(PAGES["home"][0], title="Home", url_path="start", default=True, visibility="hidden"),
        *stand_ins([n for n in PAGES if n not in shown], not_available),
    ]
    page = st.navigation(sections)
    with st.sidebar:
        st.markdown(f"**{plain(user.name)}**")  # a display name is data, not Markdown
        st.caption("Roles: " + ", ".join(user.roles))
        if st.button("Log out", key="sign_out", icon=":material/logout:", width="stretch"):
            session.logout(user)
            st.rerun()
page.run()
