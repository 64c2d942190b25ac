"""The `optrain` command: thin wrappers over the core, one core call per command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.scenarios.loader import ScenarioFileError, load_scenario_file, load_scenarios
from optrain.scenarios.model import Scenario

# The accounts commands hash through streamlit-authenticator, which imports
# streamlit; outside a running app its logger would print bare-mode warnings.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")


def _settings() -> Settings:
    return Settings.from_env()


def resolve_scenario(ref: str) -> Scenario:
    """A scenario by file path, or by id in the scenarios folder."""
    path = Path(ref)
    if not (path.suffix == ".yaml" or path.exists()):
        path = _settings().scenarios_dir / f"{ref}.yaml"
        if not path.exists():
            catalog = load_scenarios([_settings().scenarios_dir])
            known = ", ".join(sorted(catalog.scenarios)) or "none"
            raise click.ClickException(f"no scenario '{ref}'; known scenarios: {known}")
    try:
        return load_scenario_file(path)
    except ScenarioFileError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.version_option(package_name="optrain")
def main() -> None:
    """Operator Training Simulator: scenarios, mock queue, scoring and the training database."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check scenario files (default: the scenarios folder); exit 1 on any error."""
    catalog = load_scenarios(paths or [_settings().scenarios_dir])
    for problem in catalog.problems:
        click.echo(str(problem), err=True)
    files = len(catalog.scenarios) + len(catalog.broken_files())
    if catalog.problems:
        click.echo(
            f"{len(catalog.problems)} error(s) in {len(catalog.broken_files())} of {files} file(s)", err=True
        )
        sys.exit(1)
    items = sum(len(s.scripted_items) for s in catalog.scenarios.values())
    click.echo(f"OK: {len(catalog.scenarios)} scenario(s), {items} scripted item(s), no errors")


@main.command()
@click.argument("scenario")
@click.option("--json", "as_json", is_flag=True, help="Print the Chatwoot-shaped JSON.")
def queue(scenario: str, as_json: bool) -> None:
    """Print the mock queue of SCENARIO (an id or a YAML path)."""
    from optrain.queue import generate_queue

    q = generate_queue(resolve_scenario(scenario))
    if as_json:
        click.echo(q.to_json())
        return
    for entry in q.entries:
        item = entry.item
        label = "background" if entry.generated else item.kind
        name = entry.payload.get("meta", {}).get("sender", {}).get("name") or entry.payload.get("sku") or entry.payload.get("title", "")
        click.echo(f"{item.id:<28} {label:<13} {name}  -> {item.expected.call}" + (f":{item.expected.template}" if item.expected.template else ""))


@main.command()
@click.argument("scenario")
@click.option("--answers", "answers_file", required=True, type=click.Path(), help="YAML/JSON: item id -> call")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def simulate(scenario: str, answers_file: str, as_json: bool) -> None:
    """Score a scripted attempt of SCENARIO headlessly."""
    from optrain.answers import load_answers
    from optrain.scoring import score_attempt

    model = resolve_scenario(scenario)
    try:
        result = score_attempt(model, load_answers(answers_file))
    except OptrainError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({
            "scenario": model.id, "version": model.version, "score": result.score, "max_score": result.max_score,
            "percent": round(result.percent, 4), "passed": result.passed,
            "critical_failures": list(result.critical_failures),
            "items": [{"item": r.item_id, "call": r.call, "template": r.template, "expected": r.expected_call,
                       "expected_template": r.expected_template, "points": r.points, "max_points": r.max_points,
                       "verdict": r.verdict} for r in result.items],
        }, indent=2))
        return
    for r in result.items:
        click.echo(f"{r.item_id:<28} {r.verdict:<10} {r.points:g}/{r.max_points:g}  {r.call_label}  (expected {r.expected_label})")
    status = "PASSED" if result.passed else "FAILED"
    crit = f"; critical failure(s): {', '.join(result.critical_failures)}" if result.critical_failures else ""
    click.echo(f"Total: {result.score:g}/{result.max_score:g} ({result.percent:.0%}), pass mark {model.pass_mark:.0%}: {status}{crit}")


@main.command()
@click.option("--output", type=click.Path(), default=None, help="Default: scenarios/scenario.schema.json")
def schema(output: str | None) -> None:
    """Write the JSON Schema of the scenario format."""
    from optrain.scenarios.schema import write_schema

    target = Path(output) if output else _settings().scenarios_dir / "scenario.schema.json"
    write_schema(target)
    click.echo(f"Wrote {target}")


@main.group()
def db() -> None:
    """The training database (SQLite)."""


@db.command()
def migrate() -> None:
    """Create the database or bring its schema up to date."""
    from optrain.storage import open_db, schema_version

    settings = _settings()
    try:
        database = open_db(settings.db_path)
    except OptrainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{settings.db_path}: schema up to date ({len(schema_version(database))} migration(s) applied)")


@db.command()
@click.argument("path", type=click.Path())
def backup(path: str) -> None:
    """Write a consistent copy of the database to PATH (safe while the app runs)."""
    from optrain.storage import backup as backup_db

    settings = _settings()
    try:
        written = backup_db(settings.db_path, Path(path))
    except (OptrainError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {settings.db_path} to {written}")


@main.group()
def users() -> None:
    """Accounts and roles (stored bcrypt-hashed in the accounts file)."""


def _accounts_call(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    from optrain.accounts import AccountError

    try:
        return fn(*args, **kwargs)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users.command("init")
def users_init() -> None:
    """Create the accounts file if it is missing (with demo accounts in demo mode)."""
    from optrain.accounts import DEMO_ACCOUNTS, init_config

    settings = _settings()
    if not _accounts_call(init_config, settings.auth_path, demo=settings.demo):
        click.echo(f"{settings.auth_path}: already present")
        return
    click.echo(f"Created {settings.auth_path}")
    if settings.demo:
        click.echo("Demo mode: sign in with " + ", ".join(f"{a.username} / {a.password}" for a in DEMO_ACCOUNTS))


@users.command("list")
def users_list() -> None:
    """List accounts and their roles."""
    from optrain.accounts import list_accounts

    for account in _accounts_call(list_accounts, _settings().auth_path):
        click.echo(f"{account.username:<20} {account.name:<24} {account.email:<32} {', '.join(account.roles)}")


ROLE_OPTION = click.option("--role", "roles", multiple=True, required=True,
                           type=click.Choice(["trainee", "trainer", "support", "admin"]),
                           help="Repeat for several roles.")


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Display name, e.g. 'Casey Morgan'.")
@click.option("--email", required=True)
@ROLE_OPTION
@click.password_option(help="Prompted (hidden) when omitted.")
def users_add(username: str, name: str, email: str, roles: tuple[str, ...], password: str) -> None:
    """Add an account."""
    from optrain.accounts import add_account

    _accounts_call(add_account, _settings().auth_path, username, name=name, email=email, roles=roles, password=password)
    click.echo(f"Added {username} ({', '.join(roles)})")


@users.command("set-role")
@click.argument("username")
@ROLE_OPTION
def users_set_role(username: str, roles: tuple[str, ...]) -> None:
    """Replace the roles of an account."""
    from optrain.accounts import set_roles

    _accounts_call(set_roles, _settings().auth_path, username, roles)
    click.echo(f"{username}: roles now {', '.join(roles)}")


@users.command("reset-password")
@click.argument("username")
@click.password_option(help="Prompted (hidden) when omitted.")
def users_reset_password(username: str, password: str) -> None:
    """Set a new password for an account."""
    from optrain.accounts import reset_password

    _accounts_call(reset_password, _settings().auth_path, username, password)
    click.echo(f"{username}: password changed")


@users.command("remove")
@click.argument("username")
@click.confirmation_option(prompt="Remove this account? Its training records stay in the database.")
def users_remove(username: str) -> None:
    """Remove an account (its attempts stay on record)."""
    from optrain.accounts import remove_account

    _accounts_call(remove_account, _settings().auth_path, username)
    click.echo(f"Removed {username}")
