"""``flask lms cmi5 ...``: importing cmi5 (and Tin Can) packages, ending stale sessions. Each commits once."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

cmi5_cli = AppGroup("cmi5", help="cmi5 and Tin Can packages.")


@cmi5_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_slug", default=None,
              help="Add the package's units to this course (made when it does not exist) instead of a course of "
                   "its own.")
def import_command(file: Path, course_slug: str | None) -> None:
    """Import a cmi5 package (a zip with cmi5.xml, or a bare cmi5.xml) or a Tin Can package (tincan.xml)."""
    from lms.db import session
    from lms.launch.services import LaunchError, PackageInvalid, import_package

    try:
        result = import_package(file.read_bytes(), filename=file.name, course_slug=course_slug)
    except (PackageInvalid, LaunchError) as error:
        session.rollback()
        raise click.ClickException(f"{file}: refused: {error}") from None
    session.commit()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    from lms.catalog.outline import outline

    version = outline(result.version_id)
    units = sum(1 for item in version.items if item.launch)
    click.echo(f"{result.outcome:10} {result.course.slug} version {version.number} ({result.kind}, {units} units)")


@cmi5_cli.command("abandon-stale")
@click.option("--minutes", type=click.IntRange(1, None), default=None,
              help="Idle time after which a session counts as abandoned (default: LMS_CMI5_SESSION_TIMEOUT_MINUTES).")
def abandon_stale_command(minutes: int | None) -> None:
    """Record "abandoned" for every session with no statement for a while and no "terminated" (cmi5 9.3.6)."""
    from lms.db import session
    from lms.launch.services import abandon_stale

    count = abandon_stale(minutes or current_app.config["LMS_CMI5_SESSION_TIMEOUT_MINUTES"])
    session.commit()
    click.echo(f"Abandoned {count} session(s).")


def register_commands(group) -> None:
    group.add_command(cmi5_cli)
