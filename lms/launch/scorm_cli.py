"""``flask lms scorm ...``: importing SCORM packages, exporting courses as SCORM. Each command commits once."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

EDITIONS = {2: "2nd", 3: "3rd", 4: "4th"}
scorm_cli = AppGroup("scorm", help="SCORM 1.2 and 2004 packages: import them, export courses as them.")


@scorm_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_slug", default=None,
              help="Import into this course: made from the package when no course has this short name yet, else "
                   "the package is added to it as lessons in a new version.")
@click.option("--module", "module_slug", default=None,
              help="With --course of an existing course: add the package's lessons at the end of this module "
                   "(default: a new module named after the package).")
def import_command(file: Path, course_slug: str | None, module_slug: str | None) -> None:
    """Import a SCORM 1.2 or 2004 package (a zip with imsmanifest.xml at its root)."""
    from flask_babel import force_locale

    from lms.catalog.outline import outline
    from lms.db import session
    from lms.launch.scorm import ScormImportError, import_package
    from scorm.package import PackageError

    with force_locale("en"):  # the command's output is English, whatever a request would choose
        try:
            result = import_package(file.read_bytes(), filename=file.name, course_slug=course_slug,
                                    module_slug=module_slug)
        except (PackageError, ScormImportError) as error:
            session.rollback()
            raise click.ClickException(f"{file}: refused: {error}") from None
    session.commit()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    version = outline(result.version_id)
    edition = f" {EDITIONS[result.edition]} edition" if result.edition in EDITIONS else ""
    click.echo(f"{result.outcome:10} {result.course.slug} version {version.number} "
               f"(SCORM {result.scorm_version}{edition}, {result.items} items)")


@scorm_cli.command("export")
@click.argument("slug")
@click.option("--version", "scorm_version", type=click.Choice(["2004", "1.2"]), default="2004", show_default=True,
              help="SCORM 2004 4th edition, or SCORM 1.2.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the zip (default: SLUG-vN-scorm2004.zip here).")
@click.option("--language", type=click.Choice(["en", "zh-Hans"]), default="en", show_default=True,
              help="The course's language to export.")
def export_command(slug: str, scorm_version: str, output: Path | None, language: str) -> None:
    """Export the newest version of a course as a SCORM zip."""
    from lms.catalog.services import course_by_slug, latest_version
    from lms.launch.scorm import export_course

    course = course_by_slug(slug)
    latest = latest_version(course.id) if course is not None else None
    if latest is None:
        raise click.ClickException(f"no published course has the short name {slug}")
    try:
        exported = export_course(latest.id, scorm_version, language)
    except ValueError as error:
        raise click.ClickException(f"{slug}: cannot be exported: {error}") from None
    target = output or Path(exported.filename)
    target.write_bytes(exported.data)
    for title in exported.skipped:
        click.echo(f"warning: “{title}” is launchable content from a package and was left out", err=True)
    click.echo(f"exported   {slug} version {latest.number} as SCORM {scorm_version} to {target}")
