"""``flask lms courses export`` and ``flask lms courses import``: a course as a zip of the courses/ format.

Both use the same functions as the web editor (``authoring.roundtrip``). The command line acts as an administrator:
a course it creates has no owner, like a course loaded from files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


def register_commands(courses_cli: click.Group) -> None:
    """Add export and import to the ``courses`` command group."""
    courses_cli.add_command(courses_export)
    courses_cli.add_command(courses_import)


def _session():
    from lms.db import session

    return session


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The zip file to write.")
@click.option("--version", "number", type=int, default=None, help="A published version (default: the newest).")
@click.option("--draft", "use_draft", is_flag=True, help="Export the draft instead of a published version.")
def courses_export(slug: str, output: str, number: int | None, use_draft: bool) -> None:
    """Write course SLUG as a zip of the courses/ format (course.yaml, lessons/, quizzes/, media/)."""
    from lms.authoring import roundtrip, services
    from lms.catalog.services import course_by_slug, latest_version

    course = course_by_slug(slug)
    if course is None:
        raise click.ClickException(f"there is no course {slug!r}")
    if use_draft:
        draft = services.draft_for(course)
        if draft is None:
            raise click.ClickException(f"the course {slug} has no draft")
        data, what = roundtrip.export_draft(draft), "the draft"
    else:
        version = services.version_by_number(course, number) if number else latest_version(course.id)
        if version is None:
            raise click.ClickException(f"the course {slug} has no published version {number or ''}".rstrip())
        try:
            data = roundtrip.export_version(version)
        except services.SourceUnavailable as error:
            raise click.ClickException(str(error)) from None
        what = f"version {version.number}"
    _session().commit()  # a version loaded from files keeps the files it was made from
    Path(output).write_bytes(data)
    click.echo(f"Exported {slug} ({what}) to {output}.")


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change and stop.")
@click.option("--publish", is_flag=True, help="Publish the imported draft as a new version (all checks must pass).")
@click.option("--move-learners", is_flag=True, help="With --publish: move enrolled learners to the new version.")
@click.option("--note", default="", help="With --publish: what changed, for the version history.")
def courses_import(file: str, dry_run: bool, publish: bool, move_learners: bool, note: str) -> None:
    """Import a course zip as the course's draft (a new course if its short name is new)."""
    from lms.authoring import roundtrip, services

    session = _session()
    try:
        plan = roundtrip.plan_import(Path(file).read_bytes(), None)
    except roundtrip.CourseZipError as error:
        raise click.ClickException(str(error)) from None
    for warning in plan.warnings:
        click.echo(f"warning  {warning}", err=True)
    if plan.course is None:
        click.echo(f"new course   {plan.slug}")
    else:
        against = "its draft" if plan.compared_with == "draft" else f"version {plan.compared_version}"
        click.echo(f"course       {plan.slug} (compared with {against})")
    changes = plan.changes
    for label, found in (("added", changes.added), ("removed", changes.removed), ("changed", changes.changed)):
        for item in found:
            click.echo(f"{label:12} {item.kind} {item.slug}")
    for label, names in (("added", changes.added_media), ("removed", changes.removed_media),
                         ("changed", changes.changed_media)):
        for name in names:
            click.echo(f"{label:12} image {name}")
    if changes.is_settings_changed:
        click.echo("changed      course settings or modules")
    if changes.is_reordered:
        click.echo("changed      order of lessons and quizzes")
    if plan.course is not None and changes.is_empty:
        click.echo("no changes")
    for problem in plan.translations:
        click.echo(f"untranslated {plan.slug}/{problem.file}: {problem.field}: {problem.message}")
    if dry_run:
        session.rollback()
        return
    draft = roundtrip.apply_import(plan, None)
    click.echo(f"Imported {plan.slug} as a draft.")
    if publish:
        try:
            published = services.publish_draft(draft, None, note, move_learners, origin="import")
        except services.PublishBlocked as blocked:
            session.commit()  # the draft stays, to be finished in the editor
            for problem in blocked.problems:
                where = f"{plan.slug}/{problem.file}" + (f":{problem.line}" if problem.line else "")
                click.echo(f"error        {where}: {problem.field}: {problem.message}", err=True)
            click.echo("Not published: fix the problems above (the draft is kept).", err=True)
            sys.exit(1)
        except services.NothingToPublish as same:
            services.discard_draft(draft.course, None)
            session.commit()
            click.echo(f"Not published: {same} (the draft was closed).")
            return
        click.echo(f"Published {plan.slug} version {published.version.number}"
                   + (f"; moved {published.moved_learners} learner(s) to it." if move_learners else "."))
    session.commit()
