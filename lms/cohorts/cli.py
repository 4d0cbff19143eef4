"""``flask lms cohorts ...``: cohorts from the command line. Each command commits once, at its end."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

cohorts_cli = AppGroup("cohorts", help="Cohorts and bulk enrolment.")


@cohorts_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cohort", default=None, help="Cohort for rows that name none (created if it does not exist).")
@click.option("--dry-run", is_flag=True, help="Print what would happen and change nothing.")
def import_file(file: Path, cohort: str | None, dry_run: bool) -> None:
    """Enrol learners from a .csv or .xlsx FILE: one line per row (row number, e-mail, outcome or error).

    Exits with status 1, having changed nothing, when any row has an error.
    """
    from flask_babel import force_locale

    from lms.cohorts import importing, messages, services
    from lms.db import session

    with force_locale("en"):  # the command's output is English, whatever a request would choose
        data = file.read_bytes()
        try:
            plan = importing.plan_import(importing.read_file(data), cohort)
        except importing.ImportFileError as error:
            raise click.ClickException(messages.file_error(error)) from None
        for row in plan.rows:
            if row.errors:
                outcome = "ERROR " + " ".join(messages.row_error(code, params) for code, params in row.errors)
            else:
                outcome = "; ".join(messages.row_outcomes(row))
            click.echo(f"row {row.number:>6}  {row.email or '-':40}  {outcome}")
        counts = plan.counts()
        if plan.has_errors:
            click.echo(f"{counts['errors']} of {counts['rows']} rows have errors: nothing was changed.", err=True)
            sys.exit(1)
        if dry_run:
            click.echo(f"Dry run: {counts['new_accounts']} new accounts, {counts['memberships_added']} memberships, "
                       f"{counts['enrolments_added']} enrolments would be made. Nothing was changed.", err=True)
            return
        try:
            result = importing.apply_import(plan, None, file.name, importing.content_hash(data))
        except services.CohortError as error:
            session.rollback()
            raise click.ClickException(messages.cohort_error(error)) from None
        session.commit()
        sent = services.send_invitations(result.invitations)
        changed = result.counts
        click.echo(f"Applied: {changed['new_accounts']} new accounts ({sent} invitations sent), "
                   f"{changed['memberships_added']} memberships, {changed['enrolments_added']} enrolments, "
                   f"{changed['new_cohorts']} new cohorts.", err=True)


@cohorts_cli.command("list")
@click.option("--archived", is_flag=True, help="Include archived cohorts.")
def list_cohorts(archived: bool) -> None:
    """One line per cohort: id, members, state, name."""
    from lms.cohorts import services
    from lms.db import session

    rows = session.execute(services.cohorts_query(include_archived=archived)).all()
    if not rows:
        click.echo("No cohorts. Create one with: flask --app wsgi lms cohorts import FILE --cohort NAME")
    for cohort, members in rows:
        state = "archived" if cohort.is_archived else "active"
        click.echo(f"{cohort.id:>6}  {members:>7}  {state:8}  {cohort.name}")
