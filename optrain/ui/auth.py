"""Sign-in through streamlit-authenticator, with the gaps it leaves closed.

- Credentials are passed pre-hashed with auto_hash=False and no login sleep,
  so a rerun costs no bcrypt work.
- The re-authentication cookie is written and deleted by our own script, and a
  logout is recorded server-side: a cookie issued before the user's last
  logout is refused even if the browser kept it.
- The library's browser-cookie component is never drawn (`_NoCookieComponent`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.models import cookie_model

from optrain import accounts
from optrain.config import Settings
from optrain.ui import state

ALL_ROLES = accounts.ROLES


User = accounts.Account


def current_user() -> User | None:
    ss = st.session_state
    if ss.get(state.AUTH_STATUS) is not True or not ss.get(state.USERNAME):
        return None
    roles = tuple(r for r in (ss.get(state.ROLES) or ()) if r in ALL_ROLES)
    return User(
        username=str(ss[state.USERNAME]),
        name=str(ss.get(state.NAME) or ss[state.USERNAME]),
        email=str(ss.get(state.EMAIL) or f"{ss[state.USERNAME]}@hotrodan.example"),
        roles=roles,
    )


def require_role(*roles: str) -> User:
    """Defence in depth: every page re-checks the role even though the router hid it."""
    user = current_user()
    if user is None or not user.can(*roles):
        st.error("You do not have access to this page. Ask an admin for the role it needs.")
        st.stop()
        raise RuntimeError("unreachable")  # st.stop() raises; this keeps type checkers honest
    return user


@st.cache_resource(show_spinner=False)
def _read_config(path: str, mtime_ns: int) -> dict[str, Any]:
    return accounts.read_config(Path(path))


def load_config(settings: Settings) -> dict[str, Any]:
    """The accounts file, re-read only when it changes on disk."""
    path = settings.auth_path
    if not path.exists():
        accounts.init_config(path, demo=settings.demo)
    return _read_config(str(path), path.stat().st_mtime_ns)


@st.cache_resource(show_spinner=False)
def _security_problems(path: str, mtime_ns: int) -> tuple[str, ...]:
    return accounts.security_problems(accounts.read_config(Path(path)))


def security_problems(settings: Settings) -> tuple[str, ...]:
    path = settings.auth_path
    return _security_problems(str(path), path.stat().st_mtime_ns)


class _NoCookieComponent:
    """Stands in for the browser-cookie component the library draws each time it is built.

    The library reads the cookie from the request (`st.context.cookies`), and this
    app writes and deletes it with its own scripts, so the component did nothing
    here but rerun the page once it had loaded in the browser; a click made in
    that moment (Sign in, Export) was lost to the rerun.
    """

    def __init__(self, key: str = "init") -> None:
        """Draws nothing."""

    def set(self, cookie: str, val: object, *args: Any, **kwargs: Any) -> None:
        """Our own script writes the cookie (`set_cookie_script`)."""

    def delete(self, cookie: str, key: str = "delete") -> None:
        """Our own script deletes the cookie (`delete_cookie_script`)."""


class _CookieComponents:
    CookieManager = _NoCookieComponent


# Once, at import: the library looks the component up when it is built.
cookie_model.stx = _CookieComponents


def build_authenticator(config: dict[str, Any], credentials: dict[str, Any]) -> stauth.Authenticate:
    """`credentials` is a private copy the library may mutate (failed-attempt counters)."""
    cookie = config["cookie"]
    return stauth.Authenticate(
        credentials,
        cookie.get("name", accounts.COOKIE_NAME),
        cookie["key"],
        float(cookie.get("expiry_days", 7)),
        auto_hash=False,
        login_sleep_time=0,
    )


def cookie_token(config: dict[str, Any]) -> dict[str, Any] | None:
    """The decoded re-authentication cookie sent with this session's first request, if valid."""
    cookie = config["cookie"]
    raw = st.context.cookies.get(cookie.get("name", accounts.COOKIE_NAME))
    if not raw:
        return None
    try:
        token = jwt.decode(raw, cookie["key"], algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    return token if isinstance(token, dict) and "username" in token and "exp_date" in token else None


def token_issued_at(token: dict[str, Any], config: dict[str, Any]) -> datetime:
    days = float(config["cookie"].get("expiry_days", 7))
    return datetime.fromtimestamp(float(token["exp_date"]), tz=timezone.utc) - timedelta(days=days)


def set_cookie_script(config: dict[str, Any], username: str) -> str:
    """A script that stores the re-authentication cookie in the same format the library reads."""
    cookie = config["cookie"]
    days = float(cookie.get("expiry_days", 7))
    expires = datetime.now(timezone.utc) + timedelta(days=days)
    token = jwt.encode({"username": username, "exp_date": expires.timestamp()}, cookie["key"], algorithm="HS256")
    name = cookie.get("name", accounts.COOKIE_NAME)
    value = f"{name}={token}; expires={expires.strftime('%a, %d %b %Y %H:%M:%S GMT')}; path=/; SameSite=Strict"
    return f"<script>document.cookie = {json.dumps(value)};</script>"


def delete_cookie_script(config: dict[str, Any]) -> str:
    name = config["cookie"].get("name", accounts.COOKIE_NAME)
    value = f"{name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=/; SameSite=Strict"
    return f"<script>document.cookie = {json.dumps(value)};</script>"


def run_script(script: str) -> None:
    st.html(script, unsafe_allow_javascript=True)
