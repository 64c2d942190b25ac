"""Sign-in with the built-in accounts: the password check, the lockout and the remember-me token.

Kept small and ours rather than borrowed from a sign-in library, so that every
rule below is visible and tested here:

- Every failed sign-in gets the same message and costs the same time: an
  unknown username is checked against a dummy bcrypt hash of the same cost.
- Five failures in a row within 15 minutes lock the name tried, whether or
  not an account has it, until the window passes or an admin resets the
  password. When the counter cannot be written nobody signs in (fail closed).
- The remember-me token is an HS256 JWT with `iat`, `exp`, the deployment as
  audience and the account's token version. It stops working when it expires,
  when the account is removed, when an admin resets the password or changes
  the roles (the version moves on), after the user logs out (issued before the
  last logout), and in any other deployment (another key and audience).
- Passwords are used exactly as typed; only the username is trimmed and
  lower-cased.

The clock is an argument everywhere, so expiry and lockout are tested
without waiting. This module does not import streamlit.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import bcrypt
import jwt
from sqlite_utils import Database

from optrain import accounts
from optrain.errors import OptrainError, StorageError
from optrain.storage.logins import last_event_at, log_login, recent_failures

log = logging.getLogger(__name__)

ALGORITHM = "HS256"
ISSUER = "optrain"
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
DEFAULT_EXPIRY_HOURS = 12
MAX_EXPIRY_HOURS = 7 * 24
MAX_TOKEN_CHARS = 4096
MAX_USERNAME_CHARS = 64
LEGACY_COOKIE_NAME = "optrain_auth"
FAILED_MESSAGE = (
    f"Sign-in failed: the username or password is incorrect, or this name is locked after {MAX_FAILURES} "
    f"failed sign-ins in a row. Check both and try again; a lock lifts after "
    f"{int(LOCK_WINDOW.total_seconds() // 60)} minutes or when an admin resets the password."
)


class SignInUnavailable(OptrainError):
    """Sign-in attempts cannot be recorded, so nobody may sign in (the lockout would not hold)."""


@dataclass(frozen=True)
class CookieSettings:
    """Where and how long the remember-me token lives; from the accounts file's `cookie` section."""

    name: str
    key: str
    deployment: str
    expiry: timedelta
    secure: bool


@dataclass(frozen=True)
class TokenClaims:
    username: str
    version: int
    issued_at: datetime


def cookie_settings(config: dict[str, Any]) -> CookieSettings:
    """The cookie section, checked; the name and audience are per deployment."""
    cookie = config.get("cookie") or {}
    key = str(cookie.get("key") or "")
    if not key:
        raise accounts.AccountError(
            "the accounts file has no cookie.key: run `optrain users init` on a new file "
            "or set cookie.key to a random value"
        )
    deployment = str(cookie.get("deployment") or hashlib.sha256(key.encode("utf-8")).hexdigest()[:12])
    hours = cookie.get("expiry_hours", DEFAULT_EXPIRY_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= MAX_EXPIRY_HOURS:
        raise accounts.AccountError(
            f"cookie.expiry_hours must be a number of hours from 1 to {MAX_EXPIRY_HOURS} (got {hours!r})"
        )
    return CookieSettings(
        # "optrain_auth" was the one name every install used before names were per deployment.
        name=str(cookie.get("name"))
        if cookie.get("name") not in (None, "", LEGACY_COOKIE_NAME)
        else f"optrain_{deployment}",
        key=key,
        deployment=deployment,
        expiry=timedelta(hours=float(hours)),
        secure=cookie.get("secure") is True,
    )


def issue_token(cookie: CookieSettings, username: str, version: int, now: datetime) -> str:
    claims = {
        "iss": ISSUER,
        "aud": cookie.deployment,
        "sub": username,
        "ver": version,
        "iat": now.timestamp(),
        "exp": (now + cookie.expiry).timestamp(),
    }
    return jwt.encode(claims, cookie.key, algorithm=ALGORITHM)


def read_token(raw: str | None, cookie: CookieSettings, now: datetime) -> TokenClaims | None:
    """The token's claims when it is ours, intact and current; None for anything else.

    Only HS256 is accepted (`alg: none`, HS512 and every other algorithm are
    refused), and a token older than today's expiry setting is refused even
    if its own `exp` is later, so shortening the setting shortens every token.
    """
    if not raw or len(raw) > MAX_TOKEN_CHARS:
        return None
    try:
        claims = jwt.decode(
            raw,
            cookie.key,
            algorithms=[ALGORITHM],
            audience=cookie.deployment,
            issuer=ISSUER,
            options={"require": ["iss", "aud", "sub", "ver", "iat", "exp"], "verify_exp": False, "verify_iat": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    username, version, iat, exp = claims["sub"], claims["ver"], claims["iat"], claims["exp"]
    if not isinstance(username, str) or not isinstance(version, int) or isinstance(version, bool):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (iat, exp)):
        return None
    moment = now.timestamp()
    if iat > moment + 60 or moment >= exp or moment - iat > cookie.expiry.total_seconds():
        return None
    return TokenClaims(username, version, datetime.fromtimestamp(iat, tz=UTC))


def session_is_current(
    db: Database, record: dict[str, Any] | None, version: int, signed_in_at: datetime | None, username: str
) -> bool:
    """Whether a session (or token) signed in at `signed_in_at` with `version` may go on.

    Not when the account is gone, its version moved on (password reset, role
    change) or the user logged out at or after that moment. A session that
    does not know when it began counts as begun before any logout.
    """
    if record is None or accounts.token_version(record) != version:
        return False
    last_logout = last_event_at(db, username, "logout")
    return last_logout is None or (signed_in_at is not None and signed_in_at > last_logout)


def normalise_username(typed: str) -> str:
    """Usernames are matched trimmed and lower-case; the password never is."""
    return typed.strip().lower()[:MAX_USERNAME_CHARS]


@lru_cache(maxsize=1)
def _dummy_hash() -> bytes:
    """Compared against for unknown usernames, so they cost the same bcrypt work as a real account."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds=accounts.BCRYPT_ROUNDS))


def is_locked(db: Database, username: str, record: dict[str, Any] | None, now: datetime) -> bool:
    """Too many failures in a row, in the window, since the last success and the last admin reset."""
    since = now - LOCK_WINDOW
    reset = accounts.password_changed_at(record) if record is not None else None
    if reset is not None and reset > since:
        since = reset
    return recent_failures(db, username, since) >= MAX_FAILURES


def sign_in(
    db: Database, config: dict[str, Any], typed_username: str, password: str, now: datetime
) -> accounts.Account | None:
    """The account when the password is right and the name is not locked; None otherwise.

    Raises `SignInUnavailable` when the attempt cannot be recorded.
    """
    username = normalise_username(typed_username)
    record = config["credentials"]["usernames"].get(username)
    hashed = str(record.get("password", "")).encode("utf-8") if record is not None else _dummy_hash()
    try:
        matches = bcrypt.checkpw(password.encode("utf-8"), hashed)
    except ValueError:  # a damaged hash in the accounts file
        log.warning("the stored password hash of %r is not a bcrypt hash", username)
        matches = False
    try:
        if is_locked(db, username, record, now):
            log_login(db, username=username, outcome="locked", now=now)
            log.info("sign-in refused for %r: locked", username)
            return None
        if matches and record is not None:
            log_login(db, username=username, outcome="success", now=now)
            log.info("%r signed in", username)
            return accounts.account_from_record(username, record)
        log_login(db, username=username, outcome="failure", now=now)
        log.info("failed sign-in for %r", username)
        return None
    except StorageError as exc:
        log.error("sign-in refused: the attempt could not be recorded (%s)", exc)
        raise SignInUnavailable(
            "Sign-in is unavailable: the app cannot record sign-in attempts, so it cannot enforce the lockout "
            f"({exc}). Ask an admin to check that the database can be written, then try again."
        ) from exc
