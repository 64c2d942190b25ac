"""Who is signed in, re-checked against the accounts file on every run, and the remember-me cookie.

The rules live in `optrain.signin`; this module reads the session and the
request, and writes the cookie. The built-in accounts' cookie is set by a
script on the page (Streamlit offers no server-side way to set a cookie from
a page), so it cannot be HttpOnly; it is limited instead (see the README):
SameSite=Strict, Secure when the app is served over HTTPS, a short expiry, a
per-deployment name, and a token that is revocable and useless elsewhere.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from optrain import accounts, signin, sso
from optrain.config import Settings, sso_roles_path
from optrain.ui import state
from optrain.ui.db import get_db

NO_ACCESS = "You do not have access to this page. Ask an admin for the role it needs."

User = accounts.Account


def now_utc() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=8)
def _read_config(path: str, mtime_ns: int) -> dict[str, Any]:
    return accounts.read_config(Path(path))


def load_config(settings: Settings) -> dict[str, Any]:
    """The accounts file, re-read only when it changes on disk (a stat per call; the cache is a plain
    `lru_cache`, since Streamlit's costs more per call than the stat, and this is asked thrice a run)."""
    path = settings.auth_path
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        accounts.init_config(path, demo=settings.demo)
        mtime_ns = path.stat().st_mtime_ns
    return _read_config(str(path), mtime_ns)


@lru_cache(maxsize=8)
def _security_problems(path: str, mtime_ns: int) -> tuple[str, ...]:
    return accounts.security_problems(accounts.read_config(Path(path)))


def security_problems(settings: Settings) -> tuple[str, ...]:
    path = settings.auth_path
    return _security_problems(str(path), path.stat().st_mtime_ns)


def end_session() -> None:
    """Forget who is signed in here, and expire the cookie in the browser on the next draw."""
    ss = st.session_state
    for key in (state.AUTH_STATUS, state.USERNAME, state.TOKEN_VERSION, state.SIGNED_IN_AT):
        ss[key] = None
    for key in (state.ATTEMPT_ID, state.SELECTED_ITEM, state.LAST_VERDICT, state.SET_COOKIE):
        ss.pop(key, None)
    ss[state.CLEAR_COOKIE] = True
    ss[state.COOKIE_REFUSED] = True  # the request that opened this session may still carry the cookie


@lru_cache(maxsize=8)
def _read_role_map(path: str, mtime_ns: int) -> sso.RoleMap:
    return sso.read_role_map(Path(path))


def sso_identity() -> User | None:
    """With single sign-on: the signed-in identity with the roles the role map gives it now (maybe none);
    None while nobody is signed in."""
    path = sso_roles_path()
    assert path is not None
    if not st.user.is_logged_in:
        return None
    try:
        role_map = _read_role_map(str(path), path.stat().st_mtime_ns)
    except OSError:
        raise accounts.AccountError(
            f"{path} does not exist: single sign-on needs a role map (see the README)"
        ) from None
    claims = st.user.to_dict()
    email = str(claims.get("email") or "")
    username = email.strip().lower() or f"sso-{claims.get('sub', '')}"
    return User(
        username=username,
        name=str(claims.get("name") or email or username),
        email=email,
        roles=sso.roles_for(role_map, claims),
    )


def current_user(settings: Settings | None = None) -> User | None:
    """The signed-in account as the accounts file (or the single sign-on role map) has it now, or None.

    A session whose account was removed, reset or given other roles, or whose
    user logged out elsewhere, ends here, on its next run.
    """
    if sso_roles_path() is not None:
        identity = sso_identity()
        return identity if identity is not None and identity.roles else None
    ss = st.session_state
    username = ss.get(state.USERNAME)
    if ss.get(state.AUTH_STATUS) is not True or not isinstance(username, str) or not username:
        return None
    settings = settings or Settings.from_env()
    record = load_config(settings)["credentials"]["usernames"].get(username)
    version = ss.get(state.TOKEN_VERSION)
    signed_in_at = ss.get(state.SIGNED_IN_AT)
    if not signin.session_is_current(
        get_db(settings),
        record,
        version if isinstance(version, int) else 0,
        signed_in_at if isinstance(signed_in_at, datetime) else None,
        username,
    ):
        end_session()
        return None
    assert record is not None  # session_is_current is False without one
    return accounts.account_from_record(username, record)


def start_session(account: User, version: int, signed_in_at: datetime) -> None:
    ss = st.session_state
    ss[state.AUTH_STATUS] = True
    ss[state.USERNAME] = account.username
    ss[state.TOKEN_VERSION] = version
    ss[state.SIGNED_IN_AT] = signed_in_at
    ss[state.COOKIE_REFUSED] = False


# The account the router's gate checked on this run, while it runs the page (see `run_page`).
_CHECKED: ContextVar[User | None] = ContextVar("optrain_checked_user", default=None)


def run_page(page: StreamlitPage, user: User | None) -> None:
    """Run the page the router chose, with the account its gate checked on this same run."""
    token = _CHECKED.set(user)
    try:
        page.run()
    finally:
        _CHECKED.reset(token)


def require_role(*roles: str) -> User:
    """Defence in depth: every page re-checks the role even though the router hid it.

    Under the router, the account is the one its gate checked on this run (reading it again would give the
    same answer); a page run on its own checks the session itself.
    """
    user = _CHECKED.get() or current_user()
    if user is None or not user.can(*roles):
        st.error(NO_ACCESS)
        st.stop()
        raise RuntimeError("unreachable")  # st.stop() raises; this keeps type checkers honest
    return user


def served_over_https() -> bool:
    url = st.context.url or ""
    return url.startswith("https://")


def set_cookie_script(cookie: signin.CookieSettings, token: str) -> str:
    """A script that stores the remember-me token for the cookie's lifetime, on this site only."""
    seconds = int(cookie.expiry.total_seconds())
    secure = "; Secure" if cookie.secure or served_over_https() else ""
    value = f"{cookie.name}={token}; max-age={seconds}; path=/; SameSite=Strict{secure}"
    return f"<script>document.cookie = {json.dumps(value)};</script>"


def delete_cookie_script(cookie: signin.CookieSettings) -> str:
    value = f"{cookie.name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=/; SameSite=Strict"
    return f"<script>document.cookie = {json.dumps(value)};</script>"


def run_script(script: str) -> None:
    st.html(script, unsafe_allow_javascript=True)
