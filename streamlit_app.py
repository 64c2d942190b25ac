"""Router only: sign-in gate, then the pages this user's roles may see."""

import streamlit as st

from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.ui import auth, session
from optrain.ui.text import plain

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

LOGIN = st.Page("app_pages/login.py", title="Sign in", icon=":material/login:", url_path="login", default=True)
HOME = st.Page("app_pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)
TRAIN = st.Page("app_pages/train.py", title="Train", icon=":material/school:", url_path="train")
RESULTS = st.Page("app_pages/my_results.py", title="My results", icon=":material/insights:", url_path="my-results")
REVIEW = st.Page("app_pages/review.py", title="Review", icon=":material/fact_check:", url_path="review")
STUDIO = st.Page("app_pages/studio.py", title="Scenario studio", icon=":material/edit_document:", url_path="studio")
USERS = st.Page("app_pages/users.py", title="Users", icon=":material/manage_accounts:", url_path="users")
QA = st.Page("app_pages/qa_browser.py", title="Q&A answers", icon=":material/forum:", url_path="qa")
EXPORTS = st.Page("app_pages/exports.py", title="Exports", icon=":material/download:", url_path="exports")

if user is None:
    # Only the sign-in page exists for a visitor, so every deep link lands on it.
    page = st.navigation([LOGIN], position="hidden")
else:
    sections: dict[str, list] = {"Training": [HOME, TRAIN, RESULTS]}
    if user.can("trainer"):
        sections["Trainers"] = [REVIEW, QA, STUDIO]
    if user.can("support"):
        sections["Support"] = [EXPORTS] if user.can("trainer") else [QA, EXPORTS]
    if "admin" in user.roles:
        sections["Admin"] = [USERS]
    page = st.navigation(sections)
    with st.sidebar:
        st.markdown(f"**{plain(user.name)}**")  # a display name is data, not Markdown
        st.caption("Roles: " + ", ".join(user.roles))
        if st.button("Log out", key="sign_out", icon=":material/logout:", width="stretch"):
            session.logout(user)
            st.rerun()
page.run()
