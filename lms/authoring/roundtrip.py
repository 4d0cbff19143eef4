"""Courses as zips of the courses/ format, both ways: export a version or a draft, import a zip as a draft.

A zip holds one course folder, ``<slug>/course.yaml``, ``<slug>/lessons/*.md``, ``<slug>/quizzes/*.yaml`` and
``<slug>/media/*`` (a zip of the folder's contents, with ``slug:`` in course.yaml, is read too). It is opened by
``scorm.package`` (the one place that reads uploaded archives: no path traversal, no links, limits on entries,
sizes and compression ratio), and checked by ``catalog.loader``, the same rules as ``flask lms courses sync``.

An export is byte-for-byte stable (sorted names, fixed times), and exporting then importing gives a draft with
the same content hash as the version exported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import yaml
from sqlalchemy import select

from lms.accounts.models import User
from lms.authoring import documents, images, services
from lms.authoring.models import OWNER, CourseAuthor, Draft, DraftMedia
from lms.catalog.loader import IMAGE_TYPES, SLUG, ParsedCourse, media_digest
from lms.catalog.models import Course, CourseMedia, CourseVersion
from lms.catalog.services import course_by_slug, latest_version
from lms.core.audit import record_action
from lms.core.i18n import _
from lms.db import session, utcnow
from scorm.package import Package, PackageError

MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class CourseZipError(services.AuthoringError):
    """A zip that cannot be imported, in words the author can act on."""


# --- export -----------------------------------------------------------------------------------------------

def zip_course(slug: str, files: dict[str, bytes]) -> bytes:
    """The files as a zip of one course folder ``<slug>/``; the same files always give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{slug}/{name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


def export_version(version: CourseVersion) -> bytes:
    """A published version as a zip. Raises SourceUnavailable when its files are not stored."""
    course = session.get(Course, version.course_id)
    return zip_course(course.slug, services.version_files(version))


def export_draft(draft: Draft) -> bytes:
    """The draft as a zip, as it is (an unfinished draft exports unfinished)."""
    slug = draft.course.slug
    return zip_course(slug, services.document_files(slug, draft.document, services.draft_media(draft)))


# --- reading a zip ----------------------------------------------------------------------------------------

def read_zip(data: bytes) -> tuple[str, dict[str, bytes], list[str]]:
    """The course in a zip: its slug, its files by relative name, and warnings (files left out).

    Raises CourseZipError for an unreadable or unsafe zip, or one that does not hold exactly one course.
    """
    if len(data) > MAX_ZIP_BYTES:
        raise CourseZipError(_("The zip is larger than %(num)d MB.", num=MAX_ZIP_BYTES // (1024 * 1024)))
    try:
        with Package.open(data, max_entries=MAX_ENTRIES, max_file_bytes=MAX_FILE_BYTES,
                          max_total_bytes=MAX_TOTAL_BYTES) as package:
            names = package.names
            warnings = list(package.warnings)
            root = _root(names)
            files, ignored = {}, []
            for name in names:
                relative = name[len(root):] if root else name
                if not name.startswith(root) or not _belongs(relative):
                    ignored.append(name)
                    continue
                files[relative] = package.read(name)
    except PackageError as error:
        # scorm.package speaks of SCORM packages; here the archive is a course zip.
        raise CourseZipError(str(error).replace("as a SCORM package", "as a course zip")) from None
    if ignored:
        warnings.append("Left out files that are not part of the course format: " + ", ".join(ignored[:10])
                        + (" ..." if len(ignored) > 10 else ""))
    slug = root.rstrip("/") if root else _slug_in(files.get("course.yaml", b""))
    if not SLUG.match(slug or "") or len(slug) > 100:
        raise CourseZipError(_("“%(slug)s” is not a course short name (lower-case letters, digits and hyphens). "
                               "Name the course folder in the zip after the course.", slug=slug))
    return slug, files, warnings


def _root(names: list[str]) -> str:
    if "course.yaml" in names:
        return ""
    roots = {name.split("/", 1)[0] for name in names if "/" in name}
    candidates = sorted(root for root in roots if f"{root}/course.yaml" in names)
    if not candidates:
        raise CourseZipError(_("The zip holds no course.yaml. Export the course again, or zip its folder (the "
                               "one holding course.yaml, lessons/ and quizzes/)."))
    if len(candidates) > 1:
        raise CourseZipError(_("The zip holds more than one course (%(names)s). Import one course at a time.",
                               names=", ".join(candidates)))
    return candidates[0] + "/"


def _belongs(name: str) -> bool:
    folder, _slash, rest = name.partition("/")
    if name == "course.yaml":
        return True
    if folder == "lessons":
        return rest.endswith(".md") and "/" not in rest
    if folder == "quizzes":
        return rest.endswith(".yaml") and "/" not in rest
    return folder == "media" and bool(rest)


def _slug_in(course_yaml: bytes) -> str:
    try:
        data = yaml.safe_load(course_yaml.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        data = None
    slug = data.get("slug") if isinstance(data, dict) else None
    if not isinstance(slug, str):
        raise CourseZipError(_("The zip holds course.yaml at its top level without a slug: line. Zip the course "
                               "folder itself (named after the course), or add slug: to course.yaml."))
    return slug


# --- import -----------------------------------------------------------------------------------------------

@dataclass
class ImportPlan:
    """What importing a zip would do, worked out before anything changes."""

    slug: str
    course: Course | None  # None: a new course
    parsed: ParsedCourse
    document: dict
    media: dict[str, tuple[bytes, str]]  # name -> (bytes, content type), images re-encoded unless already known
    changes: documents.Changes
    compared_with: str | None  # "draft", "version" or None (a new course)
    compared_version: int | None
    translations: list[services.Problem] = field(default_factory=list)  # missing Chinese: fine for a draft
    warnings: list[str] = field(default_factory=list)

    @property
    def replaces_draft(self) -> bool:
        return self.compared_with == "draft"


def plan_import(data: bytes, user: User | None) -> ImportPlan:
    """Read, clean and check a course zip, and compare it with the course's draft (or newest version).

    ``user`` None is the command line (an administrator's). Raises CourseZipError for a zip that cannot be
    imported: unsafe or unreadable, a course the user may not edit, or content the loader refuses (the problem
    named in ``problems``).
    """
    slug, files, warnings = read_zip(data)
    course = course_by_slug(slug)
    if course is not None and user is not None and not services.can_edit(user, course):
        raise CourseZipError(_("A course with the short name “%(slug)s” already exists and you are not one of "
                               "its authors. Ask its owner to invite you, or give the course another short name.",
                               slug=slug))
    known = _known_digests(course)
    media = {}
    for name in [name for name in files if name.startswith("media/")]:
        image_name = name[len("media/"):]
        content = files[name]
        if "/" in image_name:
            continue  # the loader names the nested folder as the problem
        if media_digest(content) in known:
            # Already held for this course (so already cleaned): kept byte for byte, so a re-import is identical.
            content_type = IMAGE_TYPES.get(_suffix(image_name), "application/octet-stream")
        else:
            try:
                _name, content, content_type = images.sanitise(image_name, content, keep_name=True)
            except images.ImageError as error:
                raise CourseZipError(f"media/{image_name}: {error}") from None
        files[name] = content
        media[image_name] = (content, content_type)
    parsed, problems = services.check_files(slug, files, strict=True)
    if parsed is None:
        problem = problems[0]
        where = _("%(file)s, line %(line)d", file=problem.file, line=problem.line) if problem.line else problem.file
        raise CourseZipError(f"{where}: {problem.field}: {problem.message}")
    document = documents.document_from_parsed(parsed)
    compared_with, compared_version, old, old_media = None, None, None, None
    if course is not None:
        draft = services.draft_for(course)
        latest = latest_version(course.id)
        if draft is not None:
            compared_with, old, old_media = "draft", draft.document, services.draft_media_digests(draft)
        elif latest is not None:
            compared_with, compared_version = "version", latest.number
            try:
                old, old_media = services.version_document(latest)
            except services.SourceUnavailable:
                old, old_media = None, None
    return ImportPlan(slug=slug, course=course, parsed=parsed, document=document, media=media,
                      changes=documents.compare(old, document, old_media, dict(parsed.media)),
                      compared_with=compared_with, compared_version=compared_version, translations=problems,
                      warnings=warnings)


def apply_import(plan: ImportPlan, user: User | None) -> Draft:
    """Make the plan so: the imported course becomes the draft (replacing any draft), of a new course owned by
    ``user`` if the short name is new. Nothing is published. Returns the draft."""
    course = plan.course
    if course is None:
        course = Course(slug=plan.slug)
        session.add(course)
        session.flush()
        if user is not None:
            session.add(CourseAuthor(course_id=course.id, user_id=user.id, role=OWNER, added_by_id=user.id))
    draft = services.draft_for(course)
    latest = latest_version(course.id)
    if draft is None:
        draft = Draft(course_id=course.id, document=plan.document, base_version_id=latest.id if latest else None,
                      created_by_id=user.id if user else None, created_at=utcnow())
        session.add(draft)
        session.flush()
    else:
        draft.document = plan.document
        draft.base_version_id = latest.id if latest else None
        for media in list(draft.media):
            session.delete(media)
        session.flush()
    draft.updated_by_id, draft.updated_at = (user.id if user else None), utcnow()
    for name, (content, content_type) in plan.media.items():
        session.add(DraftMedia(draft_id=draft.id, name=name, digest=media_digest(content), content=content,
                               content_type=content_type))
    services.record_change(course, user, "course.import", plan.slug)
    record_action(user.id if user else None, "course.import", f"course:{plan.slug}",
                  {"new_course": plan.course is None})
    session.flush()
    session.refresh(draft)
    return draft


def _known_digests(course: Course | None) -> set[str]:
    if course is None:
        return set()
    known = set(session.execute(select(CourseMedia.digest).filter_by(course_id=course.id)).scalars())
    draft = services.draft_for(course)
    if draft is not None:
        known |= set(services.draft_media_digests(draft).values())
    return known


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
