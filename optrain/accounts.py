"""Accounts and roles, kept in a YAML file outside git in streamlit-authenticator's layout.

Passwords are stored only as bcrypt hashes, in the format the authenticator's
login checks. The file is written atomically with owner-only permissions. Demo mode
creates one account per role with published passwords; with demo mode off the
app refuses to start until those passwords and a weak cookie key are replaced.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from optrain.errors import OptrainError
from optrain.vocab import ROLES as ROLES

COOKIE_NAME = "optrain_auth"
MIN_COOKIE_KEY_LENGTH = 32
WEAK_COOKIE_KEYS = {"some_key", "some_signature_key", "random_signature_key", "abcdef", "changeme"}
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("trainee", "trainee-demo", "Casey", "Morgan", ("trainee",)),
    DemoAccount("trainer", "trainer-demo", "Riley", "Chen", ("trainee", "trainer")),
    DemoAccount("support", "support-demo", "Sam", "Patel", ("trainee", "support")),
    DemoAccount("admin", "admin-demo", "Jamie", "Ortiz", ("admin",)),
)


class AccountError(OptrainError):
    """An account operation was refused (unknown user, bad role, weak password)."""


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    email: str
    roles: tuple[str, ...]

    def can(self, *roles: str) -> bool:
        """Admins can do everything; others need one of the roles."""
        return "admin" in self.roles or any(role in self.roles for role in roles)


def hash_password(password: str) -> str:
    """bcrypt, as streamlit-authenticator's Hasher does, so its login verifies these hashes."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bool(bcrypt.checkpw(password.encode("utf-8"), hashed.encode("utf-8")))
    except ValueError:
        return False


def read_config(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccountError(f"{path} does not exist; run `optrain users init` to create it") from None
    except (OSError, yaml.YAMLError) as exc:
        raise AccountError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("credentials", {}).get("usernames"), dict):
        raise AccountError(f"{path} is not an accounts file (expected credentials.usernames and cookie)")
    data.setdefault("cookie", {})
    return data


def write_config(path: Path, config: dict[str, Any]) -> None:
    """Write atomically with mode 0600 so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".auth-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.safe_dump(config, handle, sort_keys=True, allow_unicode=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_cookie_key() -> str:
    return secrets.token_hex(32)


def init_config(path: Path, *, demo: bool = True) -> bool:
    """Create the accounts file if missing (demo accounts in demo mode); True when created."""
    if path.exists():
        return False
    users: dict[str, Any] = {}
    if demo:
        for account in DEMO_ACCOUNTS:
            users[account.username] = _user_record(
                account.first_name, account.last_name, f"{account.username}@hotrodan.example",
                account.roles, hash_password(account.password),
            )
    write_config(path, {
        "cookie": {"name": COOKIE_NAME, "key": new_cookie_key(), "expiry_days": 7},
        "credentials": {"usernames": users},
    })
    return True


def _user_record(first: str, last: str, email: str, roles: tuple[str, ...], hashed: str) -> dict[str, Any]:
    return {"first_name": first, "last_name": last, "email": email, "roles": list(roles), "password": hashed,
            "failed_login_attempts": 0, "logged_in": False}


def _check_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise AccountError(f"roles must be one or more of: {', '.join(ROLES)} (got {', '.join(roles) or 'none'})")
    return tuple(dict.fromkeys(roles))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if any(password == a.password for a in DEMO_ACCOUNTS):
        raise AccountError("that is a published demo password; choose another")


def list_accounts(path: Path) -> tuple[Account, ...]:
    users = read_config(path)["credentials"]["usernames"]
    return tuple(
        Account(
            username=name,
            name=f"{u.get('first_name', '')} {u.get('last_name', '')}".strip() or u.get("name", name),
            email=str(u.get("email", "")),
            roles=tuple(u.get("roles") or ()),
        )
        for name, u in sorted(users.items())
    )


def add_account(path: Path, username: str, *, name: str, email: str, roles: tuple[str, ...], password: str) -> None:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError("usernames are 2-40 lower-case letters, digits, '.', '_' or '-'")
    config = read_config(path)
    users = config["credentials"]["usernames"]
    if username in users:
        raise AccountError(f"user '{username}' already exists")
    _check_password(password)
    first, _, last = name.strip().partition(" ")
    if not first:
        raise AccountError("a display name is required")
    users[username] = _user_record(first, last, email.strip(), _check_roles(roles), hash_password(password))
    write_config(path, config)


def _update(path: Path, username: str) -> tuple[dict[str, Any], dict[str, Any]]:
    config = read_config(path)
    users = config["credentials"]["usernames"]
    if username not in users:
        known = ", ".join(sorted(users)) or "none"
        raise AccountError(f"no user '{username}' (known: {known})")
    return config, users[username]


def set_roles(path: Path, username: str, roles: tuple[str, ...]) -> None:
    config, user = _update(path, username)
    user["roles"] = list(_check_roles(roles))
    write_config(path, config)


def reset_password(path: Path, username: str, password: str) -> None:
    config, user = _update(path, username)
    _check_password(password)
    user["password"] = hash_password(password)
    user["failed_login_attempts"] = 0
    write_config(path, config)


def remove_account(path: Path, username: str) -> None:
    config, _ = _update(path, username)
    del config["credentials"]["usernames"][username]
    write_config(path, config)


def credentials_for_login(config: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy: the authenticator mutates what it is given."""
    return copy.deepcopy(config["credentials"])


def security_problems(config: dict[str, Any]) -> tuple[str, ...]:
    """What must change before the app may run with demo mode off."""
    problems: list[str] = []
    key = str(config.get("cookie", {}).get("key") or "")
    if len(key) < MIN_COOKIE_KEY_LENGTH or key in WEAK_COOKIE_KEYS:
        problems.append(
            f"cookie.key is missing, a known default or shorter than {MIN_COOKIE_KEY_LENGTH} characters: "
            "set it to a random value, e.g. the output of `python -c \"import secrets; print(secrets.token_hex(32))\"`"
        )
    users = config["credentials"]["usernames"]
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user and check_password(account.password, str(user.get("password", ""))):
            problems.append(
                f"user '{account.username}' still has its published demo password: "
                f"run `optrain users reset-password {account.username}` or `optrain users remove {account.username}`"
            )
    return tuple(problems)
