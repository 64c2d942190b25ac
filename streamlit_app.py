"""Router only: sign-in gate, then the pages this user's roles may see (`optrain.ui.navigation`)."""

import streamlit as st

from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.log import configure_logging
from optrain.ui import auth, navigation, session

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

auth.run_page(navigation.signed_out() if user is None else navigation.signed_in(user), user)
