"""Router only: sign-in gate, then the pages this user's roles may see."""

import streamlit as st

from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.log import configure_logging
from optrain.ui import auth, session
from optrain.ui.text import plain

configure_logging()
st.set_page_config(page_title="Operator Training Simulator", page_icon=":material/support_agent:", layout="wide")
settings = Settings.from_env()

try:
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

# url path -> (script, title, icon). Only the pages this user may see are made, on each run.
PAGES = {
    "login": ("app_pages/login.py", "Sign in", ":material/login:"),
    "home": ("app_pages/home.py", "Home", ":material/home:"),
    "train": ("app_pages/train.py", "Train", ":material/school:"),
    "my-results": ("app_pages/my_results.py", "My results", ":material/insights:"),
    "review": ("app_pages/review.py", "Review", ":material/fact_check:"),
    "qa": ("app_pages/qa_browser.py", "Q&A answers", ":material/forum:"),
    "studio": ("app_pages/studio.py", "Scenario studio", ":material/edit_document:"),
    "exports": ("app_pages/exports.py", "Exports", ":material/download:"),
    "users": ("app_pages/users.py", "Users", ":material/manage_accounts:"),
}


def pages(*names: str, default: str = "") -> list:
    return [st.Page(PAGES[n][0], title=PAGES[n][1], icon=PAGES[n][2], url_path=n, default=n == default)
            for n in names]


if user is None:
    # Only the sign-in page exists for a visitor, so every deep link lands on it.
    page = st.navigation(pages("login", default="login"), position="hidden")
else:
    sections: dict[str, list] = {"Training": pages("home", "train", "my-results", default="home")}
    if user.can("trainer"):
        sections["Trainers"] = pages("review", "qa", "studio")
    if user.can("support"):
        sections["Support"] = pages("exports") if user.can("trainer") else pages("qa", "exports")
    if "admin" in user.roles:
        sections["Admin"] = pages("users")
    page = st.navigation(sections)
    with st.sidebar:
        st.markdown(f"**{plain(user.name)}**")  # a display name is data, not Markdown
        st.caption("Roles: " + ", ".join(user.roles))
        if st.button("Log out", key="sign_out", icon=":material/logout:", width="stretch"):
            session.logout(user)
            st.rerun()
page.run()
