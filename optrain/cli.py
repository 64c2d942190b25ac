"""The `optrain` command: thin wrappers over the core, one core call per command."""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from optrain.catalog import load_catalog
from optrain.config import Settings
from optrain.errors import OptrainError
from optrain.log import configure_logging
from optrain.scenarios.loader import (
    Catalog,
    is_scenario_name,
    load_scenario_file,
    load_scenarios,
    read_scenario_bytes,
    scenario_files,
)
from optrain.scenarios.model import AGENDA, Scenario
from optrain.storage.qa import AnswerStatus
from optrain.vocab import ANSWER_STATUSES, ROLES, SEVERITIES


def _catalog_db(*, write: bool = False) -> Any:
    """The training database for reading the studio's scenarios; None when there is none yet."""
    from optrain.storage import open_db

    path = Settings.from_env().db_path
    if not write and not path.exists():
        return None
    return open_db(path, read_only=not write)


def _catalog(*, for_records: bool = False) -> Catalog:
    return load_catalog(Settings.from_env().scenarios_dir, _catalog_db(), for_records=for_records)


def resolve_scenario(ref: str) -> Scenario:
    """A scenario by file path, or by id in the catalog (built-in and published studio scenarios)."""
    path = Path(ref)
    if not (is_scenario_name(path) or path.exists()):
        catalog = _catalog()
        if ref in catalog.scenarios:
            return catalog.scenarios[ref]
        known = ", ".join(sorted(catalog.scenarios)) or "none"
        raise click.ClickException(f"no scenario '{ref}'; known scenarios: {known}")
    return load_scenario_file(path)


class _Commands(click.Group):
    """Every command's environmental failures end in one clear line and exit 1, never in a traceback.

    A read-only folder, a damaged database or a full disk reach the user as the
    project's own message; anything else (a bug) keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from optrain.storage.errors import user_message

        try:
            return super().invoke(ctx)
        except OptrainError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(os_error_message(exc)) from None
        except sqlite3.Error as exc:
            message = user_message(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None


def os_error_message(exc: OSError) -> str:
    """'PATH: what went wrong; what to do' for a failure of the file system."""
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"{where}the disk is full; free some disk space and try again."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{where}{exc.strerror}; make the file and its folder writable by this user, or choose another location."
    return f"{where}{exc.strerror or exc}; check the path and try again."


@click.group(cls=_Commands)
@click.version_option(package_name="optrain")
def main() -> None:
    """Operator Training Simulator: scenarios, mock queue, scoring and the training database."""
    configure_logging(default_level="WARNING")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check scenario files (.yaml/.yml; folders with their subfolders; default: the scenarios folder).

    Exit 1 on any error, and when no scenario file is found at all.
    """
    targets = [Path(p) for p in paths] or [Settings.from_env().scenarios_dir]
    if not scenario_files(targets):
        where = ", ".join(str(t) for t in targets)
        click.echo(f"No scenario files (.yaml or .yml) found in {where}", err=True)
        sys.exit(1)
    catalog = load_scenarios(targets)
    for problem in catalog.problems:
        click.echo(str(problem), err=True)
    files = len(catalog.scenarios) + len(catalog.broken_files())
    if catalog.problems:
        click.echo(f"{len(catalog.problems)} error(s) in {len(catalog.broken_files())} of {files} file(s)", err=True)
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
        name = (
            entry.payload.get("meta", {}).get("sender", {}).get("name")
            or entry.payload.get("sku")
            or entry.payload.get("title", "")
        )
        click.echo(
            f"{item.id:<28} {label:<13} {name}  -> {item.expected.call}"
            + (f":{item.expected.template}" if item.expected.template else "")
        )


@main.command()
@click.argument("scenario")
@click.option(
    "--answers",
    "answers_file",
    required=True,
    type=click.Path(),
    help="YAML/JSON: item id -> call, or a mapping with call, template, body (the reply sent), note",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def simulate(scenario: str, answers_file: str, as_json: bool) -> None:
    """Score a scripted attempt of SCENARIO headlessly."""
    from optrain.answers import load_answers
    from optrain.scoring import score_attempt

    model = resolve_scenario(scenario)
    result = score_attempt(model, load_answers(answers_file))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "scenario": model.id,
                    "version": model.version,
                    "score": result.score,
                    "max_score": result.max_score,
                    "percent": round(result.percent, 4),
                    "passed": result.passed,
                    "critical_failures": list(result.critical_failures),
                    "items": [
                        {
                            "item": r.item_id,
                            "call": r.call,
                            "template": r.template,
                            "expected": r.expected_call,
                            "expected_template": r.expected_template,
                            "points": r.points,
                            "max_points": r.max_points,
                            "verdict": r.verdict,
                            "reply_checks": None
                            if r.reply is None
                            else [
                                {
                                    "check": o.check,
                                    "dimension": o.dimension,
                                    "weight": o.weight,
                                    "critical": o.critical,
                                    "passed": o.passed,
                                    "message": o.message,
                                    "quote": o.quote,
                                }
                                for o in r.reply.outcomes
                            ],
                        }
                        for r in result.items
                    ],
                },
                indent=2,
            )
        )
        return
    for r in result.items:
        click.echo(
            f"{r.item_id:<28} {r.verdict:<10} {r.points:g}/{r.max_points:g}  {r.call_label}  (expected {r.expected_label})"
        )
        for failed in r.reply.failed if r.reply else ():
            click.echo(f"{'':<28} reply: {failed.describe()}")
    status = "PASSED" if result.passed else "FAILED"
    crit = f"; critical failure(s): {', '.join(result.critical_failures)}" if result.critical_failures else ""
    click.echo(
        f"Total: {result.score:g}/{result.max_score:g} ({result.percent:.0%}), pass mark {model.pass_mark:.0%}: {status}{crit}"
    )


@main.command()
@click.option("--output", type=click.Path(), default=None, help="Default: scenarios/scenario.schema.json")
def schema(output: str | None) -> None:
    """Write the JSON Schema of the scenario format."""
    from optrain.scenarios.schema import write_schema

    target = Path(output) if output else Settings.from_env().scenarios_dir / "scenario.schema.json"
    write_schema(target)
    click.echo(f"Wrote {target}")


@main.group()
def scenario() -> None:
    """The lifecycle of studio scenarios: drafts, publishing, archiving; export of any scenario."""


def _actor(by: str | None) -> str:
    import getpass

    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"


BY_OPTION = click.option(
    "--by", default=None, metavar="NAME", help="Who does this, for the version history (default: your login name)."
)


@scenario.command("list")
def scenario_list() -> None:
    """List every scenario: built-in and studio, with its state and versions."""
    from optrain.scenario_versions import STATUS_LABELS, studio_entries
    from optrain.storage.scenario_store import archived_ids

    database = _catalog_db()
    builtin = load_catalog(Settings.from_env().scenarios_dir, None)
    archived = archived_ids(database) if database is not None else frozenset()
    click.echo(f"{'id':<36} {'source':<8} {'state':<32} {'published':>9} {'draft':>5}  title")
    for sid, model in sorted(builtin.scenarios.items()):
        state = "archived" if sid in archived else "published"
        click.echo(f"{sid:<36} {'built-in':<8} {state:<32} {model.version:>9} {'-':>5}  {model.title}")
    for entry in studio_entries(database) if database is not None else ():
        click.echo(
            f"{entry.scenario_id:<36} {'studio':<8} {STATUS_LABELS[entry.status]:<32} "
            f"{entry.published_version or '-':>9} {entry.draft_version or '-':>5}  {entry.title}"
        )


@scenario.command("publish")
@click.argument("ref")
@BY_OPTION
def scenario_publish(ref: str, by: str | None) -> None:
    """Publish REF: a studio scenario's id (its draft), or a YAML file (saved as a draft, then published).

    A file lets a team keep its scenarios in git and publish them from CI; publishing
    the same file again changes nothing.
    """
    from optrain.scenario_versions import publish, save_draft

    now = datetime.now(UTC)
    database = _catalog_db(write=True)
    actor = _actor(by)
    path = Path(ref)
    if is_scenario_name(path) or path.exists():
        data = read_scenario_bytes(path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise click.ClickException(f"{path}: is not UTF-8 text") from None
        builtin = tuple(load_catalog(Settings.from_env().scenarios_dir, None).scenarios)
        outcome = save_draft(database, text, author=actor, now=now, builtin_ids=builtin, name=str(path))
        if outcome.action == "unchanged" and not _is_draft(database, outcome.scenario):
            click.echo(f"Unchanged: '{outcome.scenario.id}' version {outcome.scenario.version} is already published")
            return
        ref = outcome.scenario.id
    published = publish(database, ref, by=actor, now=now)
    click.echo(f"Published '{published.id}' version {published.version}: trainees see it from now on")


def _is_draft(database: Any, model: Scenario) -> bool:
    from optrain.storage.scenario_store import get_version

    stored = get_version(database, model.id, model.version)
    return stored is not None and stored.is_draft


@scenario.command("archive")
@click.argument("scenario_id")
@BY_OPTION
def scenario_archive(scenario_id: str, by: str | None) -> None:
    """Hide SCENARIO_ID from trainees and the learning path; its attempts are kept."""
    from optrain.scenario_versions import archive

    known = tuple(load_catalog(Settings.from_env().scenarios_dir, None).scenarios)
    archive(_catalog_db(write=True), scenario_id, by=_actor(by), now=datetime.now(UTC), known_ids=known)
    click.echo(f"Archived '{scenario_id}': trainees no longer see it; its attempts are kept")


@scenario.command("restore")
@click.argument("scenario_id")
@BY_OPTION
def scenario_restore(scenario_id: str, by: str | None) -> None:
    """Bring an archived scenario back for trainees."""
    from optrain.scenario_versions import restore

    restore(_catalog_db(write=True), scenario_id, by=_actor(by), now=datetime.now(UTC))
    click.echo(f"Restored '{scenario_id}'")


@scenario.command("delete")
@click.argument("scenario_id")
@BY_OPTION
def scenario_delete(scenario_id: str, by: str | None) -> None:
    """Delete a studio draft that was never published and has no attempts."""
    from optrain.scenario_versions import delete_draft

    deleted = delete_draft(_catalog_db(write=True), scenario_id, by=_actor(by), now=datetime.now(UTC))
    click.echo(f"Deleted '{scenario_id}' ({deleted} draft version(s))")


@scenario.command("export")
@click.argument("scenario_id")
@click.option("--version", "version", type=int, default=None, help="A studio version (default: the newest).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of printing; an existing file is never overwritten.",
)
def scenario_export(scenario_id: str, version: int | None, output: Path | None) -> None:
    """Write a scenario's YAML: a built-in's file byte for byte, a studio version as its author wrote it."""
    from optrain.scenario_versions import scenario_source

    database = _catalog_db()
    data = scenario_source(Settings.from_env().scenarios_dir, database, scenario_id, version)
    if output is None:
        click.echo(data, nl=False)
        return
    if output.exists():
        raise click.ClickException(f"{output} already exists; choose another --output or remove it first")
    output.write_bytes(data)
    click.echo(f"Wrote {output}")


@main.group()
def db() -> None:
    """The training database (SQLite)."""


@db.command()
def migrate() -> None:
    """Create the database or bring its schema up to date."""
    from optrain.storage import open_db, schema_version

    settings = Settings.from_env()
    database = open_db(settings.db_path)
    click.echo(f"{settings.db_path}: schema up to date ({len(schema_version(database))} migration(s) applied)")


@db.command()
@click.argument("path", type=click.Path())
def backup(path: str) -> None:
    """Write a consistent copy of the database to PATH (safe while the app runs)."""
    from optrain.storage import backup as backup_db

    settings = Settings.from_env()
    written = backup_db(settings.db_path, Path(path))
    click.echo(f"Backed up {settings.db_path} to {written}")


@main.group()
def users() -> None:
    """Accounts and roles (stored bcrypt-hashed in the accounts file)."""


def fn(*args, **kwargs):  # type: ignore[no-untyped-def]
    from optrain.accounts import AccountError

    try:
        return fn(*args, **kwargs)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users.command("init")
def users_init() -> None:
    """Create the accounts file if it is missing (with demo accounts in demo mode)."""
    from optrain.accounts import DEMO_ACCOUNTS, init_config

    settings = Settings.from_env()
    if not init_config(settings.auth_path, demo=settings.demo):
        click.echo(f"{settings.auth_path}: already present")
        return
    click.echo(f"Created {settings.auth_path}")
    if settings.demo:
        click.echo("Demo mode: sign in with " + ", ".join(f"{a.username} / {a.password}" for a in DEMO_ACCOUNTS))


@users.command("list")
def users_list() -> None:
    """List accounts and their roles."""
    from optrain.accounts import list_accounts

    for account in list_accounts(Settings.from_env().auth_path):
        click.echo(f"{account.username:<20} {account.name:<24} {account.email:<32} {', '.join(account.roles)}")


ROLE_OPTION = click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeat for several roles."
)


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Display name, e.g. 'Casey Morgan'.")
@click.option("--email", required=True)
@ROLE_OPTION
@click.password_option(help="Prompted (hidden) when omitted.")
def users_add(username: str, name: str, email: str, roles: tuple[str, ...], password: str) -> None:
    """Add an account."""
    from optrain.accounts import add_account

    add_account(Settings.from_env().auth_path, username, name=name, email=email, roles=roles, password=password)
    click.echo(f"Added {username} ({', '.join(roles)})")


@users.command("set-role")
@click.argument("username")
@ROLE_OPTION
def users_set_role(username: str, roles: tuple[str, ...]) -> None:
    """Replace the roles of an account."""
    from optrain.accounts import set_roles

    set_roles(Settings.from_env().auth_path, username, roles)
    click.echo(f"{username}: roles now {', '.join(roles)}")


@users.command("reset-password")
@click.argument("username")
@click.password_option(help="Prompted (hidden) when omitted.")
def users_reset_password(username: str, password: str) -> None:
    """Set a new password for an account (lifts a sign-in lock, ends its open sessions)."""
    from optrain.accounts import reset_password

    reset_password(Settings.from_env().auth_path, username, password)
    click.echo(f"{username}: password changed; any sign-in lock is lifted and open sessions end at their next click")


@users.command("remove")
@click.argument("username")
@click.confirmation_option(prompt="Remove this account? Its training records stay in the database.")
def users_remove(username: str) -> None:
    """Remove an account (its attempts stay on record)."""
    from optrain.accounts import remove_account

    remove_account(Settings.from_env().auth_path, username)
    click.echo(f"Removed {username}")


F = TypeVar("F", bound=Callable[..., Any])


def _date_option(name: str, *, end: bool) -> Callable[[F], F]:
    """--since/--until: a day (the whole day counts) or an ISO-8601 time; UTC unless a zone is given."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
        from optrain.exports.dates import range_end, range_start

        if value is None:
            return None
        try:
            return range_end(value) if end else range_start(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    help_text = (
        "Up to and including this day (or before this exact time)." if end else "From this day or time on (inclusive)."
    )
    return click.option(name, callback=convert, metavar="DATE", help=help_text + " UTC unless a zone is given.")


def _catalog_texts() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """Question texts and agenda parts of every scenario on record (built-in and studio, archived too);
    a broken scenario file only loses its texts."""
    scenarios = _catalog(for_records=True).scenarios.values()
    questions = {(s.id, question.id): question.text for s in scenarios for question in s.questions}
    return questions, {s.id: s.module for s in scenarios}


def _open_export_db(*, write: bool) -> Any:
    from optrain.storage import open_db

    return open_db(Settings.from_env().db_path, read_only=not write)


CSV_SAFETY_HELP = (
    "CSV files are safe to open in a spreadsheet: a text cell that starts with =, +, -, @, a tab or a "
    "carriage return gets a leading ' so it is shown as text, never run as a formula."
)


@main.group(
    "export",
    help="Q&A tickets and training evidence packs, written to the exports folder "
    "($OPTRAIN_EXPORTS, default exports/).\n\n" + CSV_SAFETY_HELP,
)
def export_group() -> None:
    pass


@export_group.command(
    "tickets", help="Write Q&A answers as tickets (skipped questions are left out).\n\n" + CSV_SAFETY_HELP
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["linear", "jira", "markdown", "json"]),
    required=True,
    help="linear or jira: CSV for that tool's importer; markdown: one section per ticket; json: a list.",
)
@click.option("--id", "ids", type=int, multiple=True, help="Only this answer id (repeat for several).")
@click.option("--part", type=click.Choice(AGENDA), help="Agenda part.")
@click.option("--question", "question_id", help="Question id.")
@click.option("--scenario", "scenario_id", help="Scenario id.")
@click.option("--severity", type=click.Choice([*SEVERITIES, "none"]), help="'none': answers given without a severity.")
@click.option(
    "--status",
    type=click.Choice([*ANSWER_STATUSES, "any"]),
    default="new",
    show_default=True,
    help="Support status of the answers.",
)
@_date_option("--since", end=False)
@_date_option("--until", end=True)
@click.option(
    "--reporter", default=None, metavar="EMAIL", help="Jira reporter e-mail (default: support@hotrodan.example)."
)
@click.option("--label", "labels", multiple=True, help="Extra label on every ticket (repeat for several).")
@click.option("--mark-filed", is_flag=True, help="Mark the exported answers 'ticket filed' once the file is written.")
def export_tickets_command(
    fmt: str,
    ids: tuple[int, ...],
    part: str | None,
    question_id: str | None,
    scenario_id: str | None,
    severity: str | None,
    status: str,
    since: datetime | None,
    until: datetime | None,
    reporter: str | None,
    labels: tuple[str, ...],
    mark_filed: bool,
) -> None:
    from optrain.exports import DEFAULT_REPORTER, AnswerFilter, export_tickets

    filters = AnswerFilter(
        ids=ids,
        part=part,
        question_id=question_id,
        scenario_id=scenario_id,
        severity=severity,
        status=None if status == "any" else cast(AnswerStatus, status),
        since=since,
        until=until,
    )
    questions, _ = _catalog_texts()
    result = export_tickets(
        _open_export_db(write=mark_filed),
        filters,
        fmt=fmt,
        exports_dir=Settings.from_env().exports_dir,
        now=datetime.now(UTC),
        questions=questions,
        reporter=reporter or DEFAULT_REPORTER,
        labels=labels,
        mark_filed=mark_filed,
    )
    marked = f"; marked {result.marked_filed} answer(s) as ticket filed" if mark_filed else ""
    click.echo(f"Wrote {result.path}: {result.tickets} ticket(s){marked}")


def _signing_key_path() -> Path:
    from optrain.exports import default_key_path

    return default_key_path(Settings.from_env().auth_path.parent)


@export_group.command(
    "evidence",
    help="Write a training evidence pack (ZIP with summary, CSVs, decision log, "
    "screenshots, a SHA-256 manifest and its Ed25519 signature).\n\n" + CSV_SAFETY_HELP,
)
@_date_option("--since", end=False)
@_date_option("--until", end=True)
@click.option("--trainee", help="Username of one trainee.")
@click.option("--scenario", "scenario_id", help="Scenario id.")
def export_evidence_command(
    since: datetime | None, until: datetime | None, trainee: str | None, scenario_id: str | None
) -> None:
    from optrain.exports import EvidenceFilter, export_evidence_pack

    settings = Settings.from_env()
    _, modules = _catalog_texts()
    with click.progressbar(length=1, label="Writing the evidence pack", file=sys.stderr) as bar:

        def progress(member: str, done: int, total: int) -> None:
            bar.length = max(1, total)
            bar.update(done - bar.pos)

        pack = export_evidence_pack(
            _open_export_db(write=False),
            EvidenceFilter(since=since, until=until, trainee=trainee, scenario_id=scenario_id),
            exports_dir=settings.exports_dir,
            uploads_dir=settings.uploads_dir,
            signing_key=_signing_key_path(),
            now=datetime.now(UTC),
            modules=modules,
            progress=progress,
        )
    click.echo(f"Wrote {pack.path}")
    for member in pack.files:
        if member.rows is not None:
            click.echo(f"  {member.name:<22} {member.rows} row(s)")
    shots = sum(1 for member in pack.files if member.rows is None and member.name.startswith("screenshots/"))
    click.echo(f"  {'screenshots/':<22} {shots} file(s)")
    if pack.missing_screenshots:
        click.echo(
            f"  {len(pack.missing_screenshots)} screenshot(s) referenced by Q&A answers were not in the "
            "uploads folder (listed in manifest.json)",
            err=True,
        )


@export_group.command("public-key")
def export_public_key_command() -> None:
    """Print the public key that checks this installation's evidence packs (PEM), for auditors."""
    from optrain.exports import load_signing_key, public_key_pem

    key = load_signing_key(_signing_key_path())
    click.echo(public_key_pem(key).decode("ascii"), nl=False)


@export_group.command("verify")
@click.argument("pack", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The signer's public key (PEM, from `optrain export public-key`); default: this installation's.",
)
def export_verify_command(pack: Path, public_key: Path | None) -> None:
    """Check an evidence pack's signature and every file against its manifest; exit 1 listing what is wrong."""
    from optrain.exports import load_public_key, load_signing_key, verify_pack

    if not pack.is_file():  # the pack itself is the first thing to name, before any key
        raise click.ClickException(f"{pack} is not a readable ZIP file (no such file); check the path.")
    key = (
        load_public_key(public_key)
        if public_key is not None
        else load_signing_key(_signing_key_path(), create=False).public_key()
    )
    problems = verify_pack(pack, key)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{pack}: {len(problems)} problem(s); do not rely on this pack, export it again.", err=True)
        sys.exit(1)
    click.echo(f"OK: {pack}: signature valid, every file matches manifest.json")


@db.command()
@click.option(
    "--older-than",
    "older_than",
    default="90d",
    show_default=True,
    metavar="AGE",
    help="Age as Nd (days) or Nw (weeks); the runbook keeps 90 days.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge(older_than: str, dry_run: bool) -> None:
    """Delete decision-log records older than AGE (retention)."""
    from optrain.exports import parse_age, purge_old_decision_log
    from optrain.exports.files import utc_text

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None
    result = purge_old_decision_log(_open_export_db(write=not dry_run), age, now=datetime.now(UTC), dry_run=dry_run)
    what = f"decision-log record(s) created before {utc_text(result.cutoff)} (older than {older_than})"
    click.echo(f"Dry run: {result.records} {what} would be deleted" if dry_run else f"Deleted {result.records} {what}")


@main.group()
def certificate() -> None:
    """Certificates of the training path."""


@certificate.command("verify")
@click.argument("verification_id")
def certificate_verify(verification_id: str) -> None:
    """Check a certificate's verification id against the training database."""
    from optrain.certificates import part_title
    from optrain.storage.certificates import certificate_by_id

    found = certificate_by_id(_open_export_db(write=False), verification_id.strip().upper())
    if found is None:
        click.echo(f"No certificate with id {verification_id} in this training database: NOT VALID", err=True)
        sys.exit(1)
    click.echo(f"VALID: {found.display_name} ({found.username}), issued {found.issued_at:%Y-%m-%d %H:%M} UTC")
    for part, score in found.scores.items():
        click.echo(f"  {part_title(part)}: {score:.0%}")


@main.command("import-chatwoot")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "item_id", default=None, help="Id of the draft item (default: imported_<conversation id>).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the draft here instead of printing it; an existing file is never overwritten.",
)
@click.option(
    "--reviewed",
    is_flag=True,
    help="Write the draft with --output although it has words flagged for review (you checked them).",
)
def import_chatwoot(file: Path, item_id: str | None, output: Path | None, reviewed: bool) -> None:
    """Turn a Chatwoot conversation JSON (API response or webhook body) into a draft queue item.

    The personal details the importer recognises are replaced with generated
    stand-ins, the same one wherever they appear; what still looks personal is
    listed for review (on stderr and at the top of the draft), and --output
    writes a draft with such words only with --reviewed. The right call,
    rationale and rule are TODO placeholders.
    """
    from optrain.chatwoot_import import import_file, review_lines, to_yaml

    if output is not None and output.exists():
        raise click.ClickException(f"{output} already exists; choose another --output or remove it first")
    draft = import_file(file, item_id=item_id)
    if draft.flags:
        click.echo("\n".join(line.lstrip("# ") for line in review_lines(draft)), err=True)
    if output is None:
        click.echo(to_yaml(draft), nl=False)
        return
    if draft.flags and not reviewed:
        raise click.ClickException(
            f"{output} not written: review the {len(draft.flags)} flagged word(s) above first (print the draft "
            "without --output to read them in place), then run again with --reviewed"
        )
    try:
        with output.open("x", encoding="utf-8") as out:
            out.write(to_yaml(draft))
    except OSError as exc:
        raise click.ClickException(f"{output} could not be written ({exc.strerror}); choose another --output") from None
    click.echo(
        f"Wrote {output}: draft item '{draft.item['id']}', {draft.replaced_total} personal detail(s) "
        f"replaced, {len(draft.flags)} flagged for review; fill in the TODO fields, then add it to a "
        "scenario's queue"
    )
