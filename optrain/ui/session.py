"""Sign-in gate for the router: the remember-me cookie, the sign-in form, logout."""

from __future__ import annotations

import logging

import streamlit as st

from optrain import accounts, signin, storage
from optrain.config import Settings, sso_roles_path
from optrain.errors import StorageError
from optrain.ui import auth, state
from optrain.ui.db import get_db
from optrain.ui.text import plain

log = logging.getLogger(__name__)


def _signed_in_from_cookie(settings: Settings, cookie: signin.CookieSettings) -> None:
    """A visitor with a valid remember-me cookie is signed in; any other cookie is expired."""
    raw = st.context.cookies.get(cookie.name)
    if not raw:
        return
    now = auth.now_utc()
    claims = signin.read_token(raw, cookie, now)
    config = auth.load_config(settings)
    db = get_db(settings)
    record = config["credentials"]["usernames"].get(claims.username) if claims else None
    if claims is None or not signin.session_is_current(db, record, claims.version, claims.issued_at, claims.username):
        st.session_state[state.COOKIE_REFUSED] = True  # the request keeps sending it: read it once
        st.session_state[state.CLEAR_COOKIE] = True
        return
    assert record is not None
    auth.start_session(accounts.account_from_record(claims.username, record), claims.version, claims.issued_at)
    try:
        storage.log_login(db, username=claims.username, outcome="cookie", now=now)
    except StorageError as exc:  # only the audit trail misses it: the lockout is not involved
        log.warning("could not record the cookie sign-in of %r: %s", claims.username, exc)


def gate(settings: Settings) -> auth.User | None:
    """Resolve who is signed in this run (earlier sign-in or cookie); draws only the cookie scripts.

    With single sign-on, an identity the role map gives no role gets the "no access" page here.
    """
    if sso_roles_path() is not None:
        return _sso_gate()
    config = auth.load_config(settings)
    cookie = signin.cookie_settings(config)
    user = auth.current_user(settings)
    if user is None and not st.session_state.get(state.COOKIE_REFUSED):
        _signed_in_from_cookie(settings, cookie)
        user = auth.current_user(settings)
    if user is not None and st.session_state.pop(state.SET_COOKIE, False):
        version = st.session_state[state.TOKEN_VERSION]
        token = signin.issue_token(cookie, user.username, version, st.session_state[state.SIGNED_IN_AT])
        auth.run_script(auth.set_cookie_script(cookie, token))
    elif user is None and st.session_state.pop(state.CLEAR_COOKIE, False):
        auth.run_script(auth.delete_cookie_script(cookie))
    return user


def _sso_gate() -> auth.User | None:
    try:
        configured = bool(st.secrets.get("auth"))
    except FileNotFoundError:  # Streamlit's "no secrets file" error is one
        configured = False
    if not configured:
        raise accounts.AccountError(
            "OPTRAIN_SSO_ROLES is set, but Streamlit's secrets have no [auth] section: "
            "add redirect_uri, cookie_secret, client_id, client_secret and "
            "server_metadata_url (see the README)"
        )
    identity = auth.sso_identity()
    if identity is not None and not identity.roles:
        st.title("No access")
        st.warning(
            f"You are signed in as {plain(identity.email or identity.username)}, but this account has no "
            "access to the Operator Training Simulator. Ask an admin to add your e-mail address or group to "
            "the role map.",
            icon=":material/block:",
        )
        if st.button("Sign out", key="sso_sign_out", icon=":material/logout:"):
            st.logout()
        st.stop()
    return identity


def login_form(settings: Settings) -> None:
    """Draw the form; a successful submit reruns into the signed-in app, on the page that was asked for."""
    with st.form("login", clear_on_submit=True, enter_to_submit=True):
        st.subheader("Sign in")
        typed = st.text_input(
            "Username", key=state.LOGIN_USERNAME, max_chars=signin.MAX_USERNAME_CHARS, autocomplete="username"
        )
        password = st.text_input(
            "Password", key=state.LOGIN_PASSWORD, type="password", max_chars=1024, autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    if not typed.strip() or not password:
        st.error("Enter a username and a password.")
        return
    config = auth.load_config(settings)
    now = auth.now_utc()
    try:
        account = signin.sign_in(get_db(settings), config, typed, password, now)
    except signin.SignInUnavailable as exc:
        st.error(str(exc), icon=":material/lock:")
        return
    if account is None:
        st.error(signin.FAILED_MESSAGE)
        return
    record = config["credentials"]["usernames"][account.username]
    auth.start_session(account, accounts.token_version(record), now)
    st.session_state[state.CLEAR_COOKIE] = False
    st.session_state[state.SET_COOKIE] = True
    st.rerun()


def logout(user: auth.User) -> None:
    """Sign out for good: logout recorded server-side (cookies issued before it no longer sign in
    anywhere), session cleared, cookie expired in this browser."""
    if sso_roles_path() is not None:
        st.logout()  # Streamlit's identity cookie is removed; the provider's own session is the provider's
        return
    try:
        storage.log_login(get_db(), username=user.username, outcome="logout", now=auth.now_utc())
    except StorageError as exc:
        log.warning(
            "could not record the logout of %r; its cookies stay valid until they expire: %s", user.username, exc
        )
    auth.end_session()


def sign_in_page() -> None:
    """The sign-in page, drawn at whatever address a signed-out visitor opened."""
    settings = Settings.from_env()
    st.title("Operator Training Simulator")
    st.caption("Practise Operator Control Center decisions on a safe copy of the shop before touching live customers.")
    if sso_roles_path() is not None:
        st.caption("Sign in with your organisation's account.")
        if st.button("Sign in with single sign-on", key="sso_sign_in", type="primary", icon=":material/login:"):
            st.login()
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        login_form(settings)
    with right:
        if settings.demo:
            with st.container(border=True):
                st.markdown("**:material/science: Demo mode**")
                st.caption(
                    "These accounts exist only on this demo install. Turn demo mode off (OPTRAIN_DEMO=0) "
                    "and replace them before real use."
                )
                st.table(
                    {
                        "Role": [", ".join(a.roles) for a in accounts.DEMO_ACCOUNTS],
                        "Username": [a.username for a in accounts.DEMO_ACCOUNTS],
                        "Password": [a.password for a in accounts.DEMO_ACCOUNTS],
                    }
                )
