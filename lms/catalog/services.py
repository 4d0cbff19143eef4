"""The catalog: loading the curriculum files into versions, and finding courses for learners."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.catalog.loader import (
    CONTENT_LANGUAGES,
    IMAGE_TYPES,
    CourseFileError,
    ParsedCourse,
    course_folders,
    media_digest,
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
                  min_study_minutes=parsed.min_study_minutes, prerequisites=parsed.prerequisites,
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


# --- imported courses (lms.launch: cmi5 and Tin Can packages) ---------------------------------------------------

@dataclass
class ImportedItem:
    """An item of an imported course: usually launchable (``launch`` set), or a lesson or quiz carried over from the
    version it is added to."""

    kind: str
    slug: str
    title: dict[str, str]
    launch: dict | None = None
    minutes: int | None = None
    body: dict | None = None
    quiz: dict | None = None


@dataclass
class ImportedModule:
    slug: str
    title: dict[str, str]
    items: list[ImportedItem] = field(default_factory=list)


@dataclass
class ImportedCourse:
    """What an import stores as a course version: ParsedCourse's sibling for content that is not in course files
    (its items carry launch data, which the file format has no place for)."""

    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    modules: list[ImportedModule]
    audience: list[str] = field(default_factory=list)
    label: str | None = None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @property
    def languages(self) -> list[str]:
        """The languages every title of the course is available in (English always counts: texts fall back to it)."""
        titles = [self.title] + [m.title for m in self.modules] + [i.title for m in self.modules for i in m.items]
        return [language for language in ("en", "zh-Hans") if all(language in title for title in titles)] or ["en"]


def store_imported_course(imported: ImportedCourse) -> tuple[CourseVersion, str]:
    """Store an imported course as a new published version of the course ``imported.slug`` (created when new).

    Returns the version and "created", "updated" or "unchanged" (the newest version already has this content: it
    is returned and nothing is stored). Flushes only. Raises nothing of its own; the caller checks the content.
    """
    course = course_by_slug(imported.slug)
    outcome = "updated"
    if course is None:
        course = Course(slug=imported.slug)
        session.add(course)
        session.flush()
        outcome = "created"
    latest = latest_version(course.id)
    if latest is not None and latest.content_hash == imported.content_hash:
        return latest, "unchanged"
    parts = list(imported.title.values()) + list(imported.summary.values())
    parts += [text for module in imported.modules for text in module.title.values()]
    parts += [text for module in imported.modules for item in module.items for text in item.title.values()]
    version = CourseVersion(
        course_id=course.id, number=(latest.number + 1) if latest else 1, label=imported.label,
        content_hash=imported.content_hash, title=imported.title, summary=imported.summary,
        audience=imported.audience, languages=imported.languages, search_text=" ".join(parts).casefold(),
        is_published=True,
    )
    session.add(version)
    session.flush()
    for position, imported_module in enumerate(imported.modules):
        module = Module(version_id=version.id, slug=imported_module.slug, position=position,
                        title=imported_module.title)
        session.add(module)
        session.flush()
        # Core inserts: a cmi5 course may hold thousands of AUs, one ORM object each would be slow for no gain.
        rows = [{"version_id": version.id, "module_id": module.id, "kind": item.kind, "slug": item.slug,
                 "position": item_position, "title": item.title, "minutes": item.minutes, "body": item.body,
                 "quiz": item.quiz, "launch": item.launch}
                for item_position, item in enumerate(imported_module.items)]
        if rows:
            session.execute(CourseItem.__table__.insert(), rows)
    session.flush()
    return version, outcome


def imported_modules(version_id: int) -> list[ImportedModule]:
    """A stored version's modules and items as ImportedModules, to carry them into a next version."""
    version = session.execute(
        select(CourseVersion).where(CourseVersion.id == version_id)
        .options(selectinload(CourseVersion.modules).selectinload(Module.items))).scalar_one()
    return [ImportedModule(slug=module.slug, title=dict(module.title), items=[
        ImportedItem(kind=item.kind, slug=item.slug, title=dict(item.title), launch=item.launch,
                     minutes=item.minutes, body=item.body, quiz=item.quiz) for item in module.items])
        for module in version.modules]


# --- courses written in the web editor or uploaded as a zip (lms.authoring) ----------------------------------------

def course_to_files(parsed: ParsedCourse, media: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """A course as the files of the courses/ format, by relative name: course.yaml, lessons/<slug>.<language>.md,
    quizzes/<slug>.yaml and media/<name>. ``parse_course_files`` reads them back to the same content hash.

    Writes what it is given, incomplete or not (a draft's missing title becomes a missing field in course.yaml), so
    the loader names every problem in the files' own terms. Raises nothing.
    """
    import yaml  # the writer's only use of it; the loader reads with its own SafeLoader

    def dump(data: dict) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)

    def language_map(value: dict | None) -> dict:
        return {language: value[language] for language in CONTENT_LANGUAGES if (value or {}).get(language)}

    files: dict[str, bytes] = {}
    course: dict = {"title": language_map(parsed.title)}
    if parsed.summary:
        course["summary"] = language_map(parsed.summary)
    if parsed.audience:
        course["audience"] = list(parsed.audience)
    if parsed.label is not None:
        course["label"] = str(parsed.label)
    course["modules"] = [{"slug": module.slug, "title": language_map(module.title),
                          "items": [{item.kind: item.slug} for item in module.items]} for module in parsed.modules]
    files["course.yaml"] = dump(course).encode()
    for item in parsed.items:
        if item.kind == "lesson":
            for language in CONTENT_LANGUAGES:
                title, text = (item.title or {}).get(language), (item.source or {}).get(language)
                if not title and not text:
                    continue
                front = {"title": title} if title else {}
                if item.minutes:
                    front["minutes"] = item.minutes
                files[f"lessons/{item.slug}.{language}.md"] = (
                    f"---\n{dump(front) if front else ''}---\n{(text or '').strip()}\n").encode()
        elif item.kind == "quiz":
            quiz = dict(item.quiz or {})
            questions = []
            for question in quiz.get("questions", []):
                written = {"id": question.get("id"), "type": question.get("type"),
                           "prompt": language_map(question.get("prompt"))}
                if "answer" in question:
                    written["answer"] = question["answer"]
                if question.get("options") is not None:
                    written["options"] = [
                        {"id": option.get("id"), "text": language_map(option.get("text")),
                         **({"correct": True} if option.get("correct") else {})}
                        for option in question["options"]]
                if question.get("feedback"):
                    written["feedback"] = language_map(question["feedback"])
                questions.append(written)
            written_quiz = {"title": language_map(item.title)}
            for key in ("pass_mark", "max_attempts", "shuffle"):
                if key in quiz:
                    written_quiz[key] = quiz[key]
            written_quiz["questions"] = questions
            files[f"quizzes/{item.slug}.yaml"] = dump(written_quiz).encode()
    for name, content in sorted((media or {}).items()):
        files[f"media/{name}"] = content
    return files


def publish_course(parsed: ParsedCourse, media: dict[str, bytes]) -> tuple[str, CourseVersion]:
    """Store a course checked from memory (a draft, an uploaded zip) as its next published version, through the same
    ``_store_course`` as sync: content equal to the newest version's stores nothing.

    ``media`` holds the bytes of every image named in ``parsed.media``. Returns ("created" | "updated" |
    "unchanged", the newest version). Flushes only. Raises ValueError when an image is missing or is not the one
    the course was checked with.
    """
    course = course_by_slug(parsed.slug)
    if course is None:
        course = Course(slug=parsed.slug)
        session.add(course)
        session.flush()
    is_first = latest_version(course.id) is None
    stored = set(session.execute(select(CourseMedia.digest, CourseMedia.name).filter_by(course_id=course.id)).all())
    for name, digest in parsed.media.items():
        content = media.get(name)
        if content is None or media_digest(content) != digest:
            raise ValueError(f"the image media/{name} is missing or differs from the one checked")
        # Stored here from memory, so that _store_media finds it and never looks for a file on disk.
        if (digest, name) not in stored:
            session.add(CourseMedia(course_id=course.id, digest=digest, name=name, content=content,
                                    content_type=IMAGE_TYPES[Path(name).suffix.lower()]))
    session.flush()
    outcome = _store_course(parsed, Path(parsed.slug))
    session.flush()
    if outcome != "unchanged" and is_first:
        outcome = "created"
    return outcome, latest_version(course.id)
