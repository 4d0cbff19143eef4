"""The catalog: loading the curriculum files into versions, and finding courses for learners."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.catalog.loader import (
    IMAGE_TYPES,
    CourseFileError,
    ParsedCourse,
    course_folders,
    missing_translations,
    parse_course,
    parse_tracks,
)
from lms.catalog.models import Course, CourseItem, CourseMedia, CourseVersion, Module, Track
from lms.db import session


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    tracks: list[str] = field(default_factory=list)
    errors: list[CourseFileError] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.errors


def check_courses(root: Path, strict: bool = False, other_courses: set[str] = frozenset()
                  ) -> tuple[list[ParsedCourse], list[CourseFileError]]:
    """Parse every course folder under ``root``: the good ones, and one error for each broken one.

    ``strict`` (``courses check``) also counts every missing Chinese translation as an error. ``course:`` links may
    point at the folders under ``root`` and at ``other_courses``. Needs no database.
    """
    parsed, errors = [], []
    folders = course_folders(root)
    known = {folder.name for folder in folders} | set(other_courses)
    for folder in folders:
        try:
            course = parse_course(folder, known)
        except CourseFileError as error:
            errors.append(error)
            continue
        problems = missing_translations(folder, course) if strict else []
        if problems:
            errors += problems
        else:
            parsed.append(course)
    return parsed, errors


def check_tracks(root: Path, course_slugs: set[str]) -> list[CourseFileError]:
    """tracks.yaml's problems: its own, and courses it names that do not exist."""
    try:
        found = parse_tracks(root / "tracks.yaml")
    except CourseFileError as error:
        return [error]
    return [CourseFileError(root / "tracks.yaml", track.line, f"{track.slug}.courses",
                            "unknown course(s): " + ", ".join(missing))
            for track in found if (missing := [s for s in track.all_courses if s not in course_slugs])]


def sync_courses(root: Path) -> SyncReport:
    """Load a curriculum folder: new content becomes a new version, unchanged content changes nothing.

    A broken course is reported and none of it is loaded; the other courses still load. Flushes only.
    Raises FileNotFoundError when ``root`` is not a folder.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    report = SyncReport()
    parsed, report.errors = check_courses(root, other_courses=set(session.execute(select(Course.slug)).scalars()))
    for course in parsed:
        outcome = _store_course(course, root / course.slug)
        getattr(report, outcome).append(course.slug)
    try:
        tracks = parse_tracks(root / "tracks.yaml")
    except CourseFileError as error:
        report.errors.append(error)
        tracks = []
    known = {slug for slug in session.execute(select(Course.slug)).scalars()}
    for track in tracks:
        missing = [slug for slug in track.all_courses if slug not in known]
        if missing:
            report.errors.append(CourseFileError(root / "tracks.yaml", getattr(track, "line", None),
                                                 f"{track.slug}.courses",
                                                 f"unknown course(s): {', '.join(missing)}"))
            continue
        _store_track(track)
        report.tracks.append(track.slug)
    session.flush()
    return report


def _store_course(parsed: ParsedCourse, folder: Path) -> str:
    course = session.execute(select(Course).filter_by(slug=parsed.slug)).scalar_one_or_none()
    outcome = "updated"
    if course is None:
        course = Course(slug=parsed.slug)
        session.add(course)
        session.flush()
        outcome = "created"
    latest = latest_version(course.id)
    if latest is not None and latest.content_hash == parsed.content_hash:
        return "unchanged"
    _store_media(course, parsed, folder)
    version = CourseVersion(
        course_id=course.id, number=(latest.number + 1) if latest else 1, label=parsed.label,
        content_hash=parsed.content_hash, title=parsed.title, summary=parsed.summary, audience=parsed.audience,
        languages=parsed.languages, search_text=_search_text(parsed), is_published=True,
    )
    session.add(version)
    session.flush()
    for position, parsed_module in enumerate(parsed.modules):
        module = Module(version_id=version.id, slug=parsed_module.slug, position=position, title=parsed_module.title)
        session.add(module)
        session.flush()
        for item_position, item in enumerate(parsed_module.items):
            session.add(CourseItem(
                version_id=version.id, module_id=module.id, kind=item.kind, slug=item.slug,
                position=item_position, title=item.title, minutes=item.minutes, body=item.body, quiz=item.quiz,
            ))
    return outcome


def _store_media(course: Course, parsed: ParsedCourse, folder: Path) -> None:
    known = set(session.execute(select(CourseMedia.digest, CourseMedia.name).filter_by(course_id=course.id)).all())
    for name, digest in parsed.media.items():
        if (digest, name) not in known:
            path = folder / "media" / name
            session.add(CourseMedia(course_id=course.id, digest=digest, name=name, content=path.read_bytes(),
                                    content_type=IMAGE_TYPES[path.suffix.lower()]))


def course_media(course_id: int, digest: str, name: str) -> CourseMedia | None:
    return session.execute(select(CourseMedia).filter_by(course_id=course_id, digest=digest, name=name)
                           ).scalar_one_or_none()


def _store_track(parsed) -> None:
    track = session.execute(select(Track).filter_by(slug=parsed.slug)).scalar_one_or_none()
    values = dict(title=parsed.title, summary=parsed.summary, audience=parsed.audience, course_slugs=parsed.courses,
                  elective_slugs=parsed.electives, electives_required=parsed.electives_required,
                  pass_mark=parsed.pass_mark, validity_months=parsed.validity_months)
    if track is None:
        session.add(Track(slug=parsed.slug, **values))
        return
    for name, value in values.items():
        if getattr(track, name) != value:
            setattr(track, name, value)


def _search_text(parsed: ParsedCourse) -> str:
    parts = list(parsed.title.values()) + list(parsed.summary.values())
    parts += [text for module in parsed.modules for text in module.title.values()]
    parts += [text for item in parsed.items for text in item.title.values()]
    return " ".join(parts).casefold()


def latest_version(course_id: int) -> CourseVersion | None:
    """The newest published version of a course."""
    return session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id, CourseVersion.is_published.is_(True))
        .order_by(CourseVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def _latest_versions_query():
    newest = (select(CourseVersion.course_id, func.max(CourseVersion.number).label("number"))
              .where(CourseVersion.is_published.is_(True)).group_by(CourseVersion.course_id).subquery())
    return (select(CourseVersion)
            .join(newest, (CourseVersion.course_id == newest.c.course_id) & (CourseVersion.number == newest.c.number))
            .options(selectinload(CourseVersion.course)))


def catalog(audience: str | None = None, query: str = "") -> list[CourseVersion]:
    """Published courses (their newest versions), those for ``audience`` first, filtered by a search text."""
    statement = _latest_versions_query()
    words = query.casefold().split()
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(CourseVersion.search_text.like(f"%{escaped}%", escape="\\"))
    versions = list(session.execute(statement).scalars())
    return sorted(versions, key=lambda v: (audience not in (v.audience or []), v.title.get("en", "").casefold()))


def all_latest_versions() -> list[CourseVersion]:
    return list(session.execute(_latest_versions_query().order_by(CourseVersion.id)).scalars())


def course_by_slug(slug: str) -> Course | None:
    return session.execute(select(Course).filter_by(slug=slug)).scalar_one_or_none()


def tracks() -> list[Track]:
    return list(session.execute(select(Track).order_by(Track.slug)).scalars())
