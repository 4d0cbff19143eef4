"""Authoring: who may edit a course, its draft, checking and publishing it as a version, learners' versions,
the version history and its diffs, co-authors, and the site's list of hosts lessons may embed.

Plain functions with explicit arguments; they flush, the request or command commits once. Editing the draft's
document itself is ``authoring.documents``; reading and writing zips is ``authoring.roundtrip``.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from lms.accounts.models import User
from lms.accounts.services import find_user
from lms.authoring import documents, images
from lms.authoring.models import (
    COAUTHOR,
    OWNER,
    CourseAuthor,
    Draft,
    DraftChange,
    DraftMedia,
    PendingImport,
    VersionSource,
)
from lms.catalog.loader import (
    SLUG,
    CourseFileError,
    ParsedCourse,
    allowed_embed_hosts,
    media_digest,
    missing_translations,
    parse_course,
    parse_course_files,
)
from lms.catalog.models import Course, CourseMedia, CourseVersion
from lms.catalog.services import course_by_slug, course_to_files, latest_version, publish_course
from lms.core.audit import record_action
from lms.core.i18n import _
from lms.core.models import Setting
from lms.db import session, utcnow
from lms.learning.models import Enrollment

EMBED_HOSTS_KEY = "authoring.embed_hosts"
_DAY = timedelta(days=1)


class AuthoringError(ValueError):
    """A request that cannot be carried out; ``field`` names the form field at fault (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SourceUnavailable(AuthoringError):
    """The files a version was made from are not stored, so it cannot be exported, compared or edited."""


class NothingToPublish(AuthoringError):
    """The draft holds exactly what the newest version holds."""


class PublishBlocked(AuthoringError):
    """The checks found problems; ``problems`` lists each with where it is."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the course has problems to fix before it can be published")
        self.problems = problems


# --- who may edit -----------------------------------------------------------------------------------------

def is_admin(user: User) -> bool:
    return user.has_role("admin")


def author_role(user: User, course: Course) -> str | None:
    """The user's part in a course: "owner", "coauthor", "admin" (courses loaded from files belong to the admins),
    or None."""
    role = session.execute(select(CourseAuthor.role).filter_by(course_id=course.id, user_id=user.id)
                           ).scalar_one_or_none()
    if role is not None and (user.has_role("author") or is_admin(user)):
        return role
    return "admin" if is_admin(user) else None


def can_edit(user: User, course: Course) -> bool:
    """Owners, co-authors (who still hold the author role) and administrators may edit a course."""
    return author_role(user, course) is not None


def can_manage_authors(user: User, course: Course) -> bool:
    return author_role(user, course) in (OWNER, "admin")


def editable_courses_query(user: User):
    """The courses a user may edit, by slug: every course for an administrator."""
    query = select(Course).order_by(Course.slug)
    if not is_admin(user):
        query = query.where(Course.id.in_(select(CourseAuthor.course_id).where(CourseAuthor.user_id == user.id)))
    return query


def owner_of(course: Course) -> User | None:
    return session.execute(select(User).join(CourseAuthor, CourseAuthor.user_id == User.id)
                           .where(CourseAuthor.course_id == course.id, CourseAuthor.role == OWNER)
                           ).scalar_one_or_none()


# --- courses and drafts -----------------------------------------------------------------------------------

def create_course(user: User, slug: str, title: dict, summary: dict, audience: list[str],
                  label: str | None = None) -> Course:
    """A new course owned by ``user``, with an empty draft. Nobody but its authors sees it until it is published.

    Raises AuthoringError (field "slug") for a malformed or taken short name.
    """
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug) or len(slug) > 100:
        raise AuthoringError(_("Use lower-case letters, digits and single hyphens, like labor-law-basics."),
                             "slug")
    if course_by_slug(slug) is not None:
        raise AuthoringError(_("A course already has this short name; choose another."), "slug")
    course = Course(slug=slug)
    session.add(course)
    session.flush()
    session.add(CourseAuthor(course_id=course.id, user_id=user.id, role=OWNER, added_by_id=user.id))
    session.add(Draft(course_id=course.id, document=documents.new_document(title, summary, audience, label),
                      created_by_id=user.id, updated_by_id=user.id, created_at=utcnow(), updated_at=utcnow()))
    record_change(course, user, "course.create", slug)
    session.flush()
    return course


def draft_for(course: Course, lock: bool = False) -> Draft | None:
    """The course's draft. ``lock`` holds its row until the transaction ends (on databases that lock rows), so two
    co-authors saving at the same moment apply their edits one after the other instead of one undoing the other."""
    query = select(Draft).filter_by(course_id=course.id)
    return session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def is_stale(draft: Draft) -> bool:
    """Whether a version was published after the draft was begun (by ``courses sync``, say): publishing the draft
    would then undo that version's changes."""
    latest = latest_version(draft.course_id)
    return latest is not None and draft.base_version_id != latest.id


def start_draft(course: Course, user: User | None) -> Draft:
    """The course's draft, begun from its newest version when there is none yet.

    Raises SourceUnavailable when that version's files are not stored.
    """
    draft = draft_for(course)
    if draft is not None:
        return draft
    latest = latest_version(course.id)
    if latest is None:
        document, media = documents.new_document({"en": course.slug}), {}
    else:
        document, digests = version_document(latest)
        media = _stored_media(course.id, digests)
    draft = Draft(course_id=course.id, document=document, base_version_id=latest.id if latest else None,
                  created_by_id=user.id if user else None, updated_by_id=user.id if user else None,
                  created_at=utcnow(), updated_at=utcnow())
    session.add(draft)
    session.flush()
    for name, (content, content_type) in media.items():
        session.add(DraftMedia(draft_id=draft.id, name=name, digest=media_digest(content), content=content,
                               content_type=content_type))
    session.flush()
    return draft


def working_copy(draft: Draft) -> dict:
    """A copy of the draft's document to edit; ``save`` stores it (JSON columns do not notice changes in place)."""
    return copy.deepcopy(draft.document)


def save(draft: Draft, user: User | None, document: dict, action: str, target: str = "",
         language: str | None = None) -> None:
    """Store an edited document as the draft, and note who changed what."""
    draft.document = document
    draft.updated_by_id = user.id if user else None
    draft.updated_at = utcnow()
    record_change(draft.course, user, action, target, language)
    session.flush()


def discard_draft(course: Course, user: User | None) -> bool:
    """Throw the draft away. A course that was never published goes with it. Returns whether the course was
    deleted."""
    draft = draft_for(course)
    if draft is not None:
        session.delete(draft)
    session.execute(delete(DraftChange).where(DraftChange.course_id == course.id, DraftChange.version_id.is_(None)))
    session.flush()
    if latest_version(course.id) is None:
        record_action(user.id if user else None, "course.delete", f"course:{course.slug}", {})
        session.delete(course)
        session.flush()
        return True
    return False


def record_change(course: Course, user: User | None, action: str, target: str = "",
                  language: str | None = None) -> None:
    """Note a change to the draft (the same change by the same person again only moves its time)."""
    same_user = DraftChange.user_id == user.id if user else DraftChange.user_id.is_(None)
    same_language = DraftChange.language == language if language else DraftChange.language.is_(None)
    found = session.execute(select(DraftChange).where(
        DraftChange.course_id == course.id, DraftChange.version_id.is_(None), same_user, same_language,
        DraftChange.action == action, DraftChange.target == target[:300]).limit(1)).scalar_one_or_none()
    if found is not None:
        found.at = utcnow()
        return
    session.add(DraftChange(course_id=course.id, user_id=user.id if user else None,
                            user_name=user.display_name if user else "", action=action, target=target[:300],
                            language=language, at=utcnow()))


def pending_changes(course: Course) -> list[DraftChange]:
    return list(session.execute(select(DraftChange).where(
        DraftChange.course_id == course.id, DraftChange.version_id.is_(None)).order_by(DraftChange.at)).scalars())


# --- images -----------------------------------------------------------------------------------------------

def add_image(draft: Draft, user: User | None, filename: str, data: bytes) -> DraftMedia:
    """Check and re-encode an uploaded image and store it with the draft (an image of the same name is replaced).

    Raises AuthoringError (field "file") when the image is refused.
    """
    try:
        name, content, content_type = images.sanitise(filename, data)
    except images.ImageError as error:
        raise AuthoringError(str(error), "file") from None
    existing = session.execute(select(DraftMedia).filter_by(draft_id=draft.id, name=name)).scalar_one_or_none()
    if existing is not None:
        existing.content, existing.digest, existing.content_type = content, media_digest(content), content_type
        media = existing
    else:
        media = DraftMedia(draft_id=draft.id, name=name, digest=media_digest(content), content=content,
                           content_type=content_type)
        session.add(media)
    draft.updated_by_id, draft.updated_at = (user.id if user else None), utcnow()
    record_change(draft.course, user, "media.add", name)
    session.flush()
    return media


def delete_image(draft: Draft, user: User | None, name: str) -> None:
    """Raises AuthoringError when the draft has no image of that name."""
    media = session.execute(select(DraftMedia).filter_by(draft_id=draft.id, name=name)).scalar_one_or_none()
    if media is None:
        raise AuthoringError(_("There is no such image in this course."))
    session.delete(media)
    draft.updated_by_id, draft.updated_at = (user.id if user else None), utcnow()
    record_change(draft.course, user, "media.delete", name)
    session.flush()


def draft_media_query(draft: Draft):
    return select(DraftMedia).filter_by(draft_id=draft.id).order_by(DraftMedia.name)


def draft_media(draft: Draft) -> dict[str, bytes]:
    return {media.name: media.content for media in session.execute(draft_media_query(draft)).scalars()}


def draft_media_digests(draft: Draft) -> dict[str, str]:
    return dict(session.execute(select(DraftMedia.name, DraftMedia.digest).filter_by(draft_id=draft.id)).all())


def image_for_editor(course: Course, digest: str, name: str) -> tuple[bytes, str] | None:
    """An image of the draft or of any published version, by digest and name: (bytes, content type)."""
    draft = draft_for(course)
    if draft is not None:
        media = session.execute(select(DraftMedia).filter_by(draft_id=draft.id, name=name, digest=digest)
                                ).scalar_one_or_none()
        if media is not None:
            return media.content, media.content_type
    stored = session.execute(select(CourseMedia).filter_by(course_id=course.id, digest=digest, name=name)
                             ).scalar_one_or_none()
    return (stored.content, stored.content_type) if stored is not None else None


def _stored_media(course_id: int, digests: dict[str, str]) -> dict[str, tuple[bytes, str]]:
    found = {}
    for name, digest in digests.items():
        row = session.execute(select(CourseMedia).filter_by(course_id=course_id, digest=digest, name=name)
                              ).scalar_one_or_none()
        if row is None:
            raise SourceUnavailable(_("The image media/%(name)s of this version is not stored.", name=name))
        found[name] = (row.content, row.content_type)
    return found


# --- checking ---------------------------------------------------------------------------------------------

@dataclass
class Problem:
    """A problem the checks found, with where it is: in the files' terms (file, line, field) and the editor's
    (``place``: "settings", "outline", "lesson", "quiz", "question" or "media", with slug, language, question)."""

    file: str
    line: int | None
    field: str
    message: str
    place: str
    slug: str | None = None
    language: str | None = None
    question_id: str | None = None


def embed_hosts() -> list[str]:
    """The hosts whose pages lessons may show in an iframe (an administrator's setting; empty by default)."""
    row = session.get(Setting, EMBED_HOSTS_KEY)
    return list(row.value) if row is not None and isinstance(row.value, list) else []


_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


def set_embed_hosts(lines: list[str], user: User | None) -> list[str]:
    """Store the embed allow-list: host names (a pasted https URL counts as its host), one per entry.

    Raises AuthoringError (field "hosts") naming the first entry that is not a host name.
    """
    hosts: list[str] = []
    for line in lines:
        entry = line.strip().lower()
        if not entry:
            continue
        if "://" in entry:
            entry = (urlsplit(entry).hostname or "").lower()
        if not _HOST.match(entry):
            raise AuthoringError(_("“%(entry)s” is not a host name like www.youtube-nocookie.com.",
                                   entry=line.strip()), "hosts")
        if entry not in hosts:
            hosts.append(entry)
    row = session.get(Setting, EMBED_HOSTS_KEY)
    if row is None:
        session.add(Setting(key=EMBED_HOSTS_KEY, value=hosts, note="Hosts lessons may embed in an iframe"))
    else:
        row.value = hosts
    record_action(user.id if user else None, "authoring.embed_hosts", "setting:embed hosts", {"hosts": hosts})
    session.flush()
    return hosts


def known_course_slugs() -> set[str]:
    return set(session.execute(select(Course.slug)).scalars())


def document_files(slug: str, document: dict, media: dict[str, bytes]) -> dict[str, bytes]:
    """The draft written out as course files (the only way a draft reaches the checks)."""
    return course_to_files(documents.parsed_from_document(slug, document), media)


def check_files(slug: str, files: dict[str, bytes], document: dict | None = None, strict: bool = True
                ) -> tuple[ParsedCourse | None, list[Problem]]:
    """Check course files by the rules of ``flask lms courses check``: the loader, then (``strict``) every missing
    Chinese translation. Returns the parsed course (None when the loader refused it) and the problems."""
    with allowed_embed_hosts(embed_hosts()):
        try:
            parsed = parse_course_files(slug, files, known_course_slugs() | {slug})
        except CourseFileError as error:
            return None, [_problem(error, slug, files, document)]
    problems = missing_translations(Path(slug), parsed) if strict else []
    return parsed, [_problem(error, slug, files, document) for error in problems]


def check_draft(draft: Draft, strict: bool = True) -> tuple[ParsedCourse | None, list[Problem]]:
    slug = draft.course.slug
    files = document_files(slug, draft.document, draft_media(draft))
    return check_files(slug, files, draft.document, strict)


def draft_problems(draft: Draft) -> list[Problem]:
    """Every problem standing in the way of publishing, as far as the checks can see.

    The loader stops at the course's first structural problem; then each lesson and quiz is also checked on its own
    (``item_problems``), so the author sees the first problem of every one of them at once.
    """
    parsed, problems = check_draft(draft)
    if parsed is not None:
        return problems
    seen = {(problem.file, problem.field, problem.message) for problem in problems}
    for item in documents.items(draft.document):
        for problem in item_problems(draft, item["kind"], item["slug"]):
            if (problem.file, problem.field, problem.message) not in seen:
                seen.add((problem.file, problem.field, problem.message))
                problems.append(problem)
    return problems


def item_problems(draft: Draft, kind: str, item_slug: str) -> list[Problem]:
    """What the checks would say about one lesson or quiz of the draft, before the rest of the course is done.

    The loader stops at a course's first problem, so the item is checked in a copy of the draft where every other
    item is a minimal valid stand-in: the same rules, about this item alone.
    """
    slug = draft.course.slug
    document = copy.deepcopy(draft.document)
    document["title"] = document.get("title") or {"en": slug}
    for module in document["modules"]:
        module["title"] = module.get("title") or {"en": module["slug"]}
        for position, item in enumerate(module["items"]):
            if (item["kind"], item["slug"]) != (kind, item_slug):
                module["items"][position] = _stand_in(item)
    files = document_files(slug, document, draft_media(draft))
    prefix = f"lessons/{item_slug}." if kind == "lesson" else f"quizzes/{item_slug}.yaml"
    _parsed, problems = check_files(slug, files, document)
    return [problem for problem in problems if problem.file.startswith(prefix)]


def _stand_in(item: dict) -> dict:
    both = {"en": "-", "zh-Hans": "-"}
    if item["kind"] == "lesson":
        return {"kind": "lesson", "slug": item["slug"], "title": both, "minutes": None, "source": both}
    return {"kind": item["kind"], "slug": item["slug"], "title": both,
            "quiz": {"questions": [{"id": "q1", "type": "true_false", "prompt": both, "answer": True}]}}


def _problem(error: CourseFileError, slug: str, files: dict[str, bytes], document: dict | None) -> Problem:
    path = Path(error.path)
    parts = path.parts[1:] if path.parts and path.parts[0] == slug else path.parts
    name = "/".join(parts)
    problem = Problem(file=name, line=error.line, field=error.field, message=error.message, place="outline")
    if name == "course.yaml":
        top = error.field.split(".")[0].split("[")[0]
        problem.place = "settings" if top in ("title", "summary", "audience", "label", "version") else "outline"
    elif name.startswith("lessons/") and name.endswith(".md"):
        stem = name[len("lessons/"):-len(".md")]
        problem.slug, _dot, problem.language = stem.rpartition(".")
        problem.place = "lesson"
        text = files.get(name, b"").decode("utf-8", "replace")
        header = _front_matter_lines(text)
        if error.line and header and error.line > header:
            problem.line = error.line - header  # a line of the text the author typed, not of the file
        elif error.line:
            problem.line = None
    elif name.startswith("quizzes/") and name.endswith(".yaml"):
        problem.slug, problem.place = name[len("quizzes/"):-len(".yaml")], "quiz"
        problem.question_id = _question_of(error.field, problem.slug, document)
        if problem.question_id:
            problem.place = "question"
        problem.line = None  # the author never sees the quiz file; the field and question say where
    elif name.startswith("media/"):
        problem.place = "media"
    return problem


def _front_matter_lines(text: str) -> int:
    if not text.startswith("---\n"):
        return 0
    end = text.find("\n---\n", 3)
    return text[:end + 5].count("\n") if end >= 0 else 0


def _question_of(field_name: str, quiz_slug: str, document: dict | None) -> str | None:
    found = re.match(r"questions(?:\[(\d+)\]|\.([a-z0-9-]+))", field_name or "")
    if not found:
        return None
    if found.group(2):
        return found.group(2)
    if document is None:
        return None
    try:
        quiz = documents.find_item(document, "quiz", quiz_slug)
        return quiz["quiz"]["questions"][int(found.group(1))].get("id")
    except (documents.DocumentError, IndexError, KeyError):
        return None


# --- publishing -------------------------------------------------------------------------------------------

@dataclass
class Published:
    version: CourseVersion
    moved_learners: int


def publish_draft(draft: Draft, user: User | None, note: str = "", move_learners: bool = False,
                  origin: str = "editor") -> Published:
    """Make the draft the course's next version, once it passes every check; the draft is then closed.

    Learners stay on their versions unless ``move_learners``. ``origin`` is "editor", or "import" for a zip
    published from the command line. Raises PublishBlocked (with the problems) or NothingToPublish.
    """
    course = draft.course
    parsed, problems = check_draft(draft)
    if problems or parsed is None:
        raise PublishBlocked(problems)
    latest = latest_version(course.id)
    if latest is not None and _same_as(latest, draft):
        raise NothingToPublish(_("The draft is the same as version %(number)d.", number=latest.number))
    media = draft_media(draft)
    outcome, version = publish_course(parsed, {name: media[name] for name in parsed.media})
    if outcome == "unchanged":
        raise NothingToPublish(_("The draft is the same as version %(number)d.", number=version.number))
    files = document_files(course.slug, draft.document, {})
    source = VersionSource(version_id=version.id, files={name: data.decode() for name, data in files.items()},
                           media=dict(parsed.media), origin=origin, published_by_id=user.id if user else None,
                           note=(note or "").strip()[:2000], created_at=utcnow())
    session.add(source)
    session.execute(update(DraftChange).where(DraftChange.course_id == course.id, DraftChange.version_id.is_(None))
                    .values(version_id=version.id))
    moved = move_learners_to(course, version, user) if move_learners else 0
    source.moved_learners = moved
    record_action(user.id if user else None, "course.publish", f"course:{course.slug}",
                  {"version": version.number, "moved_learners": moved})
    session.delete(draft)
    session.flush()
    return Published(version, moved)


def _same_as(version: CourseVersion, draft: Draft) -> bool:
    try:
        document, digests = version_document(version)
    except SourceUnavailable:
        return False
    return document == draft.document and digests == draft_media_digests(draft)


# --- learners and versions --------------------------------------------------------------------------------

def learners_per_version(course_ids: list[int]) -> dict[int, dict[int, int]]:
    """For each course, how many learners are enrolled on each of its versions: {course id: {version id: n}}."""
    counts: dict[int, dict[int, int]] = {course_id: {} for course_id in course_ids}
    if not course_ids:
        return counts
    for course_id, version_id, count in session.execute(
            select(Enrollment.course_id, Enrollment.version_id, func.count())
            .where(Enrollment.course_id.in_(course_ids)).group_by(Enrollment.course_id, Enrollment.version_id)):
        counts[course_id][version_id] = count
    return counts


def move_learners_to(course: Course, version: CourseVersion, user: User | None,
                     from_version: CourseVersion | None = None) -> int:
    """Move the course's learners (those on ``from_version``, or on any other version) to ``version``.

    Their progress on unchanged lessons stays: it is kept by activity IRIs, which no version changes. Returns how
    many moved. Raises AuthoringError when ``version`` is not a published version of this course.
    """
    if version.course_id != course.id or not version.is_published:
        raise AuthoringError(_("Learners can only be moved to a published version of this course."))
    query = update(Enrollment).where(Enrollment.course_id == course.id, Enrollment.version_id != version.id)
    if from_version is not None:
        query = query.where(Enrollment.version_id == from_version.id)
    moved = session.execute(query.values(version_id=version.id)).rowcount or 0
    if moved:
        record_action(user.id if user else None, "course.move_learners", f"course:{course.slug}",
                      {"to_version": version.number, "learners": moved,
                       "from_version": from_version.number if from_version else None})
    session.flush()
    return moved


def versions_query(course: Course):
    return (select(CourseVersion).where(CourseVersion.course_id == course.id, CourseVersion.is_published.is_(True))
            .order_by(CourseVersion.number.desc()))


def version_by_number(course: Course, number: int) -> CourseVersion | None:
    return session.execute(select(CourseVersion).filter_by(course_id=course.id, number=number, is_published=True)
                           ).scalar_one_or_none()


def version_sources(version_ids: list[int]) -> dict[int, VersionSource]:
    if not version_ids:
        return {}
    return {row.version_id: row for row in session.execute(
        select(VersionSource).where(VersionSource.version_id.in_(version_ids))).scalars()}


def version_changes(version_ids: list[int]) -> dict[int, list[DraftChange]]:
    found: dict[int, list[DraftChange]] = {version_id: [] for version_id in version_ids}
    if version_ids:
        for change in session.execute(select(DraftChange).where(DraftChange.version_id.in_(version_ids))
                                      .order_by(DraftChange.at)).scalars():
            found[change.version_id].append(change)
    return found


# --- what versions were made from -------------------------------------------------------------------------

def courses_folder() -> Path:
    """Where ``courses sync`` reads by default: LMS_COURSES_PATH, else ./courses."""
    configured = current_app.config.get("LMS_COURSES_PATH")
    return Path(configured) if configured else Path.cwd() / "courses"


def version_source(version: CourseVersion) -> VersionSource:
    """The files a version was made from. A version loaded by ``courses sync`` has them taken from the courses
    folder the first time, if its files there still hold exactly that version (and kept from then on).

    Raises SourceUnavailable otherwise.
    """
    source = session.get(VersionSource, version.id)
    if source is not None:
        return source
    course = session.get(Course, version.course_id)
    folder = courses_folder() / course.slug
    try:
        parsed = parse_course(folder) if (folder / "course.yaml").is_file() else None
    except CourseFileError:
        parsed = None
    if parsed is None or parsed.content_hash != version.content_hash:
        raise SourceUnavailable(_(
            "The files version %(number)d was made from are not stored: it was loaded from files that have changed "
            "since, or imported as a package. Import the course as a zip to edit it here.", number=version.number))
    names = ["course.yaml"]
    for item in parsed.items:
        if item.kind == "lesson":
            names += [f"lessons/{item.slug}.{language}.md" for language in item.source]
        else:
            names.append(f"quizzes/{item.slug}.yaml")
    files = {name: (folder / name).read_bytes().decode("utf-8") for name in names}
    source = VersionSource(version_id=version.id, files=files, media=dict(parsed.media), origin="files",
                           created_at=utcnow())
    session.add(source)
    session.flush()
    return source


def version_files(version: CourseVersion) -> dict[str, bytes]:
    """A published version as course files, images included. Raises SourceUnavailable."""
    source = version_source(version)
    files = {name: text.encode() for name, text in source.files.items()}
    for name, (content, _) in _stored_media(version.course_id, source.media).items():
        files[f"media/{name}"] = content
    return files


def version_document(version: CourseVersion) -> tuple[dict, dict[str, str]]:
    """A published version as a draft document, and its images' digests by name. Raises SourceUnavailable."""
    source = version_source(version)
    course = session.get(Course, version.course_id)
    try:
        parsed = parse_course_files(course.slug, version_files(version))
    except CourseFileError as error:
        raise SourceUnavailable(_("The stored files of version %(number)d cannot be read: %(error)s",
                                  number=version.number, error=str(error))) from None
    return documents.document_from_parsed(parsed), dict(source.media)


# --- diffs of lesson text ---------------------------------------------------------------------------------

@dataclass
class DiffRow:
    change: str  # "same", "removed", "added", "changed" or "skipped"
    old_number: int | None = None
    old_text: str = ""
    new_number: int | None = None
    new_text: str = ""
    skipped: int = 0  # lines left out of a long unchanged stretch


@dataclass
class LessonDiff:
    slug: str
    title: dict
    language: str
    status: str  # "added", "removed" or "changed"
    rows: list[DiffRow] = field(default_factory=list)


CONTEXT = 2


def lesson_diffs(old: dict | None, new: dict) -> list[LessonDiff]:
    """Line by line, the lesson texts (per language) that differ between two documents."""
    before = {item["slug"]: item for item in documents.items(old or {"modules": []}) if item["kind"] == "lesson"}
    after = {item["slug"]: item for item in documents.items(new) if item["kind"] == "lesson"}
    diffs = []
    for slug in list(after) + [slug for slug in before if slug not in after]:
        old_item, new_item = before.get(slug), after.get(slug)
        title = (new_item or old_item)["title"]
        for language in ("en", "zh-Hans"):
            old_text = ((old_item or {}).get("source") or {}).get(language, "")
            new_text = ((new_item or {}).get("source") or {}).get(language, "")
            if old_text == new_text:
                continue
            status = "added" if not old_text else "removed" if not new_text else "changed"
            diffs.append(LessonDiff(slug, title, language, status, _rows(old_text, new_text)))
    return diffs


def _rows(old_text: str, new_text: str) -> list[DiffRow]:
    a, b = old_text.splitlines(), new_text.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            span = i2 - i1
            if span > 2 * CONTEXT + 1:
                head = range(CONTEXT) if rows else range(0)
                tail = range(span - CONTEXT, span) if i2 < len(a) or j2 < len(b) else range(0)
                for offset in head:
                    rows.append(DiffRow("same", i1 + offset + 1, a[i1 + offset], j1 + offset + 1, b[j1 + offset]))
                rows.append(DiffRow("skipped", skipped=span - len(head) - len(tail)))
                for offset in tail:
                    rows.append(DiffRow("same", i1 + offset + 1, a[i1 + offset], j1 + offset + 1, b[j1 + offset]))
            else:
                rows += [DiffRow("same", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(span)]
        elif tag == "replace":
            for old_line, new_line in itertools.zip_longest(range(i1, i2), range(j1, j2)):
                if old_line is not None and new_line is not None:
                    rows.append(DiffRow("changed", old_line + 1, a[old_line], new_line + 1, b[new_line]))
                elif old_line is not None:
                    rows.append(DiffRow("removed", old_number=old_line + 1, old_text=a[old_line]))
                else:
                    rows.append(DiffRow("added", new_number=new_line + 1, new_text=b[new_line]))
        elif tag == "delete":
            rows += [DiffRow("removed", old_number=k + 1, old_text=a[k]) for k in range(i1, i2)]
        else:
            rows += [DiffRow("added", new_number=k + 1, new_text=b[k]) for k in range(j1, j2)]
    return rows


# --- co-authors -------------------------------------------------------------------------------------------

def authors_query(course: Course):
    return (select(CourseAuthor).where(CourseAuthor.course_id == course.id)
            .order_by(CourseAuthor.role.desc(), CourseAuthor.added_at, CourseAuthor.id))


def invite_coauthor(course: Course, inviter: User, email: str) -> CourseAuthor:
    """Make an existing author a co-author of the course.

    Raises AuthoringError (field "email") for an unknown address, an account without the author role, or someone
    who already writes this course.
    """
    invited = find_user(email or "")
    if invited is None or not invited.is_active_account:
        raise AuthoringError(_("No account has this e-mail address. Ask an administrator to create an author "
                               "account first."), "email")
    if not invited.has_role("author"):
        raise AuthoringError(_("This account is not an author. An administrator can give it the author role."),
                             "email")
    if session.execute(select(CourseAuthor.id).filter_by(course_id=course.id, user_id=invited.id)).first():
        raise AuthoringError(_("This person already writes this course."), "email")
    author = CourseAuthor(course_id=course.id, user_id=invited.id, role=COAUTHOR, added_by_id=inviter.id,
                          added_at=utcnow())
    session.add(author)
    record_action(inviter.id, "course.coauthor_add", f"course:{course.slug}", {"email": invited.email})
    session.flush()
    return author


def remove_coauthor(course: Course, remover: User, user_id: int) -> User:
    """Raises AuthoringError for someone who is not a co-author of the course (the owner cannot be removed)."""
    author = session.execute(select(CourseAuthor).filter_by(course_id=course.id, user_id=user_id, role=COAUTHOR)
                             ).scalar_one_or_none()
    if author is None:
        raise AuthoringError(_("This person is not a co-author of this course."))
    removed = author.user
    session.delete(author)
    record_action(remover.id, "course.coauthor_remove", f"course:{course.slug}", {"email": removed.email})
    session.flush()
    return removed


# --- the authors' list of courses -------------------------------------------------------------------------

@dataclass
class CourseRow:
    course: Course
    latest: CourseVersion | None
    draft: Draft | None
    role: str | None
    learners: dict[int, int]  # version number -> learners on it


def course_rows(user: User, courses: list[Course]) -> list[CourseRow]:
    """Status of each course for the authors' list: newest version, draft, the user's part, learners per version."""
    ids = [course.id for course in courses]
    if not ids:
        return []
    drafts = {draft.course_id: draft for draft in session.execute(
        select(Draft).where(Draft.course_id.in_(ids))).scalars()}
    versions: dict[int, list[CourseVersion]] = {course_id: [] for course_id in ids}
    for version in session.execute(select(CourseVersion).where(CourseVersion.course_id.in_(ids),
                                                               CourseVersion.is_published.is_(True))
                                   .order_by(CourseVersion.number)).scalars():
        versions[version.course_id].append(version)
    roles = dict(session.execute(select(CourseAuthor.course_id, CourseAuthor.role)
                                 .where(CourseAuthor.course_id.in_(ids), CourseAuthor.user_id == user.id)).all())
    counts = learners_per_version(ids)
    rows = []
    for course in courses:
        numbers = {version.id: version.number for version in versions[course.id]}
        rows.append(CourseRow(
            course=course, latest=versions[course.id][-1] if versions[course.id] else None,
            draft=drafts.get(course.id), role=roles.get(course.id) or ("admin" if is_admin(user) else None),
            learners={numbers[v]: n for v, n in sorted(counts[course.id].items()) if v in numbers},
        ))
    return rows


# --- pending imports --------------------------------------------------------------------------------------

def keep_upload(user: User, filename: str, content: bytes) -> PendingImport:
    """Keep an uploaded zip until its author confirms the import; uploads older than a day are dropped."""
    session.execute(delete(PendingImport).where(or_(
        PendingImport.created_at < utcnow() - _DAY, PendingImport.user_id == user.id)))
    pending = PendingImport(user_id=user.id, filename=(filename or "")[:255], content=content, created_at=utcnow())
    session.add(pending)
    session.flush()
    return pending


def pending_upload(user: User, token: str) -> PendingImport | None:
    return session.execute(select(PendingImport).filter_by(token=token, user_id=user.id)).scalar_one_or_none()


def drop_upload(pending: PendingImport) -> None:
    session.delete(pending)
    session.flush()

