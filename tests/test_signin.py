"""The built-in sign-in's rules, with the clock passed in: tokens, revocation, lockout, equal work."""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bcrypt
import jwt
import pytest
from sqlite_utils import Database

from optrain import accounts, signin, storage

NOW = datetime(2026, 6, 5, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("signin") / "auth.yaml"
    accounts.init_config(path, demo=False)
    accounts.add_account(
        path,
        "casey",
        name="Casey Morgan",
        email="casey@hotrodan.example",
        roles=("trainee",),
        password="long-private-passphrase",
    )
    return path


@pytest.fixture
def config(accounts_file: Path, tmp_path: Path) -> dict[str, Any]:
    copy = tmp_path / "auth.yaml"
    copy.write_bytes(accounts_file.read_bytes())
    return accounts.read_config(copy)


def cookie(config: dict[str, Any]) -> signin.CookieSettings:
    return signin.cookie_settings(config)


def forged(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    return ".".join([part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(signature)])


def claims_for(c: signin.CookieSettings, **changes: Any) -> dict[str, Any]:
    claims = {
        "iss": "optrain",
        "aud": c.deployment,
        "sub": "casey",
        "ver": 0,
        "iat": NOW.timestamp(),
        "exp": (NOW + c.expiry).timestamp(),
    }
    claims.update(changes)
    return claims


# ---------------------------------------------------------------- the remember-me token


def test_a_token_reads_back_until_it_expires(config: dict[str, Any]) -> None:
    c = cookie(config)
    token = signin.issue_token(c, "casey", 3, NOW)
    assert signin.read_token(token, c, NOW + timedelta(hours=1)) == signin.TokenClaims("casey", 3, NOW)
    assert signin.read_token(token, c, NOW + c.expiry - timedelta(seconds=1)) is not None
    assert signin.read_token(token, c, NOW + c.expiry) is None


def test_shortening_the_expiry_setting_shortens_tokens_already_issued(config: dict[str, Any]) -> None:
    token = signin.issue_token(cookie(config), "casey", 0, NOW)
    config["cookie"]["expiry_hours"] = 1
    shorter = cookie(config)
    assert signin.read_token(token, shorter, NOW + timedelta(minutes=59)) is not None
    assert signin.read_token(token, shorter, NOW + timedelta(minutes=61)) is None


@pytest.mark.parametrize(
    "kind",
    [
        "alg-none",
        "hs512",
        "rs-header",
        "wrong-key",
        "other-deployment",
        "no-iat",
        "no-version",
        "string-version",
        "garbage",
        "empty",
        "huge",
        "issued-in-future",
    ],
)
def test_foreign_or_malformed_tokens_are_refused(config: dict[str, Any], kind: str) -> None:
    c = cookie(config)
    key = c.key
    token = {
        "alg-none": lambda: forged({"alg": "none", "typ": "JWT"}, claims_for(c)),
        "hs512": lambda: jwt.encode(claims_for(c), key, algorithm="HS512"),
        "rs-header": lambda: forged({"alg": "RS256", "typ": "JWT"}, claims_for(c), b"x" * 64),
        "wrong-key": lambda: jwt.encode(claims_for(c), "another deployment's key " * 3, algorithm="HS256"),
        "other-deployment": lambda: jwt.encode(claims_for(c, aud="0123456789ab"), key, algorithm="HS256"),
        "no-iat": lambda: jwt.encode({k: v for k, v in claims_for(c).items() if k != "iat"}, key, algorithm="HS256"),
        "no-version": lambda: jwt.encode(
            {k: v for k, v in claims_for(c).items() if k != "ver"}, key, algorithm="HS256"
        ),
        "string-version": lambda: jwt.encode(claims_for(c, ver="0"), key, algorithm="HS256"),
        "garbage": lambda: "not.a.token",
        "empty": lambda: "",
        "huge": lambda: "a" * 100_000,
        "issued-in-future": lambda: jwt.encode(
            claims_for(c, iat=(NOW + timedelta(hours=2)).timestamp()), key, algorithm="HS256"
        ),
    }[kind]()
    assert signin.read_token(token, c, NOW) is None


def test_the_cookie_name_and_audience_differ_per_deployment(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    accounts.init_config(first, demo=False)
    accounts.init_config(second, demo=False)
    a, b = cookie(accounts.read_config(first)), cookie(accounts.read_config(second))
    assert a.name != b.name and a.name.startswith("optrain_")
    assert signin.read_token(signin.issue_token(a, "casey", 0, NOW), b, NOW) is None


def test_the_cookie_name_of_older_accounts_files_becomes_per_deployment(config: dict[str, Any]) -> None:
    config["cookie"]["name"] = "optrain_auth"
    assert cookie(config).name == f"optrain_{cookie(config).deployment}"
    config["cookie"]["name"] = "ots_prod"
    assert cookie(config).name == "ots_prod"


@pytest.mark.parametrize("hours", [0, -1, 1000, "12", True])
def test_an_expiry_setting_out_of_range_is_refused(config: dict[str, Any], hours: object) -> None:
    config["cookie"]["expiry_hours"] = hours
    with pytest.raises(accounts.AccountError, match="cookie.expiry_hours must be"):
        cookie(config)


# ---------------------------------------------------------------- revocation


def record(config: dict[str, Any]) -> dict[str, Any]:
    return config["credentials"]["usernames"]["casey"]


def test_a_session_ends_when_the_account_is_removed_reset_or_given_other_roles(
    config: dict[str, Any], tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "auth.yaml"
    current = lambda: accounts.read_config(path)["credentials"]["usernames"].get("casey")  # noqa: E731
    assert signin.session_is_current(db, current(), 0, NOW, "casey")
    accounts.set_roles(path, "casey", ("trainee",))  # unchanged roles: nothing ends
    assert signin.session_is_current(db, current(), 0, NOW, "casey")
    accounts.set_roles(path, "casey", ("trainee", "trainer"))
    assert not signin.session_is_current(db, current(), 0, NOW, "casey")
    assert signin.session_is_current(db, current(), 1, NOW, "casey")
    accounts.reset_password(path, "casey", "another-passphrase", now=NOW)
    assert not signin.session_is_current(db, current(), 1, NOW, "casey")
    accounts.remove_account(path, "casey")
    assert not signin.session_is_current(db, current(), 2, NOW, "casey")


def test_a_logout_ends_sessions_and_tokens_that_began_before_it(config: dict[str, Any], db: Database) -> None:
    storage.log_login(db, username="casey", outcome="logout", now=NOW)
    assert not signin.session_is_current(db, record(config), 0, NOW - timedelta(seconds=1), "casey")
    assert not signin.session_is_current(db, record(config), 0, NOW, "casey")
    assert not signin.session_is_current(db, record(config), 0, None, "casey")
    assert signin.session_is_current(db, record(config), 0, NOW + timedelta(microseconds=1), "casey")


# ---------------------------------------------------------------- password check and lockout


def test_right_and_wrong_passwords(config: dict[str, Any], db: Database) -> None:
    assert signin.sign_in(db, config, "casey", "long-private-passphrase", NOW) == accounts.Account(
        "casey", "Casey Morgan", "casey@hotrodan.example", ("trainee",)
    )
    assert signin.sign_in(db, config, "casey", "long-private-passphrase ", NOW) is None
    assert signin.sign_in(db, config, "nobody", "long-private-passphrase", NOW) is None


def test_the_lock_lifts_when_the_window_has_passed(config: dict[str, Any], db: Database) -> None:
    """The window counts back from now: five failures within the last 15 minutes keep the name locked."""
    for _ in range(signin.MAX_FAILURES):
        assert signin.sign_in(db, config, "casey", "wrong", NOW) is None
    locked_until = NOW + signin.LOCK_WINDOW
    assert signin.sign_in(db, config, "casey", "long-private-passphrase", locked_until - timedelta(seconds=1)) is None
    assert signin.sign_in(db, config, "casey", "long-private-passphrase", locked_until + timedelta(seconds=1))


def test_an_admin_reset_lifts_the_lock_at_once(config: dict[str, Any], db: Database, tmp_path: Path) -> None:
    for n in range(signin.MAX_FAILURES):
        signin.sign_in(db, config, "casey", "wrong", NOW + timedelta(seconds=n))
    path = tmp_path / "auth.yaml"
    accounts.reset_password(path, "casey", "another-passphrase", now=NOW + timedelta(minutes=1))
    assert signin.sign_in(db, accounts.read_config(path), "casey", "another-passphrase", NOW + timedelta(minutes=2))


def test_unknown_names_are_locked_too(config: dict[str, Any], db: Database) -> None:
    for n in range(signin.MAX_FAILURES):
        signin.sign_in(db, config, "Nobody ", "wrong", NOW + timedelta(seconds=n))
    assert signin.is_locked(db, "nobody", None, NOW + timedelta(minutes=1))
    assert not signin.is_locked(db, "nobody", None, NOW + timedelta(minutes=20))


def test_every_failed_sign_in_costs_one_bcrypt_check_of_the_same_cost(
    config: dict[str, Any], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same work, same time: an unknown name is checked against a dummy hash of the accounts' cost."""
    checked: list[bytes] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    signin.sign_in(db, config, "casey", "wrong", NOW)
    signin.sign_in(db, config, "nobody", "wrong", NOW)
    for _n in range(signin.MAX_FAILURES):
        signin.sign_in(db, config, "locked-name", "wrong", NOW)
    assert len(checked) == 2 + signin.MAX_FAILURES
    assert {h[:7] for h in checked} == {f"$2b${accounts.BCRYPT_ROUNDS:02d}$".encode()}


def test_sign_in_is_refused_when_the_counter_cannot_be_written(config: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    storage.open_db(path).close()
    ro = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    with pytest.raises(signin.SignInUnavailable, match="cannot record sign-in attempts"):
        signin.sign_in(ro, config, "casey", "long-private-passphrase", NOW)


# ---------------------------------------------------------------- the start-up checks


@pytest.mark.parametrize(
    ("key", "weak"),
    [
        ("a" * 32, True),
        ("abcd" * 8, True),
        ("ab" * 40, True),
        ("01234567" * 4, True),
        ("8f0c2d9a4b7e16f35c0a9d8e7b6f4a21c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1", False),
    ],
)
def test_the_cookie_key_must_be_random_enough(config: dict[str, Any], key: str, weak: bool) -> None:
    config["cookie"]["key"] = key
    assert any("not random enough" in p for p in accounts.security_problems(config)) is weak


def test_the_demo_setting_accepts_only_documented_values() -> None:
    from optrain.config import DEMO_OFF, DEMO_ON, SettingsError, demo_mode

    assert demo_mode(None) is True and demo_mode(" ") is True
    assert all(demo_mode(v) is True for v in DEMO_ON) and all(demo_mode(v.upper()) is False for v in DEMO_OFF)
    for value in ("n", "disabled", "2", "nope"):
        with pytest.raises(SettingsError, match="is not understood"):
            demo_mode(value)


def test_the_readme_documents_the_sign_in_settings() -> None:
    from optrain.config import DEMO_OFF, DEMO_ON

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for word in (*DEMO_ON, *DEMO_OFF):
        assert f"`{word}`" in readme, word
    for setting in (
        "cookie.expiry_hours",
        "cookie.secure: true",
        "OPTRAIN_SSO_ROLES",
        "groups_claim",
        "server_metadata_url",
        "frame-ancestors 'self'",
        "X-Frame-Options",
    ):
        assert setting in readme, setting
