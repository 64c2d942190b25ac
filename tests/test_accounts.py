"""Accounts file: demo set-up, CRUD through the CLI, hashing, and the demo-off safety check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from optrain import accounts
from optrain.cli import main


@pytest.fixture()
def auth_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "auth.yaml"
    monkeypatch.setenv("OPTRAIN_AUTH", str(path))
    return path


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_init_creates_demo_accounts_with_hashes_and_random_key(auth_path: Path) -> None:
    code, out = run("users", "init")
    assert code == 0 and "trainee / trainee-demo" in out
    config = yaml.safe_load(auth_path.read_text())
    users = config["credentials"]["usernames"]
    assert set(users) == {"trainee", "trainer", "support", "admin"}
    assert all(u["password"].startswith("$2") for u in users.values())
    assert "trainee-demo" not in auth_path.read_text()
    assert len(config["cookie"]["key"]) >= 64
    assert auth_path.stat().st_mode & 0o077 == 0
    assert run("users", "init")[1].strip().endswith("already present")


def test_two_installs_get_different_cookie_keys(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    accounts.init_config(a, demo=False)
    accounts.init_config(b, demo=False)
    assert yaml.safe_load(a.read_text())["cookie"]["key"] != yaml.safe_load(b.read_text())["cookie"]["key"]


def test_add_set_role_reset_remove(auth_path: Path) -> None:
    accounts.init_config(auth_path, demo=False)
    code, out = run(
        "users",
        "add",
        "dana",
        "--name",
        "Dana Reyes",
        "--email",
        "dana@shop.test",
        "--role",
        "trainee",
        "--password",
        "long-enough-1",
    )
    assert code == 0, out
    stored = yaml.safe_load(auth_path.read_text())["credentials"]["usernames"]["dana"]
    assert stored["password"] != "long-enough-1"
    assert accounts.check_password("long-enough-1", stored["password"])
    assert run("users", "set-role", "dana", "--role", "trainer", "--role", "trainee")[0] == 0
    assert accounts.list_accounts(auth_path)[0].roles == ("trainer", "trainee")
    assert run("users", "reset-password", "dana", "--password", "another-pass-2")[0] == 0
    stored = yaml.safe_load(auth_path.read_text())["credentials"]["usernames"]["dana"]
    assert accounts.check_password("another-pass-2", stored["password"])
    assert run("users", "remove", "dana", "--yes")[0] == 0
    assert accounts.list_accounts(auth_path) == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "add", "x", "--name", "X Y", "--email", "x@y", "--role", "trainee", "--password", "short"],
            "usernames are 2-40",
        ),
        (
            ["users", "add", "xy", "--name", "X Y", "--email", "x@y", "--role", "trainee", "--password", "short"],
            "at least 8 characters",
        ),
        (
            [
                "users",
                "add",
                "xy",
                "--name",
                "X Y",
                "--email",
                "x@y",
                "--role",
                "trainee",
                "--password",
                "trainee-demo",
            ],
            "published demo password",
        ),
        (["users", "set-role", "ghost", "--role", "trainee"], "no user 'ghost'"),
        (["users", "reset-password", "ghost", "--password", "whatever-123"], "no user 'ghost'"),
        (
            ["users", "add", "xy", "--name", "X Y", "--email", "x@y", "--role", "boss", "--password", "long-enough"],
            "Invalid value for '--role'",
        ),
    ],
)
def test_refusals_say_what_is_wrong(auth_path: Path, args: list[str], message: str) -> None:
    accounts.init_config(auth_path, demo=False)
    code, out = run(*args)
    assert code != 0
    assert message in out


def test_missing_accounts_file_is_explained(auth_path: Path) -> None:
    code, out = run("users", "list")
    assert code == 1 and "run `optrain users init`" in out


def test_security_problems_flag_demo_passwords_and_weak_keys(tmp_path: Path) -> None:
    path = tmp_path / "auth.yaml"
    accounts.init_config(path, demo=True)
    config = accounts.read_config(path)
    problems = accounts.security_problems(config)
    assert len(problems) == 4 and all("demo password" in p for p in problems)
    config["cookie"]["key"] = "some_key"
    assert any("cookie.key" in p for p in accounts.security_problems(config))
    clean = tmp_path / "clean.yaml"
    accounts.init_config(clean, demo=False)
    assert accounts.security_problems(accounts.read_config(clean)) == ()


def test_the_app_hashes_at_cost_12() -> None:
    """The app's own cost, read in a fresh interpreter (this suite hashes at cost 4, see conftest)."""
    code = "from optrain import accounts; print(accounts.hash_password('a long passphrase'))"
    hashed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert hashed.startswith("$2b$12$")
    assert accounts.check_password("a long passphrase", hashed)
