"""Users (admin): accounts and roles, the same operations as `optrain users`."""

from collections.abc import Callable
from typing import Any

import streamlit as st

from optrain import accounts
from optrain.config import Settings
from optrain.ui.auth import require_role

admin = require_role("admin")
path = Settings.from_env().auth_path
ADD_FIELDS = ("user_add_username", "user_add_name", "user_add_email", "user_add_password")
ADDED = "_optrain_user_added"

st.title("Users")
st.caption(
    "Passwords are stored only as bcrypt hashes. A password reset, a role change or a removal ends the "
    "user's open sessions at their next page load."
)
try:
    listing = accounts.list_accounts(path)
except accounts.AccountError as exc:
    st.error(str(exc))
    st.stop()
st.dataframe(accounts.table_rows(listing), hide_index=True, width="stretch")


def attempt(action: str, fn: Callable[..., None], *args: Any, **kwargs: Any) -> bool:
    try:
        fn(path, *args, **kwargs)
    except accounts.AccountError as exc:
        st.error(str(exc))
        return False
    st.toast(action, icon=":material/manage_accounts:")
    return True


if st.session_state.pop(ADDED, False):  # the add form empties only once the account exists
    for key in ADD_FIELDS:
        st.session_state.pop(key, None)

add_tab, roles_tab, password_tab, remove_tab = st.tabs(["Add", "Roles", "Reset password", "Remove"])
with add_tab, st.form("user_add", clear_on_submit=False):
    c1, c2 = st.columns(2)
    username = c1.text_input("Username", key="user_add_username", max_chars=40)
    name = c2.text_input("Display name", key="user_add_name", max_chars=80)
    email = c1.text_input("E-mail", key="user_add_email", max_chars=120)
    roles = c2.multiselect("Roles", accounts.ROLES, default=["trainee"], key="user_add_roles")
    password = st.text_input("Initial password (8+ characters)", type="password", key="user_add_password")
    if st.form_submit_button("Add user", type="primary") and attempt(
        f"Added {username}",
        accounts.add_account,
        username,
        name=name,
        email=email,
        roles=tuple(roles),
        password=password,
    ):
        st.session_state[ADDED] = True
        st.rerun()
names = [a.username for a in listing]
with roles_tab:
    who = st.selectbox("User", names, index=None, key="user_roles_who")
    if who:
        new_roles = st.multiselect(
            "Roles", accounts.ROLES, default=list(accounts.roles_of(listing, who)), key=f"user_roles_{who}"
        )
        if st.button("Save roles", key="user_roles_save", type="primary") and attempt(
            f"{who}: roles saved", accounts.set_roles, who, tuple(new_roles)
        ):
            st.rerun()
with password_tab, st.form("user_password", clear_on_submit=True):
    who = st.selectbox("User", names, index=None, key="user_password_who")
    new = st.text_input("New password (8+ characters)", type="password", key="user_password_new")
    if (
        st.form_submit_button("Reset password", type="primary")
        and who
        and attempt(f"{who}: password changed, lockout lifted", accounts.reset_password, who, new)
    ):
        st.rerun()
with remove_tab:
    who = st.selectbox(
        "User",
        accounts.removable(listing, admin.username),
        index=None,
        key="user_remove_who",
        help="You cannot remove your own account here.",
    )
    sure = st.checkbox("Yes, remove this account (its training records stay)", key="user_remove_sure")
    if st.button("Remove user", key="user_remove", disabled=not (who and sure)) and attempt(
        f"Removed {who}", accounts.remove_account, who
    ):
        st.rerun()
