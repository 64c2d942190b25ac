"""Sign-in page: the only page a signed-out visitor can reach."""

import streamlit as st

from optrain.accounts import DEMO_ACCOUNTS
from optrain.config import Settings
from optrain.ui import session

settings = Settings.from_env()

st.title("Operator Training Simulator")
st.caption("Practise Operator Control Center decisions on a safe copy of the shop before touching live customers.")

left, right = st.columns([3, 2], gap="large")
with left:
    session.login_form()
with right:
    if settings.demo:
        with st.container(border=True):
            st.markdown("**:material/science: Demo mode**")
            st.caption("These accounts exist only on this demo install. Turn demo mode off (OPTRAIN_DEMO=0) "
                       "and replace them before real use.")
            st.table({
                "Role": [", ".join(a.roles) for a in DEMO_ACCOUNTS],
                "Username": [a.username for a in DEMO_ACCOUNTS],
                "Password": [a.password for a in DEMO_ACCOUNTS],
            })
