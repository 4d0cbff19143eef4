"""Launchable content: importing cmi5 and Tin Can packages as course versions, launching them, and the LMS's own cmi5
statements (satisfied, abandoned, waived).

A launch writes ``LMS.LaunchData`` and the learner preferences, records ``launched`` and returns the AU's URL with
the launch parameters; the AU trades the one-time fetch token for an LRS credential limited to its learner,
registration and session; the LRS applies the cmi5 rules (``cmi5_rules``) to what the AU sends; and whenever the
progress projection moves for an AU, ``on_progress_changed`` records ``satisfied`` for the AU, its blocks and its
course once their moveOn criteria are met, which makes the AU count as done (``learning.services.is_item_done``).

Plain functions: they flush; the view or command commits once. URLs come from the caller (``Links``): services
never look at the request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, g
from sqlalchemy import delete, select, update

from lms.accounts.models import User
from lms.catalog.models import Course, CourseVersion
from lms.catalog.outline import ItemOutline, VersionOutline, forget_outlines, outline
from lms.catalog.services import (
    ImportedCourse,
    ImportedItem,
    ImportedModule,
    course_by_slug,
    imported_modules,
    latest_version,
    store_imported_course,
)
from lms.core.slugs import short_hash, slugify, unique_slug
from lms.db import new_uuid, session, utcnow
from lms.launch import cmi5, packages, statements, tincan
from lms.launch.cmi5 import LAUNCH_MODES, PackageInvalid
from lms.launch.models import ContentPackage, LaunchSession, LaunchStructure
from lms.learning import activities
from lms.learning.models import Enrollment
from lms.learning.services import actor, enroll, enrollment_for, enrollments_for_changes, learner_key, move_on_met
from lms.signals import ProgressChange
from lms.tracking import statements as build
from lms.tracking.models import Statement
from lms.tracking.services import actor_key, record
from lms.tracking.vocabulary import CMI5, Verb
from lms.xapi import documents
from lms.xapi.credentials import LAUNCH_MINUTES, create_launch_credential, revoke_client
from lms.xapi.models import LRSClient

__all__ = ["PackageInvalid", "LaunchError", "Links", "import_package", "launch_au", "launch_tincan",
           "fetch_auth_token", "abandon_session", "abandon_stale", "waive", "evaluate_satisfaction",
           "delete_course"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LAUNCH_DATA = "LMS.LaunchData"
LEARNER_PREFERENCES = "cmi5LearnerPreferences"
DEFAULT_SESSION_TIMEOUT_MINUTES = LAUNCH_MINUTES  # a session idle this long is abandoned by `cmi5 abandon-stale`


class LaunchError(Exception):
    """A launch action that cannot be carried out now: not a launchable item, a bad launch mode or target course,
    a session that has already ended, an AU already waived."""


# --- IRIs the LMS generates (cmi5 8.1, 9.3.9: never the publisher's own ids) ----------------------------------


def structure_key(publisher_id: str) -> str:
    """The key of a package's structure inside a course (the first 16 hex digits of its id's SHA-256)."""
    return short_hash(publisher_id)


def au_iri(course_slug: str, item: ItemOutline) -> str:
    """The activityId the LMS gives an AU: the item's IRI, the same for every registration and version."""
    return activities.item_iri(course_slug, item)


def cmi5_course_iri(course_slug: str, key: str) -> str:
    """The id the LMS gives a cmi5 course of a package (its ``satisfied`` object), under the LMS course's IRI."""
    return f"{activities.course_iri(course_slug)}/cmi5/{key}"


def block_iri(course_slug: str, key: str, block_id: str) -> str:
    """The id the LMS gives a cmi5 block (its ``satisfied`` object)."""
    return f"{cmi5_course_iri(course_slug, key)}/block/{short_hash(block_id)}"


# --- importing ------------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    course: Course
    version_id: int
    outcome: str  # "created", "updated" or "unchanged"
    kind: str  # "cmi5" or "tincan"
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Parsed:
    kind: str
    publisher_id: str
    title: dict[str, str]  # catalog language map
    summary: dict[str, str]
    structure: dict
    build_modules: Callable[[set[str]], list[ImportedModule]]
    warnings: list[str]


def import_package(data: bytes, *, filename: str = "", course_slug: str | None = None,
                   uploaded_by: User | None = None) -> ImportResult:
    """Import a cmi5 package (a zip with cmi5.xml at its root, or a bare cmi5.xml whose AUs have absolute URLs) or a
    Tin Can package (tincan.xml) as a new version of a course.

    Without ``course_slug`` the package becomes its own course (a new version of the course it was imported as
    before, if any). With it, its modules are added to that course's newest version (replacing the modules of an
    earlier import of the same package), or a new course with that slug is made. Raises PackageInvalid naming the
    broken rule, or LaunchError for a bad ``course_slug``; nothing is stored then. Flushes.
    """
    if not data:
        raise PackageInvalid("cmi5 14.0: a course package is a zip or a cmi5.xml", "the upload is empty")
    if course_slug is not None and not SLUG.match(course_slug):
        raise LaunchError(f"{course_slug!r} is not a course slug (lower-case letters, digits and single hyphens)")
    sha = packages.digest(data)
    stored = None
    if packages.is_zip(data):
        try:
            with packages.open_zip(data) as package:
                parsed = _parse_zip(package, set(package.names), sha)
                imported = _next_version(parsed, course_slug)  # its last refusals come before any file is written
                stored = packages.store_files(package, sha)
        except packages.PackageError as error:
            raise PackageInvalid("cmi5 14.1: a course package is a zip that can be read safely", str(error)) from None
    else:
        parsed = _parse_xml(data)
        imported = _next_version(parsed, course_slug)
    version, outcome = store_imported_course(imported)
    if outcome != "unchanged":
        row = _package_row(sha, parsed.kind, filename, len(data), stored, uploaded_by)
        _carry_structures(version.id, parsed, row)
    return ImportResult(course=course_by_slug(imported.slug), version_id=version.id, outcome=outcome,
                        kind=parsed.kind, warnings=parsed.warnings)


def _parse_zip(package: packages.Package, names: set[str], sha: str) -> _Parsed:
    if "cmi5.xml" in names:
        course = cmi5.parse_course_structure(package.read("cmi5.xml"), package_names=names, xsd_path=_xsd_path())
        return _from_cmi5(course, sha)
    if "tincan.xml" in names:
        return _from_tincan(tincan.parse_tincan(package.read("tincan.xml"), package_names=names), sha)
    nested = sorted(name for name in names if name.endswith("/cmi5.xml"))
    hint = f" (it is at {nested[0]}: zip the contents of that folder, not the folder)" if nested else ""
    raise PackageInvalid("cmi5 14.1: a course package is a zip with cmi5.xml at its root",
                         f"the zip has no cmi5.xml (or tincan.xml) at its root{hint}")


def _parse_xml(data: bytes) -> _Parsed:
    try:
        root = packages.read_xml(data, "the uploaded file")
    except packages.PackageError as error:
        raise PackageInvalid("cmi5 14.2: a course structure without a zip is a cmi5.xml file", str(error)) from None
    if root.tag == f"{{{tincan.NS}}}tincan":
        return _from_tincan(tincan.parse_tincan(data, package_names=None), None)
    return _from_cmi5(cmi5.parse_course_structure(data, package_names=None, xsd_path=_xsd_path()), None)


def _xsd_path() -> str:
    return current_app.config.get("LMS_CMI5_XSD") or str(cmi5.DEFAULT_XSD)


def _from_cmi5(course: cmi5.Course, sha: str | None) -> _Parsed:
    key = structure_key(course.id)
    by_id = {au.id: au for au in course.aus}

    def build_modules(taken: set[str]) -> list[ImportedModule]:
        modules = []
        for plan in course.plan:
            title = cmi5.joined_title(plan.title_path)
            items = [ImportedItem(kind="au", slug=f"au-{short_hash(au_id, 12)}",
                                  title=cmi5.catalog_text(by_id[au_id].title),
                                  launch=_au_launch(by_id[au_id], sha, key))
                     for au_id in plan.au_ids]
            modules.append(ImportedModule(slug=unique_slug(slugify(title["en"]) or "module", taken), title=title,
                                          items=items))
        return modules

    structure = {
        "blocks": [{"id": block.id, "title": block.title, "description": block.description,
                    "objectives": block.objectives, "parent": block.parent, "au_ids": block.au_ids}
                   for block in course.blocks],
        "objectives": course.objectives,
        "description": course.description,
    }
    return _Parsed(kind="cmi5", publisher_id=course.id, title=cmi5.catalog_text(course.title),
                   summary=cmi5.catalog_text(course.description), structure=structure,
                   build_modules=build_modules, warnings=course.warnings)


def _au_launch(au: cmi5.AU, sha: str | None, key: str) -> dict:
    return {"kind": "au", "structure": key, "package": sha if au.is_relative else None, "url": au.url,
            "publisher_id": au.id, "index": au.index, "title": au.title, "description": au.description,
            "move_on": au.move_on, "mastery_score": au.mastery_score, "launch_method": au.launch_method,
            "launch_parameters": au.launch_parameters, "entitlement_key": au.entitlement_key,
            "activity_type": au.activity_type, "objectives": au.objectives, "blocks": au.blocks}


def _from_tincan(package: tincan.TinCanPackage, sha: str | None) -> _Parsed:
    course = package.course
    key = structure_key(course.id)
    title = cmi5.catalog_text(course.name)

    def build_modules(taken: set[str]) -> list[ImportedModule]:
        items = [ImportedItem(kind="tincan", slug=f"tc-{short_hash(activity.id, 12)}",
                              title=cmi5.catalog_text(activity.name),
                              launch={"kind": "tincan", "structure": key, "url": activity.url,
                                      "package": sha if activity.is_relative else None,
                                      "activity_id": activity.id, "activity_type": activity.type,
                                      "name": activity.name})
                 for activity in package.launchable]
        return [ImportedModule(slug=unique_slug(slugify(title["en"]) or "module", taken), title=title,
                               items=items)]

    return _Parsed(kind="tincan", publisher_id=course.id, title=title,
                   summary=cmi5.catalog_text(course.description) if course.description else dict(title),
                   structure={"activities": [activity.id for activity in package.launchable]},
                   build_modules=build_modules, warnings=package.warnings)


def _next_version(parsed: _Parsed, course_slug: str | None) -> ImportedCourse:
    """The content of the next version of the course the package goes into."""
    key = structure_key(parsed.publisher_id)
    course = course_by_slug(course_slug) if course_slug else _course_with_structure(key)
    latest = latest_version(course.id) if course is not None else None
    if latest is None:
        slug = course_slug or unique_slug(slugify(parsed.title["en"]) or f"course-{key[:8]}",
                                           set(session.execute(select(Course.slug)).scalars()))
        return ImportedCourse(slug=slug, title=parsed.title, summary=parsed.summary,
                              modules=parsed.build_modules(set()))
    kept, insert_at = [], None
    for module in imported_modules(latest.id):
        if module.items and all((item.launch or {}).get("structure") == key for item in module.items):
            insert_at = len(kept) if insert_at is None else insert_at
            continue  # the same package imported before: its modules are replaced
        kept.append(module)
    new = parsed.build_modules({module.slug for module in kept})
    clash = {item.slug for module in kept for item in module.items} & {item.slug for module in new
                                                                        for item in module.items}
    if clash:
        raise PackageInvalid("cmi5 13.1.4: an AU id is unique within the course",
                             f"the course {course.slug} already holds an AU or activity of this package from "
                             "another package")
    modules = kept + new if insert_at is None else kept[:insert_at] + new + kept[insert_at:]
    return ImportedCourse(slug=course.slug, title=dict(latest.title), summary=dict(latest.summary),
                          modules=modules, audience=list(latest.audience), label=latest.label)


def _course_with_structure(key: str) -> Course | None:
    """The course whose newest version holds this package structure (a re-import updates it)."""
    course_ids = session.execute(select(CourseVersion.course_id).join(
        LaunchStructure, LaunchStructure.version_id == CourseVersion.id).where(LaunchStructure.key == key)
        .distinct()).scalars().all()
    for course_id in course_ids:
        latest = latest_version(course_id)
        if latest is not None and session.execute(select(LaunchStructure.id).filter_by(
                version_id=latest.id, key=key)).first():
            return session.get(Course, course_id)
    return None


def _package_row(sha: str, kind: str, filename: str, size: int, stored: packages.StoredPackage | None,
                 uploaded_by: User | None) -> ContentPackage:
    row = session.execute(select(ContentPackage).filter_by(sha256=sha)).scalar_one_or_none()
    if row is None:
        row = ContentPackage(sha256=sha, kind=kind, filename=(filename or "")[:255], size_bytes=size,
                             file_count=stored.file_count if stored else 0, has_files=stored is not None,
                             uploaded_by_id=uploaded_by.id if uploaded_by else None)
        session.add(row)
        session.flush()
    return row


def _carry_structures(version_id: int, parsed: _Parsed, package: ContentPackage) -> None:
    """Give the new version its structures: the imported one, and those of the previous version it still uses."""
    carry_structures(LaunchStructure(
        version_id=version_id, package_id=package.id, kind=parsed.kind, key=structure_key(parsed.publisher_id),
        publisher_id=parsed.publisher_id, title=parsed.title, structure=parsed.structure))


def carry_structures(imported: LaunchStructure) -> None:
    """Add ``imported`` (a package structure just imported into a new course version) and copies of the structures
    of earlier versions of the course (SCORM, cmi5 or Tin Can) that the new version's items still use, newest
    first, one per key."""
    version_id = imported.version_id
    version_outline = outline(version_id)
    used = {(item.launch or {}).get("structure") for item in version_outline.items} - {None}
    earlier = session.execute(select(LaunchStructure).join(
        CourseVersion, LaunchStructure.version_id == CourseVersion.id).where(
        CourseVersion.course_id == version_outline.course.id, LaunchStructure.version_id != version_id)
        .order_by(LaunchStructure.version_id.desc())).scalars().all()
    carried = {imported.key}
    for structure in earlier:
        if structure.key in used and structure.key not in carried:
            carried.add(structure.key)
            session.add(LaunchStructure(version_id=version_id, package_id=structure.package_id, kind=structure.kind,
                                        key=structure.key, publisher_id=structure.publisher_id,
                                        title=structure.title, structure=structure.structure))
    session.add(imported)
    session.flush()


def structures(version_id: int) -> list[LaunchStructure]:
    """The package structures a course version holds, in import order."""
    return list(session.execute(select(LaunchStructure).filter_by(version_id=version_id)
                                .order_by(LaunchStructure.id)).scalars())


# --- launching ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Links:
    """The absolute URLs a launch hands to content, made by the caller (a view knows the address it is served at).

    ``endpoint`` is the LRS root without a trailing slash: the cmi5.js library most AUs ship appends
    ``/activities/state`` itself, and a doubled slash would cost every request a redirect (which a cross-origin
    preflight cannot follow).
    """

    endpoint: str
    fetch: Callable[[str], str]  # fetch token -> fetch URL
    package_file: Callable[[str, str], str]  # package digest, file path -> its URL
    returned: Callable[[str], str]  # session id -> the return URL


@dataclass
class Launch:
    url: str
    session: LaunchSession
    is_own_window: bool


def launch_actor(user: User) -> dict:
    """The learner as the launch URL names them: their LMS account, without their name (a URL ends up in logs and
    browser history; cmi5 8.1 asks for no personal data there)."""
    return build.agent(activities.base_url(), user.public_id)


def _content_url(launch: dict, links: Links) -> str:
    """The AU's or activity's URL, absolute, with its own query string and without any launch parameter."""
    if launch.get("package"):
        parts = urlsplit(launch["url"])
        base = links.package_file(launch["package"], parts.path)
        return urlunsplit(urlsplit(base)._replace(query=parts.query, fragment=parts.fragment))
    return launch["url"]


def _with_parameters(url: str, parameters: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + parameters
    return urlunsplit(parts._replace(query=urlencode(query)))


def _au_target(version: VersionOutline, item: ItemOutline) -> statements.Target:
    launch = item.launch
    return statements.Target(iri=au_iri(version.course.slug, item), publisher_id=launch["publisher_id"],
                             name=cmi5.xapi_language_map(launch.get("title") or item.title),
                             type=launch.get("activity_type"))


def _version_item(enrollment: Enrollment, item_id: int) -> tuple[VersionOutline, ItemOutline]:
    version = outline(enrollment.version_id)
    found = next((item for item in version.items if item.id == item_id), None)
    if found is None:
        raise LaunchError("this item is not part of the learner's version of the course")
    return version, found


def launch_au(user: User, enrollment: Enrollment, item: ItemOutline, links: Links, *, launch_mode: str = "Normal",
              return_url: str | None = None, origin: str = "lms") -> Launch:
    """Launch a cmi5 AU for a learner (cmi5 8, 10, 11): end their open sessions as abandoned, write LMS.LaunchData
    and cmi5LearnerPreferences, record ``launched``, and return the AU URL with endpoint, fetch, actor,
    registration and activityId.

    Raises LaunchError for an item that is not an AU of the learner's version, or an unknown launch mode.
    """
    if (item.launch or {}).get("kind") != "au":
        raise LaunchError("this item is not a cmi5 assignable unit")
    if launch_mode not in LAUNCH_MODES:
        raise LaunchError(f"unknown launch mode {launch_mode!r} (use {', '.join(LAUNCH_MODES)})")
    version, item = _version_item(enrollment, item.id)
    abandon_open_sessions(enrollment.registration)
    launch = item.launch
    target = _au_target(version, item)
    session_id, token = new_uuid(), secrets.token_urlsafe(32)
    row = LaunchSession(session_id=session_id, kind="cmi5", user_id=user.id, enrollment_id=enrollment.id,
                        registration=enrollment.registration, item_id=item.id, activity_id=target.iri,
                        publisher_id=launch["publisher_id"], launch_mode=launch_mode, move_on=launch["move_on"],
                        mastery_score=launch.get("mastery_score"), origin=origin,
                        fetch_token_hash=_token_hash(token), launched_at=utcnow())
    session.add(row)
    session.flush()
    learner = launch_actor(user)
    _write_launch_data(learner, target, enrollment.registration, launch, session_id, launch_mode,
                       return_url or links.returned(session_id))
    _write_learner_preferences(learner, user)
    content_url = _content_url(launch, links)
    record([statements.launched(actor(user), target, enrollment.registration, session_id, launch_mode=launch_mode,
                                launch_url=content_url, move_on=launch["move_on"],
                                mastery_score=launch.get("mastery_score"),
                                launch_parameters=launch.get("launch_parameters"))])
    url = _with_parameters(content_url, [
        ("endpoint", links.endpoint), ("fetch", links.fetch(token)),
        ("actor", json.dumps(learner, separators=(",", ":"))), ("registration", enrollment.registration),
        ("activityId", target.iri)])
    return Launch(url=url, session=row, is_own_window=launch.get("launch_method") == "OwnWindow")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _write_launch_data(learner: dict, target: statements.Target, registration: str, launch: dict, session_id: str,
                       launch_mode: str, return_url: str) -> None:
    """LMS.LaunchData (cmi5 10.0), in the State resource under the AU's activityId, learner and registration."""
    data = {"contextTemplate": statements.context_template(session_id, target.publisher_id),
            "launchMode": launch_mode, "launchMethod": launch.get("launch_method", "AnyWindow"),
            "moveOn": launch["move_on"], "returnURL": return_url}
    if launch.get("mastery_score") is not None:
        data["masteryScore"] = launch["mastery_score"]
    if launch.get("launch_parameters") is not None:
        data["launchParameters"] = launch["launch_parameters"]
    if launch.get("entitlement_key") is not None:
        data["entitlementKey"] = {"courseStructure": launch["entitlement_key"]}
    address = documents.DocumentAddress(resource=documents.STATE, activity_id=target.iri,
                                        agent_key=actor_key(learner), registration=registration,
                                        document_id=LAUNCH_DATA)
    documents.put_document(address, _json(data), documents.Preconditions())


def _json(data: dict) -> documents.Content:
    return documents.Content(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                             "application/json")


def _write_learner_preferences(learner: dict, user: User) -> None:
    """cmi5LearnerPreferences (cmi5 11.0): the learner's language from their account; an audio choice already
    there is kept."""
    language = "zh-Hans,zh-CN,en" if user.language == "zh-Hans" else "en,en-US"
    address = documents.DocumentAddress(resource=documents.AGENT_PROFILE, agent_key=actor_key(learner),
                                        document_id=LEARNER_PREFERENCES)
    existing = documents.find_document(address)
    preferences = {"languagePreference": language, "audioPreference": "on"}
    if existing is not None:
        try:
            stored = json.loads(existing.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            stored = {}
        if isinstance(stored, dict) and stored.get("audioPreference") in ("on", "off"):
            preferences["audioPreference"] = stored["audioPreference"]
        documents.put_document(address, _json(preferences), documents.Preconditions(if_match=existing.etag))
    else:
        documents.put_document(address, _json(preferences), documents.Preconditions(if_none_match="*"))


def launch_tincan(user: User, enrollment: Enrollment, item: ItemOutline, links: Links, origin: str = "lms") -> Launch:
    """Launch a Tin Can activity: a per-launch LRS credential for the learner's registration, and the activity URL
    with endpoint, auth, actor, registration and activity_id. Raises LaunchError for an item of another kind."""
    if (item.launch or {}).get("kind") != "tincan":
        raise LaunchError("this item is not a Tin Can activity")
    version, item = _version_item(enrollment, item.id)
    abandon_open_sessions(enrollment.registration)
    client, secret = create_launch_credential(user.id, enrollment.registration)
    row = LaunchSession(session_id=new_uuid(), kind="tincan", user_id=user.id, enrollment_id=enrollment.id,
                        registration=enrollment.registration, item_id=item.id,
                        activity_id=item.launch["activity_id"], origin=origin, lrs_client_id=client.id,
                        launched_at=utcnow(), fetched_at=utcnow())
    session.add(row)
    session.flush()
    authorization = "Basic " + base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    url = tincan.launch_url(_content_url(item.launch, links), endpoint=links.endpoint + "/",
                            authorization=authorization, actor=launch_actor(user),
                            registration=enrollment.registration, activity_id=item.launch["activity_id"])
    return Launch(url=url, session=row, is_own_window=False)


def fetch_auth_token(token: str) -> dict:
    """The fetch URL's answer (cmi5 8.2): the first time, ``{"auth-token": ...}`` (Basic credentials limited to the
    session's learner, registration and session); after that, for an ended session or an unknown token, the spec's
    error JSON (code 1: already used or expired; 2: not a valid token)."""
    row = session.execute(select(LaunchSession).filter_by(fetch_token_hash=_token_hash(token or ""))
                          ).scalar_one_or_none()
    if row is None:
        return {"error-code": "2", "error-text": "This fetch URL is not valid."}
    expired = row.launched_at + timedelta(minutes=LAUNCH_MINUTES) <= utcnow()
    if not row.is_open or expired:
        return {"error-code": "1", "error-text": "The session of this fetch URL has ended."}
    # Claim the token in one UPDATE: of two simultaneous fetches, exactly one gets the credential.
    claimed = session.execute(update(LaunchSession).where(LaunchSession.id == row.id,
                                                          LaunchSession.fetched_at.is_(None))
                              .values(fetched_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return {"error-code": "1", "error-text": "The authorization token has already been returned."}
    client, secret = create_launch_credential(row.user_id, row.registration)
    row.lrs_client_id = client.id
    session.flush()
    return {"auth-token": base64.b64encode(f"{client.key}:{secret}".encode()).decode()}


# --- ending sessions ------------------------------------------------------------------------------------------

def open_sessions(registration: str) -> list[LaunchSession]:
    """A registration's sessions that neither terminated nor were abandoned."""
    return list(session.execute(select(LaunchSession).where(
        LaunchSession.registration == registration, LaunchSession.terminated_at.is_(None),
        LaunchSession.abandoned_at.is_(None)).order_by(LaunchSession.id)).scalars())


def abandon_open_sessions(registration: str) -> int:
    """Abandon the registration's sessions that never terminated (a new launch means they are over: cmi5 9.3.6)."""
    found = open_sessions(registration)
    for row in found:
        abandon_session(row)
    return len(found)


def abandon_session(row: LaunchSession) -> str | None:
    """End a session that did not terminate: record ``abandoned`` (cmi5 9.3.6; its duration is launch to the AU's
    last statement) for a cmi5 session, and revoke its credential. Returns the statement id (None for Tin Can).

    Raises LaunchError when the session has already ended.
    """
    if not row.is_open:
        raise LaunchError("this session has already ended")
    row.abandoned_at = utcnow()
    if row.lrs_client_id is not None:
        client = session.get(LRSClient, row.lrs_client_id)
        if client is not None:
            revoke_client(client.key)
    if row.kind != "cmi5":
        session.flush()
        return None
    enrollment = session.get(Enrollment, row.enrollment_id)
    version, item = _version_item(enrollment, row.item_id)
    seconds = ((row.last_statement_at or row.launched_at) - row.launched_at).total_seconds()
    with _triggered_by(row.session_id):
        ids = record([statements.abandoned(actor(enrollment.user), _au_target(version, item),
                                           row.registration, row.session_id, statements.iso_duration(seconds))])
    session.flush()
    return ids[0]


def abandon_stale(minutes: int) -> int:
    """Abandon every session with no statement (or, before its first, no launch) in the last ``minutes``.
    Returns how many."""
    cutoff = utcnow() - timedelta(minutes=minutes)
    found = [row for row in session.execute(select(LaunchSession).where(
        LaunchSession.terminated_at.is_(None), LaunchSession.abandoned_at.is_(None))
        .order_by(LaunchSession.id)).scalars() if (row.last_statement_at or row.launched_at) <= cutoff]
    for row in found:
        abandon_session(row)
    return len(found)


def session_by_id(session_id: str) -> LaunchSession | None:
    """A launch session by its session id (the cmi5 sessionid extension), or None."""
    return session.execute(select(LaunchSession).filter_by(session_id=str(session_id).lower())).scalar_one_or_none()


# --- waiving --------------------------------------------------------------------------------------------------

def waive(enrollment: Enrollment, item: ItemOutline, reason: str) -> str:
    """Record that an AU is waived for a learner (cmi5 9.3.7) with one of the spec's reasons, in a session of its
    own; satisfaction follows. Returns the statement id.

    Raises LaunchError for an item that is not an AU, an unknown reason, or an AU already waived in the
    registration (at most one waived statement per registration and AU).
    """
    if (item.launch or {}).get("kind") != "au":
        raise LaunchError("only a cmi5 assignable unit can be waived")
    if reason not in statements.WAIVE_REASONS:
        raise LaunchError(f"the reason must be one of: {', '.join(statements.WAIVE_REASONS)}")
    version, item = _version_item(enrollment, item.id)
    target = _au_target(version, item)
    already = session.execute(select(Statement.id).where(
        Statement.registration == enrollment.registration, Statement.object_activity_id == target.iri,
        Statement.verb_id == Verb.WAIVED, Statement.is_voided.is_(False))).first()
    if already is not None:
        raise LaunchError("this assignable unit is already waived for this learner")
    session_id = new_uuid()
    with _triggered_by(session_id):
        ids = record([statements.waived(actor(enrollment.user), target, enrollment.registration, session_id,
                                        reason)])
    return ids[0]


# --- satisfaction ---------------------------------------------------------------------------------------------

@contextmanager
def _triggered_by(session_id: str):
    """Statements recorded inside are the session's: ``satisfied`` statements they cause carry its id (9.3.9)."""
    previous = g.get("lms_cmi5_session_id")
    g.lms_cmi5_session_id = session_id
    try:
        yield
    finally:
        g.lms_cmi5_session_id = previous


def _aus(version: VersionOutline) -> list[ItemOutline]:
    return [item for item in version.items if (item.launch or {}).get("kind") == "au"]


def _registration_facts(learner: str, registration: str) -> tuple[dict[str, set[str]], set[str]]:
    """What the store says about a registration's AUs: per activity, its cmi5 defined ``completed``/``passed`` and
    the LMS's ``waived``; and every activity already ``satisfied``."""
    rows = session.execute(select(Statement.verb_id, Statement.object_activity_id, Statement.full).where(
        Statement.registration == registration, Statement.actor_key == learner, Statement.is_voided.is_(False),
        Statement.verb_id.in_([Verb.COMPLETED, Verb.PASSED, Verb.WAIVED, Verb.SATISFIED])))
    verbs: dict[str, set[str]] = {}
    satisfied = set()
    for verb, activity_id, full in rows:
        if verb == Verb.SATISFIED:
            satisfied.add(activity_id)
            continue
        categories = ((full.get("context") or {}).get("contextActivities") or {}).get("category") or []
        if verb == Verb.WAIVED or any(isinstance(c, dict) and c.get("id") == CMI5.CATEGORY for c in categories):
            verbs.setdefault(activity_id, set()).add(verb)
    return verbs, satisfied


def _is_au_met(item: ItemOutline, verbs: set[str]) -> bool:
    return Verb.WAIVED in verbs or move_on_met(item.launch["move_on"], Verb.COMPLETED in verbs,
                                               Verb.PASSED in verbs)


def evaluate_satisfaction(enrollment: Enrollment, session_id: str) -> list[str]:
    """Record ``satisfied`` (cmi5 9.3.9) for each AU whose moveOn is now met, each block whose AUs all are, and each
    cmi5 course whose AUs all are, unless recorded before in the registration. Returns the statement ids."""
    version = outline(enrollment.version_id)
    aus = _aus(version)
    if not aus:
        return []
    slug = version.course.slug
    verbs, already = _registration_facts(learner_key(enrollment.user), enrollment.registration)
    met = {item.launch["publisher_id"] for item in aus if _is_au_met(item, verbs.get(au_iri(slug, item), set()))}
    who, registration = actor(enrollment.user), enrollment.registration
    new = [statements.satisfied(who, _au_target(version, item), registration, session_id)
           for item in aus if item.launch["publisher_id"] in met and au_iri(slug, item) not in already]
    for structure in structures(version.id):
        if structure.kind != "cmi5":
            continue
        blocks = structure.structure.get("blocks", [])
        depth = {block["id"]: 0 for block in blocks}
        for block in blocks:  # document order: a parent comes before its children
            if block["parent"]:
                depth[block["id"]] = depth[block["parent"]] + 1
        for block in sorted(blocks, key=lambda b: -depth[b["id"]]):  # inner blocks first
            iri = block_iri(slug, structure.key, block["id"])
            if block["au_ids"] and set(block["au_ids"]) <= met and iri not in already:
                new.append(statements.satisfied(who, statements.Target(
                    iri, block["id"], cmi5.xapi_language_map(block["title"]), CMI5.BLOCK), registration, session_id))
        course_aus = {item.launch["publisher_id"] for item in aus if item.launch["structure"] == structure.key}
        iri = cmi5_course_iri(slug, structure.key)
        if course_aus and course_aus <= met and iri not in already:
            new.append(statements.satisfied(who, statements.Target(
                iri, structure.publisher_id, _xapi_name(structure.title), CMI5.COURSE), registration, session_id))
    return record(new) if new else []


def _xapi_name(catalog_title: dict[str, str]) -> dict[str, str]:
    return {"en": catalog_title["en"], **({"zh-Hans": catalog_title["zh-Hans"]} if "zh-Hans" in catalog_title
                                          else {})}


def on_progress_changed(sender, changes: list[ProgressChange]) -> None:
    """``progress_changed`` receiver: evaluate satisfaction where an AU's progress moved (or the learner enrolled:
    NotApplicable AUs are satisfied at registration, cmi5 9.6.1)."""
    if "lms" not in getattr(sender, "extensions", {}):
        return
    for enrollment, change in enrollments_for_changes(changes):
        version = outline(enrollment.version_id)
        aus = _aus(version)
        if not aus:
            continue
        slug = version.course.slug
        au_iris = {au_iri(slug, item) for item in aus}
        changed = set(change.activity_ids)
        if not changed & (au_iris | {activities.course_iri(slug)}):
            continue
        evaluate_satisfaction(enrollment, g.get("lms_cmi5_session_id") or _session_of(enrollment, changed & au_iris))


def _session_of(enrollment: Enrollment, activity_ids: set[str]) -> str:
    """The session the AU statements came from (the newest launch of those AUs), else a new one (9.6.1)."""
    if activity_ids:
        found = session.execute(select(LaunchSession.session_id).where(
            LaunchSession.registration == enrollment.registration, LaunchSession.activity_id.in_(activity_ids))
            .order_by(LaunchSession.id.desc()).limit(1)).scalar_one_or_none()
        if found:
            return found
    return new_uuid()


# --- enrolment and courses ------------------------------------------------------------------------------------

def enrollment_with_registration(user: User, course: Course, registration: str | None = None) -> Enrollment:
    """The learner's enrolment in a course, made when there is none (with ``registration`` when given).

    Raises LaunchError when ``registration`` is given but is not the learner's registration in this course or is
    already another enrolment's.
    """
    existing = enrollment_for(user, course)
    if existing is not None:
        if registration and registration.lower() != existing.registration:
            raise LaunchError("the learner is enrolled in this course with another registration")
        return existing
    if registration:
        taken = session.execute(select(Enrollment.id).filter_by(registration=registration.lower())).first()
        if taken is not None:
            raise LaunchError("this registration belongs to another enrolment")
        version = latest_version(course.id)
        if version is None:
            raise LaunchError("this course has no published version")
        # enroll() returns an existing enrolment as it is: made here first, it keeps the given registration.
        session.add(Enrollment(user_id=user.id, course_id=course.id, version_id=version.id,
                               registration=registration.lower()))
        session.flush()
        enrollment = enrollment_for(user, course)
        record([build.registered(actor(user), build.LearningContext(
            base_url=activities.base_url(), registration=enrollment.registration,
            course=activities.course_activity(outline(version.id)), course_version=version.number))])
        return enrollment
    return enroll(user, course)


def au_by_index(enrollment: Enrollment, index: int) -> ItemOutline:
    """The learner's version's AU at a 0-based index in course-structure order. Raises LaunchError when there is
    none."""
    aus = _aus(outline(enrollment.version_id))
    if not 0 <= index < len(aus):
        raise LaunchError(f"the course has {len(aus)} assignable unit(s): the index must be from 0 to {len(aus) - 1}")
    return aus[index]


def delete_course(course: Course) -> list[str]:
    """Delete a course with its versions, enrolments and launch sessions (its statements stay in the LRS).

    Returns the digests of packages no course uses any more, whose files the caller removes once committed.
    """
    used = set(session.execute(select(LaunchStructure.package_id).join(
        CourseVersion, LaunchStructure.version_id == CourseVersion.id).where(
        CourseVersion.course_id == course.id)).scalars())
    # One DELETE: the database cascades to versions, modules, items, enrolments, structures and sessions.
    session.execute(delete(Course).where(Course.id == course.id))
    for instance in list(session.identity_map.values()):  # what the cascade removed must not linger as stale rows
        if isinstance(instance, (Course, CourseVersion, Enrollment, LaunchSession, LaunchStructure)):
            session.expunge(instance)
    forget_outlines()
    orphaned = []
    for package in session.execute(select(ContentPackage).where(ContentPackage.id.in_(used))).scalars():
        if session.execute(select(LaunchStructure.id).filter_by(package_id=package.id)).first() is None:
            orphaned.append(package.sha256)
            session.delete(package)
    session.flush()
    return orphaned
