"""``flask lms ...``: the LMS's commands. Each command commits once, at its end."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

lms_cli = AppGroup("lms", help="Labor Rights LMS commands.")

DEMO_ACCOUNTS = (
    # (e-mail, password, name, roles, audience): also written in the README; change them on a real site.
    ("admin@example.org", "admin-demo-2026", "Demo Admin", ["admin", "learner"], "labor_official"),
    ("author@example.org", "author-demo-2026", "Demo Author", ["author", "learner"], "academic"),
    ("learner@example.org", "learner-demo-2026", "Demo Learner", ["learner"], "worker"),
)


def _session():
    from lms.db import session

    return session


# --- database ---------------------------------------------------------------------------------------------

db_cli = AppGroup("db", help="The LMS's own migrations (its own version table: a host's are never touched).")
lms_cli.add_command(db_cli)


def _alembic_config():
    from alembic.config import Config

    from lms.extension import MIGRATIONS

    config = Config(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply the LMS migrations up to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)
    click.echo(f"LMS database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo LMS migrations down to REVISION ("base" removes every LMS table)."""
    from alembic import command

    command.downgrade(_alembic_config(), revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the LMS's current migration."""
    from alembic import command

    command.current(_alembic_config())


# --- courses ----------------------------------------------------------------------------------------------

courses_cli = AppGroup("courses", help="The curriculum as files.")
lms_cli.add_command(courses_cli)
from lms.authoring.cli import register_commands as _authoring; _authoring(courses_cli)  # noqa: E402,E702 (export, import)


def _courses_root(path: str | None) -> Path:
    if path:
        return Path(path)
    configured = current_app.config.get("LMS_COURSES_PATH")
    if configured:
        return Path(configured)
    return Path.cwd() / "courses"


@courses_cli.command("sync")
@click.argument("path", required=False)
def courses_sync(path: str | None) -> None:
    """Validate and load the courses folder (default: ./courses). Broken courses are reported and skipped."""
    from lms.catalog.services import sync_courses

    root = _courses_root(path)
    try:
        report = sync_courses(root)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    _session().commit()
    for label, slugs in (("created", report.created), ("new version", report.updated),
                         ("unchanged", report.unchanged), ("track", report.tracks)):
        for slug in slugs:
            click.echo(f"{label:12} {slug}")
    for error in report.errors:
        click.echo(f"error        {error}", err=True)
    if report.errors:
        sys.exit(1)


@courses_cli.command("check")
@click.argument("path", required=False)
def courses_check(path: str | None) -> None:
    """Validate the courses folder strictly (every Chinese translation present) without loading anything."""
    from lms.catalog.services import check_courses, check_tracks

    root = _courses_root(path)
    if not root.is_dir():
        raise click.ClickException(f"{root} is not a folder")
    parsed, errors = check_courses(root, strict=True)
    errors += check_tracks(root, {folder.name for folder in root.iterdir() if (folder / "course.yaml").exists()})
    for course in parsed:
        click.echo(f"ok     {course.slug}")
    for error in errors:
        click.echo(f"error  {error}", err=True)
    if errors:
        sys.exit(1)


@courses_cli.command("list")
def courses_list() -> None:
    """One line per course: slug, version, languages, lessons, quiz questions."""
    from lms.catalog.outline import outline
    from lms.catalog.services import all_latest_versions

    versions = all_latest_versions()
    if not versions:
        click.echo("No courses loaded. Run: flask --app wsgi lms courses sync")
        return
    click.echo(f"{'slug':32} {'version':>7}  {'languages':14} {'lessons':>7} {'questions':>9}")
    for version in versions:
        items = outline(version.id).items
        lessons = sum(item.kind == "lesson" for item in items)
        questions = sum(len(item.quiz["questions"]) for item in items if item.kind == "quiz")
        click.echo(f"{version.course.slug:32} {version.number:>7}  {','.join(version.languages):14} "
                   f"{lessons:>7} {questions:>9}")


# --- users ------------------------------------------------------------------------------------------------

users_cli = AppGroup("users", help="Accounts.")
lms_cli.add_command(users_cli)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", "display_name", default=None, help="Display name (default: the e-mail's local part).")
@click.option("--role", "roles", multiple=True, type=click.Choice(["learner", "author", "admin"]),
              help="Repeatable; default learner.")
@click.option("--audience", default="other",
              type=click.Choice(["labor_official", "labor_inspector", "worker", "employer", "academic", "other"]))
@click.option("--language", default="en", type=click.Choice(["en", "zh-Hans"]))
def users_create(email, password, display_name, roles, audience, language) -> None:
    """Create an account."""
    from lms.accounts.services import AccountError, create_user

    from lms.core.audit import record_action

    try:
        user = create_user(email, password, display_name, list(roles) or ["learner"], audience, language)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    record_action(None, "user.create", user.email, {"roles": sorted(user.role_names), "via": "command line"})
    _session().commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.role_names))}).")


@lms_cli.command("demo-users")
def demo_users() -> None:
    """Create the demo accounts (admin, author, learner) if they do not exist; print their passwords once."""
    from lms.accounts.services import create_user, find_user

    created = []
    for email, password, name, roles, audience in DEMO_ACCOUNTS:
        if find_user(email) is None:
            create_user(email, password, name, roles, audience)
            created.append((email, password, roles))
    _session().commit()
    if not created:
        click.echo("Demo accounts already exist (their passwords are in the README).")
    for email, password, roles in created:
        click.echo(f"Demo account {email:24} password {password:18} roles {', '.join(roles)}")


# --- statements -------------------------------------------------------------------------------------------

statements_cli = AppGroup("statements", help="The stored xAPI statements.")
lms_cli.add_command(statements_cli)


@statements_cli.command("list")
@click.option("--email", default=None, help="Only this learner's statements.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100000))
def statements_list(email: str | None, limit: int) -> None:
    """Print the newest stored statements as JSON lines (newest first)."""
    import json

    from lms.accounts.services import find_user
    from lms.tracking.services import statements_query, user_actor_key

    actor = None
    if email:
        user = find_user(email)
        if user is None:
            raise click.ClickException(f"no account has the e-mail address {email}")
        actor = user_actor_key(user.public_id)
    for row in _session().execute(statements_query(actor=actor).limit(limit)).scalars():
        click.echo(json.dumps(row.full, ensure_ascii=False, sort_keys=True))


# --- xAPI LRS --------------------------------------------------------------------------------------------

xapi_cli = AppGroup("xapi", help="The built-in LRS.")
lms_cli.add_command(xapi_cli)
clients_cli = AppGroup("clients", help="LRS credentials (key and secret, HTTP Basic).")
xapi_cli.add_command(clients_cli)

from lms.xapi.cli import register_commands as _register_xapi_commands  # noqa: E402  (forward, export, import)

_register_xapi_commands(xapi_cli)


@clients_cli.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, default=("all",), show_default=True,
              help="Repeatable: all, statements/write, statements/read, statements/read/mine, documents.")
def clients_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a credential; prints its key and secret on one line (the secret is shown only this once)."""
    from lms.xapi.credentials import CredentialError, create_client

    from lms.core.audit import record_action

    try:
        client, secret = create_client(name, list(scopes))
    except CredentialError as error:
        raise click.ClickException(str(error)) from None
    record_action(None, "lrs.credential.create", client.key, {"name": client.name, "via": "command line"})
    _session().commit()
    click.echo(f"{client.key} {secret}")


@clients_cli.command("list")
def clients_list() -> None:
    """One line per credential: key, state, scopes, name."""
    from lms.xapi.credentials import list_clients

    for client in list_clients():
        state = "revoked" if client.revoked_at else "active"
        click.echo(f"{client.key}  {state:7}  {','.join(client.scopes):50}  {client.name}")


@clients_cli.command("revoke")
@click.argument("key")
def clients_revoke(key: str) -> None:
    """Revoke a credential: it stops working at once."""
    from lms.xapi.credentials import CredentialError, revoke_client

    from lms.core.audit import record_action

    try:
        client = revoke_client(key)
    except CredentialError as error:
        raise click.ClickException(str(error)) from None
    record_action(None, "lrs.credential.revoke", client.key, {"via": "command line"})
    _session().commit()
    click.echo(f"Revoked {client.key} ({client.name}).")


from lms.certificates.cli import certificates_cli; lms_cli.add_command(certificates_cli)  # noqa: E402,E702
from lms.cohorts.cli import cohorts_cli; lms_cli.add_command(cohorts_cli)  # noqa: E402,E702
from lms.launch.cli import cmi5_cli; lms_cli.add_command(cmi5_cli)  # noqa: E402,E702
from lms.launch.scorm_cli import scorm_cli; lms_cli.add_command(scorm_cli)  # noqa: E402,E702
from lms.api.cli import api_cli; lms_cli.add_command(api_cli)  # noqa: E402,E702


# --- progress ---------------------------------------------------------------------------------------------

progress_cli = AppGroup("progress", help="The progress projection.")
lms_cli.add_command(progress_cli)


@progress_cli.command("rebuild")
def progress_rebuild() -> None:
    """Recompute every learner's progress from the stored statements."""
    from lms.tracking.services import rebuild_progress

    replayed = rebuild_progress()
    _session().commit()
    click.echo(f"Rebuilt the progress projection from {replayed} statements.")
