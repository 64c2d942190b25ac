"""Users (admin): accounts and roles, the same operations as `optrain users`."""

import streamlit as st

from optrain import accounts
from optrain.config import Settings
from optrain.ui.auth import require_role

admin = require_role("admin")
path = Settings.from_env().auth_path

st.title("Users")
st.caption("Passwords are stored only as bcrypt hashes. Changes apply at the user's next page load.")
try:
    listing = accounts.list_accounts(path)
except accounts.AccountError as exc:
    st.error(str(exc))
    st.stop()
st.dataframe([{"Username": a.username, "Name": a.name, "E-mail": a.email, "Roles": ", ".join(a.roles)} for a in listing],
             hide_index=True, width="stretch")


def attempt(action: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    try:
        fn(path, *args, **kwargs)
    except accounts.AccountError as exc:
        st.error(str(exc))
    else:
        st.toast(action, icon=":material/manage_accounts:")
        st.rerun()


add_tab, roles_tab, password_tab, remove_tab = st.tabs(["Add", "Roles", "Reset password", "Remove"])
with add_tab, st.form("user_add", clear_on_submit=True):
    c1, c2 = st.columns(2)
    username = c1.text_input("Username", key="user_add_username", max_chars=40)
    name = c2.text_input("Display name", key="user_add_name", max_chars=80)
    email = c1.text_input("E-mail", key="user_add_email", max_chars=120)
    roles = c2.multiselect("Roles", accounts.ROLES, default=["trainee"], key="user_add_roles")
    password = st.text_input("Initial password (8+ characters)", type="password", key="user_add_password")
    if st.form_submit_button("Add user", type="primary"):
        attempt(f"Added {username}", accounts.add_account, username, name=name, email=email, roles=tuple(roles),
                password=password)
names = [a.username for a in listing]
with roles_tab:
    who = st.selectbox("User", names, index=None, key="user_roles_who")
    if who:
        current = next(a.roles for a in listing if a.username == who)
        new_roles = st.multiselect("Roles", accounts.ROLES, default=list(current), key=f"user_roles_{who}")
        if st.button("Save roles", key="user_roles_save", type="primary"):
            attempt(f"{who}: roles saved", accounts.set_roles, who, tuple(new_roles))
with password_tab, st.form("user_password", clear_on_submit=True):
    who = st.selectbox("User", names, index=None, key="user_password_who")
    new = st.text_input("New password (8+ characters)", type="password", key="user_password_new")
    if st.form_submit_button("Reset password", type="primary") and who:
        attempt(f"{who}: password changed", accounts.reset_password, who, new)
with remove_tab:
    who = st.selectbox("User", [n for n in names if n != admin.username], index=None, key="user_remove_who",
                       help="You cannot remove your own account here.")
    sure = st.checkbox("Yes, remove this account (its training records stay)", key="user_remove_sure")
    if st.button("Remove user", key="user_remove", disabled=not (who and sure)):
        attempt(f"Removed {who}", accounts.remove_account, who)
