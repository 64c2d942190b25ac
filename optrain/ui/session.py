"""Sign-in gate for the router: cookie re-authentication, the login form, logout."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import streamlit as st
from streamlit_authenticator.utilities.exceptions import LoginError

from optrain import accounts

from optrain import storage
from optrain.config import Settings
from optrain.errors import StorageError
from optrain.ui import auth, state
from optrain.ui.db import get_db

_AUTHENTICATOR = "_optrain_authenticator"
_CONFIG = "_optrain_auth_config"
_SET_COOKIE = "_optrain_set_cookie"
_CREDENTIALS = "_optrain_credentials"
MAX_FAILURES = 5
LOCK_MINUTES = 15

logger = logging.getLogger(__name__)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _record(username: str, outcome: str) -> None:
    """Sign-in events feed throttling and the audit trail; a busy database must not block sign-in."""
    logger.log(logging.WARNING if outcome in ("failure", "locked") else logging.INFO, "Sign-in event %s for %r",
               outcome, username)
    try:
        storage.log_login(get_db(), username=username, outcome=outcome, now=now_utc())  # type: ignore[arg-type]
    except StorageError as exc:
        logger.warning("Sign-in event %s for %r not recorded (sign-in goes on without it): %s", outcome, username, exc)


def _revoked(config: dict[str, Any], token: dict[str, Any]) -> bool:
    """A cookie issued before the user's last logout must not sign them back in."""
    last = storage.last_event_at(get_db(), str(token["username"]), "logout")
    return last is not None and auth.token_issued_at(token, config) <= last


def gate(settings: Settings) -> auth.User | None:
    """Resolve who is signed in this run (cookie or earlier form login); draws nothing."""
    config = auth.load_config(settings)
    st.session_state[_CONFIG] = config
    if st.session_state.get(state.AUTH_STATUS) is not True:
        # Built only while nobody is signed in: building it costs a share of every rerun. A signed-in
        # session keeps the one that signed it in, for `logout`.
        credentials = accounts.credentials_for_login(config)
        authenticator = auth.build_authenticator(config, credentials)
        st.session_state[_AUTHENTICATOR] = authenticator
        st.session_state[_CREDENTIALS] = credentials
        token = auth.cookie_token(config)
        if token is not None and _revoked(config, token):
            st.session_state[state.AUTH_LOGOUT] = True
            st.session_state[state.CLEAR_COOKIE] = True
        try:
            authenticator.login(location="unrendered")
        except LoginError:  # a valid cookie for an account that has since been removed
            st.session_state[state.AUTH_STATUS] = None
            st.session_state[state.CLEAR_COOKIE] = True
        if st.session_state.get(state.AUTH_STATUS) is True:
            _record(str(st.session_state[state.USERNAME]), "cookie")
    user = auth.current_user()
    if user is not None and st.session_state.pop(_SET_COOKIE, False):
        auth.run_script(auth.set_cookie_script(config, user.username))
    return user


def login_form() -> None:
    """Draw the form; a successful submit reruns into the signed-in app."""
    authenticator = st.session_state[_AUTHENTICATOR]
    config = st.session_state[_CONFIG]
    if st.session_state.get(state.CLEAR_COOKIE):
        auth.run_script(auth.delete_cookie_script(config))
    users = st.session_state[_CREDENTIALS]["usernames"]
    before = {name: int(u.get("failed_login_attempts") or 0) for name, u in users.items()}
    # The library leaves a failed status in place across reruns; cleared here, False below means
    # "this run's submit failed", so a rerun does not log a second failure.
    if st.session_state.get(state.AUTH_STATUS) is False:
        st.session_state[state.AUTH_STATUS] = None
    authenticator.login(
        location="main",
        key="login",
        fields={"Form name": "Sign in", "Username": "Username", "Password": "Password", "Login": "Sign in"},
    )
    status = st.session_state.get(state.AUTH_STATUS)
    # The library counts failures per known user; the counter that moved names the account tried.
    failed = [n for n, u in users.items() if int(u.get("failed_login_attempts") or 0) > before.get(n, 0)]
    tried = str(st.session_state[state.USERNAME]) if status is True else (failed[0] if failed else None)
    if tried is not None and _locked(tried):
        if status is True:  # right password, but the account is locked: undo the sign-in
            _refuse_sign_in(tried)
        _record(tried, "locked")
        st.error(f"Too many failed sign-ins for this account: it is locked for {LOCK_MINUTES} minutes. "
                 "Try again later, or ask an admin to reset the password.", icon=":material/lock:")
        return
    if status is True:
        _record(tried or "", "success")
        st.session_state[state.CLEAR_COOKIE] = False
        st.session_state[_SET_COOKIE] = True
        st.rerun()
    elif status is False:
        _record(tried or "(unknown user)", "failure")
        if tried is not None and _locked(tried):
            _record(tried, "locked")
            st.error(f"That was the {MAX_FAILURES}th failed sign-in in a row: the account is locked for "
                     f"{LOCK_MINUTES} minutes.", icon=":material/lock:")
        else:
            st.error("Username or password is incorrect. Check both and try again.")


def _locked(username: str) -> bool:
    """Five failures in a row within the window lock the account; a success resets the count."""
    try:
        since = now_utc() - timedelta(minutes=LOCK_MINUTES)
        return storage.recent_failures(get_db(), username, since) >= MAX_FAILURES
    except StorageError as exc:
        logger.warning("Lockout of %r not checked (the database cannot be read), so sign-in is allowed: %s",
                       username, exc)
        return False


def _refuse_sign_in(username: str) -> None:
    """Clear what the library set, and revoke any cookie it may have written this run."""
    for key in (state.AUTH_STATUS, state.USERNAME, state.NAME, state.ROLES, state.EMAIL):
        st.session_state[key] = None
    st.session_state[state.AUTH_LOGOUT] = True
    st.session_state[state.CLEAR_COOKIE] = True
    _record(username, "logout")


def logout(user: auth.User) -> None:
    """Sign out for good: session cleared, logout recorded server-side, cookie expired in the browser."""
    authenticator = st.session_state.get(_AUTHENTICATOR)
    if authenticator is not None and st.session_state.get(state.AUTH_STATUS):
        authenticator.logout(location="unrendered")
    _record(user.username, "logout")
    for key in (state.ATTEMPT_ID, state.SELECTED_ITEM, state.LAST_VERDICT):
        st.session_state.pop(key, None)
    st.session_state[state.CLEAR_COOKIE] = True
    st.session_state[state.AUTH_STATUS] = None
    st.session_state[state.USERNAME] = None
