"""``flask lms certificates ...``: issue what is owed, send expiry reminders, open recertification. Each command
commits once, at its end."""

from __future__ import annotations

import click
from flask.cli import AppGroup

certificates_cli = AppGroup("certificates", help="Certificates by curriculum track.")


@certificates_cli.command("reconcile")
def reconcile_command() -> None:
    """Re-evaluate every learner's tracks and issue every certificate owed; print each one issued."""
    from lms.certificates.services import reconcile
    from lms.db import session

    issued = reconcile()
    session.commit()
    for item in issued:
        click.echo(f"issued  {item.certificate.serial}  {item.track.slug:28} {item.user.email}")
    click.echo(f"{len(issued)} certificate(s) issued." if issued else "Nothing owed: every certificate earned "
                                                                        "is already issued.")


@certificates_cli.command("remind")
def remind_command() -> None:
    """E-mail the learners whose certificates expire within 60 or 14 days (each reminder once)."""
    from lms.certificates.services import send_due_reminders
    from lms.db import session

    report = send_due_reminders()
    session.commit()
    for certificate, days in report.sent:
        click.echo(f"reminded  {certificate.serial}  {days:>2}-day  expires {certificate.expires_at.date()}  "
                   f"{certificate.user.email}")
    for certificate, error in report.failed:
        click.echo(f"failed    {certificate.serial}  {certificate.user.email}: {error}", err=True)
    click.echo(f"{len(report.sent)} reminder(s) sent.")
    if report.failed:
        raise SystemExit(1)


@certificates_cli.command("recertify")
@click.option("--track", "track_slug", required=True, help="The track's slug.")
@click.option("--user", "email", required=True, help="The learner's e-mail address.")
def recertify_command(track_slug: str, email: str) -> None:
    """Re-open a track for a learner: new enrolments in its courses; the next certificate supersedes the old."""
    from lms.accounts.services import find_user
    from lms.certificates.services import CertificateError, recertify, track_by_slug
    from lms.db import session

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account has the e-mail address {email}")
    track = track_by_slug(track_slug)
    if track is None:
        raise click.ClickException(f"no track has the slug {track_slug}")
    try:
        reopened = recertify(user, track)
    except CertificateError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    session.commit()
    for enrollment in reopened:
        click.echo(f"re-opened  {enrollment.course.slug:32} registration {enrollment.registration}")
    click.echo(f"Recertification open for {user.email} in {track.slug}.")
