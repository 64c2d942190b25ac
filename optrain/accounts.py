"""Accounts and roles, kept in a YAML file outside git (`credentials.usernames` and `cookie`).

Passwords are stored only as bcrypt hashes. Each account carries a token
version that moves on when an admin resets its password or changes its roles
(which ends its open sessions and remember-me cookies) and the time of its
last password reset (which lifts a lockout). The file is written atomically
with owner-only permissions. Demo mode creates one account per role with
published passwords; with demo mode off the app refuses to start until those
passwords and a weak cookie key are replaced.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from optrain.errors import OptrainError
from optrain.text_safety import visible_bidi_cells
from optrain.vocab import ROLES as ROLES

MIN_COOKIE_KEY_LENGTH = 32
MIN_COOKIE_KEY_BITS = 128
BCRYPT_ROUNDS = 12
WEAK_COOKIE_KEYS = {"some_key", "some_signature_key", "random_signature_key", "abcdef", "changeme"}
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
# One "@", something on each side, a dot in the domain, no spaces: catches typos, not every RFC 5322 form.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
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
    """bcrypt at a fixed cost, the same cost as the dummy check for unknown usernames at sign-in."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode("ascii")


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
    """Write atomically with mode 0600 (a new folder 0700) so a crash never leaves half a file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
                account.first_name,
                account.last_name,
                f"{account.username}@hotrodan.example",
                account.roles,
                hash_password(account.password),
            )
    write_config(
        path,
        {
            "cookie": {"key": new_cookie_key(), "deployment": secrets.token_hex(6), "expiry_hours": 12},
            "credentials": {"usernames": users},
        },
    )
    return True


def _user_record(first: str, last: str, email: str, roles: tuple[str, ...], hashed: str) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "roles": list(roles),
        "password": hashed,
        "token_version": 0,
    }


def token_version(record: dict[str, Any]) -> int:
    """The version a session or cookie must carry; 0 for records written before versions existed."""
    value = record.get("token_version", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def password_changed_at(record: dict[str, Any]) -> datetime | None:
    value = record.get("password_changed_at")
    if isinstance(value, datetime):  # YAML reads an unquoted timestamp as a datetime
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def account_from_record(username: str, record: dict[str, Any]) -> Account:
    """The account as the app sees it; roles it does not know are dropped."""
    first, last = str(record.get("first_name") or ""), str(record.get("last_name") or "")
    return Account(
        username=username,
        name=f"{first} {last}".strip() or str(record.get("name") or username),
        email=str(record.get("email") or ""),
        roles=tuple(r for r in (record.get("roles") or ()) if r in ROLES),
    )


def _bump_version(record: dict[str, Any]) -> None:
    """Ends the account's open sessions and remember-me cookies at their next page run."""
    record["token_version"] = max(token_version(record), 0) + 1


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


def check_email(email: str) -> str:
    email = email.strip()
    if not EMAIL_RE.match(email):
        raise AccountError(
            f"'{email}' is not an e-mail address (expected name@example.com)"
            if email
            else "an e-mail address is required"
        )
    return email


def list_accounts(path: Path) -> tuple[Account, ...]:
    users = read_config(path)["credentials"]["usernames"]
    return tuple(account_from_record(name, u) for name, u in sorted(users.items()))


def table_rows(listing: tuple[Account, ...]) -> list[dict[str, object]]:
    """The accounts as the Users page lists them, one row each, bidirectional controls shown."""
    return visible_bidi_cells(
        {"Username": a.username, "Name": a.name, "E-mail": a.email, "Roles": ", ".join(a.roles)} for a in listing
    )


def roles_of(listing: tuple[Account, ...], username: str) -> tuple[str, ...]:
    return next((a.roles for a in listing if a.username == username), ())


def removable(listing: tuple[Account, ...], admin: str) -> list[str]:
    """Accounts an admin may remove from the page: every one but their own."""
    return [a.username for a in listing if a.username != admin]


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
    users[username] = _user_record(first, last, check_email(email), _check_roles(roles), hash_password(password))
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
    new_roles = list(_check_roles(roles))
    if list(user.get("roles") or ()) != new_roles:
        user["roles"] = new_roles
        _bump_version(user)
    write_config(path, config)


def reset_password(path: Path, username: str, password: str, *, now: datetime | None = None) -> None:
    """New password; lifts a lockout of the name and ends the account's sessions and cookies."""
    config, user = _update(path, username)
    _check_password(password)
    user["password"] = hash_password(password)
    user["password_changed_at"] = (now or datetime.now(UTC)).isoformat()
    user.pop("failed_login_attempts", None)
    _bump_version(user)
    write_config(path, config)


def remove_account(path: Path, username: str) -> None:
    config, _ = _update(path, username)
    del config["credentials"]["usernames"][username]
    write_config(path, config)


def key_bits(key: str) -> float:
    """An estimate of a key's randomness: its length times the Shannon entropy of its characters.

    64 random hex digits score about 250 bits; 32 times "a" scores 0 and
    "abcd" repeated 8 times 64, both below `MIN_COOKIE_KEY_BITS`.
    """
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values()) if key else 0.0


def security_problems(config: dict[str, Any]) -> tuple[str, ...]:
    """What must change before the app may run with demo mode off."""
    problems: list[str] = []
    key = str(config.get("cookie", {}).get("key") or "")
    if len(key) < MIN_COOKIE_KEY_LENGTH or key in WEAK_COOKIE_KEYS or key_bits(key) < MIN_COOKIE_KEY_BITS:
        problems.append(
            f"cookie.key is missing, a known default, shorter than {MIN_COOKIE_KEY_LENGTH} characters or not "
            f"random enough (under {MIN_COOKIE_KEY_BITS} bits): "
            'set it to a random value, e.g. the output of `python -c "import secrets; print(secrets.token_hex(32))"`'
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
