"""SCORM packages in the LMS: importing a 1.2 or 2004 package as a course or as lessons of a course, what the
player shows of a package (its item tree, where Next and Previous lead, what is locked), and exporting a course of
ours as a SCORM zip.

How a package lives in the catalog:

- The zip is a ``ContentPackage`` (kind "scorm"), its files stored once under its SHA-256 (``launch.packages``).
- Each launchable item of the package's organization is a ``CourseItem``: kind "sco" for a SCO (it talks to the
  SCORM API and reports progress), kind "asset" for an asset (a plain page, done once opened). Its ``launch``
  holds what playing it needs (see ``_item_launch``). Assets the package only uses as shared files (scripts,
  images) are no items: they stay inside the package.
- A course version that holds a package has a ``LaunchStructure`` (kind "scorm", keyed by ``structure_key``) whose
  ``structure`` is the organization's item tree, clusters included, with the control mode of each level: the
  player draws the tree and applies flow and choice from it.
- Imported as a course, the organization's top-level clusters become modules and the items below each one its
  items; imported into an existing course, the package's items are added as lessons (to a new module named after
  the package, or to a module the author picks). A package with the same manifest identifier replaces the one
  imported before it.

The library in ``scorm/`` reads and checks packages (``PackageError``/``ManifestError`` name what is wrong in
words an author understands); nothing is stored unless the whole package is accepted. Services flush; the view or
command commits.
"""

from __future__ import annotations

import functools
import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from lms.accounts.models import User
from lms.catalog.models import Course, CourseMedia, CourseVersion
from lms.catalog.outline import ItemOutline, VersionOutline, outline
from lms.catalog.services import (
    ImportedCourse,
    ImportedItem,
    ImportedModule,
    course_by_slug,
    imported_modules,
    latest_version,
    store_imported_course,
)
from lms.core.i18n import LOCALES, _, text
from lms.db import session
from lms.core.slugs import short_hash, slugify, unique_slug
from lms.launch import packages
from lms.launch.models import ContentPackage, LaunchStructure
from lms.launch.services import carry_structures
from lms.learning.models import Enrollment
from lms.learning.services import course_progress
from lms.tracking.models import ActivityProgress
from scorm import export as scorm_export
from scorm.manifest import SCORM_12, SCORM_2004, Item, Manifest, read_manifest
from scorm.package import Package, PackageError
from scorm.sequencing import ControlMode

KIND = "scorm"  # ContentPackage.kind and LaunchStructure.kind
VERSIONS = (SCORM_2004, SCORM_12)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_XSD_DIR = Path(__file__).resolve().parents[3] / "shared" / "scorm-xsd"
_MAX_SCHEMA_WARNINGS = 5
_MEDIA_LINK = re.compile(r"""\.\./media/([0-9a-f]+)/([^"'\s?#<>]+)""")


class ScormImportError(Exception):
    """An import that cannot be done for a reason outside the package (a bad course or module short name)."""


# --- importing -----------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    course: Course
    version_id: int
    outcome: str  # "created", "updated" or "unchanged"
    scorm_version: str  # "1.2" or "2004"
    edition: int | None
    items: int  # launchable items (SCOs and assets) of the package
    warnings: list[str] = field(default_factory=list)


def structure_key(manifest: Manifest, sha: str) -> str:
    """The key of a package inside a course: from the manifest's identifier, so a corrected package replaces the
    one imported before it; from the zip's digest when the manifest has no identifier."""
    if not manifest.identifier:
        return sha[:16]
    return short_hash(f"scorm:{manifest.identifier}")


def import_package(data: bytes, *, filename: str = "", course_slug: str | None = None,
                   module_slug: str | None = None, uploaded_by: User | None = None,
                   may_edit: Callable[[Course], bool] | None = None) -> ImportResult:
    """Import a SCORM 1.2 or 2004 zip: as a new course, or into the course ``course_slug``.

    Without ``course_slug`` the package becomes a course of its own (or the next version of the course it was
    imported as before). With a slug that no course has yet, that course is made from the package. With an existing
    course's slug, the package's items are added to its newest version as lessons: in a new module named after the
    package, or appended to the module ``module_slug``; a package imported into the course before (same manifest
    identifier) is replaced where it was. A new course imported by an author is owned by that author.
    ``may_edit`` (when given) says whether the importer may change an existing course: a package imported before
    into a course they may not edit makes a course of their own.

    Raises PackageError (ManifestError included) naming what is wrong with the package, or ScormImportError for a
    bad ``course_slug`` or ``module_slug``; nothing is stored then. Flushes.
    """
    if not data:
        raise PackageError(_("The file is empty. Choose the SCORM package (a .zip file) exported by your authoring "
                             "tool."))
    if course_slug is not None and not SLUG.match(course_slug):
        raise ScormImportError(_("“%(slug)s” is not a course short name: use lower-case letters, digits and single "
                                 "hyphens.", slug=course_slug))
    if not packages.is_zip(data):
        raise PackageError(_("The file is not a ZIP archive. A SCORM package is a .zip file with imsmanifest.xml "
                             "at its root."))
    sha = packages.digest(data)
    with Package.open(data) as package:
        manifest = read_manifest(package)
        _refuse_external_scos(manifest)
        warnings = list(manifest.warnings)
        warnings += schema_warnings(package.read(_manifest_name(package)), manifest.version)
        key = structure_key(manifest, sha)
        target = course_by_slug(course_slug) if course_slug else _course_with_structure(key)
        if target is not None and may_edit is not None and not may_edit(target):
            if course_slug:
                raise ScormImportError(_("A course you cannot edit has this short name. Choose another one."))
            target = None
        target_version = latest_version(target.id) if target is not None else None
        imported = _next_version(manifest, key, sha, target, target_version, course_slug, module_slug)
        stored = packages.store_files(package, sha)  # only once everything was accepted
    version, outcome = store_imported_course(imported)
    if outcome != "unchanged":
        package_row = _package_row(sha, filename, len(data), stored, uploaded_by)
        _carry_structures(version.id, key, manifest, package_row)
    course = course_by_slug(imported.slug)
    if outcome == "created" and uploaded_by is not None:
        _make_owner(course, uploaded_by)
    launchable = manifest.organization.launchable()
    return ImportResult(course=course, version_id=version.id, outcome=outcome, scorm_version=manifest.version,
                        edition=manifest.edition, items=len(launchable), warnings=warnings)


def _manifest_name(package: Package) -> str:
    # read_manifest accepted the name, with a warning when its case differs from the standard one.
    if "imsmanifest.xml" in package:
        return "imsmanifest.xml"
    return next(name for name in package.names if name.lower() == "imsmanifest.xml")


def _refuse_external_scos(manifest: Manifest) -> None:
    """A SCO on another web site cannot reach the LMS's SCORM API (browsers keep sites apart): refuse it."""
    for item in manifest.organization.launchable():
        resource = manifest.resource_for(item)
        if resource.is_sco and resource.is_external:
            raise PackageError(_("The SCO “%(title)s” opens a page on another web site (%(href)s). A SCO must be a "
                                 "page inside the package, or it cannot report progress. Export the course again "
                                 "with its pages included.", title=item.title, href=resource.href))


def item_slug(key: str, item: Item, kind: str) -> str:
    """The slug of a package item in the course: the same for the same package item in every version."""
    return f"{kind}-{short_hash(f'{key}|{item.identifier}', 12)}"


def _control(mode: ControlMode) -> dict:
    return {"choice": mode.choice, "flow": mode.flow, "forward_only": mode.forward_only}


def _item_launch(manifest: Manifest, key: str, sha: str, item: Item) -> dict:
    """What playing one launchable item needs: its page, its manifest data and its sequencing basics."""
    resource = manifest.resource_for(item)
    sequencing = item.sequencing
    return {
        "kind": "sco" if resource.is_sco else "asset", "structure": key, "package": sha,
        "identifier": item.identifier, "href": manifest.launch_url(item), "version": manifest.version,
        "mastery_score": item.mastery_score, "scaled_passing_score": item.scaled_passing_score,
        "completion_threshold": item.completion_threshold, "launch_data": item.launch_data,
        "max_time_allowed": item.max_time_allowed, "time_limit_action": item.time_limit_action,
        "requires_satisfied": list(item.requires_satisfied), "precondition_action": item.precondition_action,
        "attempt_limit": sequencing.attempt_limit if sequencing else None,
        "completion_set_by_content": sequencing.completion_set_by_content if sequencing else False,
        "objective_set_by_content": sequencing.objective_set_by_content if sequencing else False,
    }


def _structure(manifest: Manifest, key: str) -> dict:
    """The organization's tree as the player draws it: clusters with their control mode, leaves with their slug."""
    organization = manifest.organization
    is_2004 = manifest.version == SCORM_2004

    def node(item: Item) -> dict:
        found = {"identifier": item.identifier, "title": item.title, "is_visible": item.is_visible}
        if item.children:
            mode = item.sequencing.control_mode if item.sequencing else ControlMode()
            found["control_mode"] = _control(mode if is_2004 else _SCORM_12_CONTROL)
            found["children"] = [node(child) for child in item.children]
        elif item.identifierref:
            resource = manifest.resource_for(item)
            found["kind"] = "sco" if resource.is_sco else "asset"
            found["slug"] = item_slug(key, item, found["kind"])
        return found

    return {"version": manifest.version, "edition": manifest.edition, "identifier": manifest.identifier,
            "organization": organization.identifier, "title": organization.title,
            "control_mode": _control(organization.control_mode if is_2004 else _SCORM_12_CONTROL),
            "items": [node(item) for item in organization.items]}


# SCORM 1.2 has no sequencing: learners may go anywhere, in any order.
_SCORM_12_CONTROL = ControlMode(choice=True, flow=True, forward_only=False)


def _imported_item(manifest: Manifest, key: str, sha: str, item: Item) -> ImportedItem:
    launch = _item_launch(manifest, key, sha, item)
    return ImportedItem(kind=launch["kind"], slug=item_slug(key, item, launch["kind"]), title={"en": item.title},
                        launch=launch)


def _course_modules(manifest: Manifest, key: str, sha: str, taken: set[str]) -> list[ImportedModule]:
    """The package as a whole course: each top-level cluster a module of the items under it; consecutive
    top-level items a module named after the organization."""
    organization = manifest.organization
    modules: list[ImportedModule] = []
    loose: ImportedModule | None = None
    for top in organization.items:
        if top.children:
            loose = None
            items = [_imported_item(manifest, key, sha, item) for item in top.walk() if item.identifierref]
            if items:
                modules.append(ImportedModule(slug=unique_slug(slugify(top.title) or "module", taken),
                                              title={"en": top.title}, items=items))
        elif top.identifierref:
            if loose is None:
                loose = ImportedModule(slug=unique_slug(slugify(organization.title) or "module", taken),
                                       title={"en": organization.title})
                modules.append(loose)
            loose.items.append(_imported_item(manifest, key, sha, top))
    return modules


def _package_items(manifest: Manifest, key: str, sha: str) -> list[ImportedItem]:
    return [_imported_item(manifest, key, sha, item) for item in manifest.organization.launchable()]


def _next_version(manifest: Manifest, key: str, sha: str, course: Course | None,
                  latest: CourseVersion | None, course_slug: str | None, module_slug: str | None) -> ImportedCourse:
    """The content of the version the import stores. Raises ScormImportError for a module that does not exist."""
    title = {"en": manifest.title}
    if latest is None:
        if module_slug:
            raise ScormImportError(_("The course has no published version yet, so it has no module “%(module)s”. "
                                     "Leave the module empty to import the package as the whole course.",
                                     module=module_slug))
        slug = course_slug or (course.slug if course is not None else None) or unique_slug(
            slugify(manifest.title) or f"course-{key[:8]}", set(session.execute(select(Course.slug)).scalars()))
        return ImportedCourse(slug=slug, title=title, summary=dict(title),
                              modules=_course_modules(manifest, key, sha, set()))
    modules = imported_modules(latest.id)
    if module_slug and not any(module.slug == module_slug for module in modules):
        raise ScormImportError(_("The course has no module “%(module)s”. Choose one of its modules, or leave it "
                                 "empty to add the package as a module of its own.", module=module_slug))
    new_items = _package_items(manifest, key, sha)
    place = None  # (module index, item index) of the first item of the same package imported before
    for module_index, module in enumerate(modules):
        kept = []
        for item in module.items:
            if (item.launch or {}).get("structure") == key:
                place = place or (module_index, len(kept))
                continue
            kept.append(item)
        module.items = kept
    if module_slug:
        target = next(module for module in modules if module.slug == module_slug)
        target.items.extend(new_items)
    elif place is not None:
        target = modules[place[0]]
        target.items[place[1]:place[1]] = new_items
    else:
        taken = {module.slug for module in modules}
        modules.append(ImportedModule(slug=unique_slug(slugify(manifest.title) or "module", taken), title=title,
                                      items=new_items))
    modules = [module for module in modules if module.items]
    return ImportedCourse(slug=course.slug, title=dict(latest.title), summary=dict(latest.summary),
                          modules=modules, audience=list(latest.audience), label=latest.label)


def _course_with_structure(key: str) -> Course | None:
    """The course whose newest version holds this package (importing it again makes that course's next version)."""
    course_ids = session.execute(select(CourseVersion.course_id).join(
        LaunchStructure, LaunchStructure.version_id == CourseVersion.id).where(
        LaunchStructure.key == key, LaunchStructure.kind == KIND).distinct()).scalars().all()
    for course_id in course_ids:
        latest = latest_version(course_id)
        if latest is not None and session.execute(select(LaunchStructure.id).filter_by(
                version_id=latest.id, key=key)).first():
            return session.get(Course, course_id)
    return None


def _package_row(sha: str, filename: str, size: int, stored: packages.StoredPackage,
                 uploaded_by: User | None) -> ContentPackage:
    row = session.execute(select(ContentPackage).filter_by(sha256=sha)).scalar_one_or_none()
    if row is None:
        row = ContentPackage(sha256=sha, kind=KIND, filename=(filename or "")[:255], size_bytes=size,
                             file_count=stored.file_count, has_files=True,
                             uploaded_by_id=uploaded_by.id if uploaded_by else None)
        session.add(row)
        session.flush()
    return row


def _carry_structures(version_id: int, key: str, manifest: Manifest, package: ContentPackage) -> None:
    """Give the new version its package structures: the imported one, and those of earlier versions (SCORM, cmi5
    or Tin Can) that its items still use."""
    carry_structures(LaunchStructure(
        version_id=version_id, package_id=package.id, kind=KIND, key=key,
        publisher_id=manifest.identifier or package.sha256, title={"en": manifest.title},
        structure=_structure(manifest, key)))
    session.flush()


def _make_owner(course: Course, user: User) -> None:
    """An author who imports a new course owns it, as if they had made it in the editor (admins own every course
    already)."""
    from lms.authoring.models import OWNER, CourseAuthor

    if user.has_role("author") and session.execute(select(CourseAuthor.id).filter_by(
            course_id=course.id, user_id=user.id)).first() is None:
        session.add(CourseAuthor(course_id=course.id, user_id=user.id, role=OWNER, added_by_id=user.id))
        session.flush()


def package_structure(version_id: int, key: str) -> LaunchStructure | None:
    """A course version's structure of one SCORM package."""
    return session.execute(select(LaunchStructure).filter_by(version_id=version_id, key=key, kind=KIND)
                           ).scalar_one_or_none()


def imports_query():
    """Every SCORM package stored in a course version, newest first (a SELECT to page)."""
    return select(LaunchStructure).where(LaunchStructure.kind == KIND).order_by(LaunchStructure.id.desc())


def is_scorm_package(sha: str) -> bool:
    """Whether a stored package is a SCORM package (only those are served without a sandbox: see scorm_views)."""
    return session.execute(select(ContentPackage.id).filter_by(sha256=sha, kind=KIND)).first() is not None


# --- the schemas ---------------------------------------------------------------------------------------------

def xsd_dir() -> Path:
    """Where the SCORM schemas are: LMS_SCORM_XSD_DIR (config or environment), else the shared copy."""
    configured = current_app.config.get("LMS_SCORM_XSD_DIR") or os.environ.get("LMS_SCORM_XSD_DIR")
    return Path(configured) if configured else DEFAULT_XSD_DIR


@functools.lru_cache(maxsize=4)
def _schema(folder: str, version: str):
    import xmlschema  # a dependency; imported here so that reading packages never waits for it

    root = Path(folder)
    if version == SCORM_2004:
        base = root / "2004-4th"
        return xmlschema.XMLSchema(str(base / "imscp_v1p1.xsd"), locations=[
            ("http://www.adlnet.org/xsd/adlcp_v1p3", str(base / "adlcp_v1p3.xsd")),
            ("http://www.adlnet.org/xsd/adlseq_v1p3", str(base / "adlseq_v1p3.xsd")),
            ("http://www.adlnet.org/xsd/adlnav_v1p3", str(base / "adlnav_v1p3.xsd")),
            ("http://www.imsglobal.org/xsd/imsss", str(base / "imsss_v1p0.xsd"))])
    base = root / "1.2"
    # 1.2's ims_xml.xsd binds the reserved xml namespace, which today's parsers refuse; the 2004 folder's xml.xsd
    # declares the same attributes (xml:lang, xml:base) correctly.
    return xmlschema.XMLSchema(
        str(base / "imscp_rootv1p1p2.xsd"),
        uri_mapper=lambda uri: str(root / "2004-4th" / "xml.xsd") if uri.endswith("ims_xml.xsd") else uri,
        locations=[("http://www.adlnet.org/xsd/adlcp_rootv1p2", str(base / "adlcp_rootv1p2.xsd"))])


def schema_warnings(manifest_xml: bytes, version: str) -> list[str]:
    """The manifest checked against the SCORM schemas of its version: each problem is a warning (real packages
    often stray from the schemas and still play). Nothing when the schemas are not installed."""
    folder = xsd_dir()
    needed = folder / ("2004-4th/imscp_v1p1.xsd" if version == SCORM_2004 else "1.2/imscp_rootv1p1p2.xsd")
    if not needed.is_file():
        return []
    import xmlschema

    schema = _schema(str(folder), version)
    # No network and no entities: the manifest was already parsed safely; its schemaLocation hints are ignored.
    resource = xmlschema.XMLResource(manifest_xml, allow="none", defuse="always")
    warnings = []
    for error in schema.iter_errors(resource, use_location_hints=False):
        if len(warnings) == _MAX_SCHEMA_WARNINGS:
            warnings.append(_("More schema problems were found; only the first %(count)d are listed.",
                              count=_MAX_SCHEMA_WARNINGS))
            break
        reason = re.sub(r"\{[^}]*\}", "", error.reason or str(error).splitlines()[0])
        where = re.sub(r"\{[^}]*\}", "", error.path or "")
        warnings.append(_("The manifest does not follow the SCORM %(version)s schema at %(where)s: %(reason)s",
                          version=version, where=where or "/", reason=reason))
    return warnings


# --- what the player shows ------------------------------------------------------------------------------------

@dataclass
class TreeNode:
    title: str
    item: ItemOutline | None = None  # None for a cluster
    status: str = ""  # "done", "todo" or "locked" for an item
    locked_by: list[str] = field(default_factory=list)  # titles of the items to satisfy first
    is_current: bool = False
    is_choosable: bool = True  # choice allowed by the enclosing cluster
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class PackageView:
    """One package as the player shows it for the current item."""

    title: str
    version: str
    nodes: list[TreeNode]
    current: TreeNode
    previous: ItemOutline | None  # where Previous leads (None: no Previous)
    next: ItemOutline | None  # where Next leads (None: no Next)
    next_locked: TreeNode | None  # the next item, when it is locked
    has_flow: bool
    course_next: ItemOutline | None  # the course's next item after this package

    def statuses(self) -> dict[str, str]:
        return {node.item.slug: node.status for node in leaves(self.nodes)}


def leaves(nodes: list[TreeNode]):
    """The items of a tree, in course order."""
    for node in nodes:
        if node.item is not None:
            yield node
        yield from leaves(node.children)


def is_satisfied(progress: ActivityProgress | None) -> bool:
    """Whether an item's primary objective is satisfied: it passed, or it reports no success of its own and is
    completed (the precondition "the previous item is satisfied" reads this)."""
    if progress is None:
        return False
    return progress.success is True or (progress.success is None and progress.is_completed)


def package_view(user: User, enrollment: Enrollment, item: ItemOutline) -> PackageView | None:
    """The tree, the statuses and the navigation of the package an item belongs to; None when the version has no
    structure for it (the item then plays on its own)."""
    version = outline(enrollment.version_id)
    structure = package_structure(version.id, item.launch["structure"])
    if structure is None:
        return None
    progress = course_progress(user, enrollment)
    rows = {entry.id: (row, done) for module in progress.modules for entry, row, done in module.items}
    by_slug = {candidate.slug: candidate for candidate in version.items
               if (candidate.launch or {}).get("structure") == item.launch["structure"]}
    by_identifier = {candidate.launch["identifier"]: candidate for candidate in by_slug.values()}
    tree = structure.structure
    is_2004 = tree.get("version") == SCORM_2004

    def build(node: dict, choice: bool) -> TreeNode | None:
        if "children" in node:
            inner = node["control_mode"]["choice"] and choice
            children = [child for child in (build(sub, inner) for sub in node["children"]) if child is not None]
            return TreeNode(title=node["title"], children=children) if children else None
        found = by_slug.get(node.get("slug", ""))
        if found is None:  # not in this version (an item removed from the course)
            return None
        done = rows.get(found.id, (None, False))[1]
        required = [by_identifier[identifier] for identifier in found.launch.get("requires_satisfied", [])
                    if identifier in by_identifier]
        missing = [text(other.title) for other in required if not is_satisfied(rows.get(other.id, (None,))[0])]
        status = "done" if done else ("locked" if missing and is_2004 else "todo")
        return TreeNode(title=text(found.title), item=found, status=status, locked_by=missing if is_2004 else [],
                        is_current=found.id == item.id, is_choosable=choice and node.get("is_visible", True))

    root_choice = tree["control_mode"]["choice"]
    nodes = [built for built in (build(node, root_choice) for node in tree["items"]) if built is not None]
    ordered = list(leaves(nodes))
    current = next((leaf for leaf in ordered if leaf.is_current), None)
    if current is None:
        return None
    flow = _flow(tree, item.launch["identifier"])
    position = ordered.index(current)
    previous = None
    if flow and not _forward_only(tree, item.launch["identifier"]):
        previous = next((leaf.item for leaf in reversed(ordered[:position]) if leaf.status != "locked"), None)
    following, next_locked = None, None
    if flow:
        for leaf in ordered[position + 1:]:
            if leaf.status == "locked" and leaf.item.launch.get("precondition_action") == "skip":
                continue
            if leaf.status == "locked":
                next_locked = leaf
            else:
                following = leaf.item
            break
    package_ids = {candidate.id for candidate in by_slug.values()}
    after = [candidate for candidate in version.items if candidate.id not in package_ids]
    order = [candidate.id for candidate in version.items]
    last = max(order.index(candidate_id) for candidate_id in package_ids)
    course_next = next((candidate for candidate in after if order.index(candidate.id) > last), None)
    return PackageView(title=tree["title"], version=tree.get("version", SCORM_12), nodes=nodes, current=current,
                       previous=previous, next=following, next_locked=next_locked, has_flow=flow,
                       course_next=course_next)


def _path_to(items: list[dict], identifier: str) -> list[dict] | None:
    """The clusters from the top down to an item, or None when it is not in the tree."""
    for node in items:
        if node.get("identifier") == identifier and "children" not in node:
            return []
        if "children" in node:
            found = _path_to(node["children"], identifier)
            if found is not None:
                return [node] + found
    return None


def _flow(tree: dict, identifier: str) -> bool:
    """Flow (Next and Previous) among an item and its neighbours: allowed by the item's cluster (2004 control mode;
    always in 1.2)."""
    path = _path_to(tree["items"], identifier) or []
    return (path[-1]["control_mode"] if path else tree["control_mode"])["flow"]


def _forward_only(tree: dict, identifier: str) -> bool:
    path = _path_to(tree["items"], identifier) or []
    return any(mode["forward_only"] for mode in [tree["control_mode"]] + [node["control_mode"] for node in path])


# --- exporting -----------------------------------------------------------------------------------------------

@dataclass
class Export:
    data: bytes
    filename: str
    skipped: list[str]  # titles of items that cannot be exported (launchable content from other packages)


def export_course(version_id: int, scorm_version: str = SCORM_2004, language: str = "en") -> Export:
    """A published course version as a SCORM 2004 4th edition or 1.2 zip, in one of its languages: every lesson
    a SCO showing its text, every quiz a SCO that grades itself and reports score, success and answers. Images
    of lessons travel in the zip. Launchable items (SCORM, cmi5, Tin Can) cannot be exported and are left out.

    Raises ValueError for an unknown SCORM version or a course with nothing to export.
    """
    if scorm_version not in VERSIONS:
        raise ValueError(f"unknown SCORM version {scorm_version!r} (use 2004 or 1.2)")
    version = outline(version_id)
    course, skipped = _export_course(version, language)
    data = scorm_export.export_package(course, scorm_version)
    data = _with_media(data, version, course)
    suffix = "scorm2004" if scorm_version == SCORM_2004 else "scorm12"
    return Export(data=data, filename=f"{version.course.slug}-v{version.number}-{suffix}.zip", skipped=skipped)


def _export_course(version: VersionOutline, language: str) -> tuple[scorm_export.ExportCourse, list[str]]:
    skipped: list[str] = []
    modules = []
    for module in version.modules:
        items: list = []
        for item in module.items:
            if item.kind == "lesson":
                items.append(scorm_export.ExportLesson(slug=item.slug, title=text(item.title, language),
                                                       html=text(item.body, language)))
            elif item.kind == "quiz":
                items.append(_export_quiz(item, language))
            else:
                skipped.append(text(item.title, language))
        if items:
            modules.append(scorm_export.ExportModule(slug=module.slug, title=text(module.title, language),
                                                     items=items))
    with force_locale(LOCALES.get(language, "en")):
        labels = scorm_export.ExportLabels(
            check=_("Check my answers"), score=_("Your score:"), passed=_("Passed."), failed=_("Not passed."),
            correct=_("Correct"), incorrect=_("Incorrect"), true=_("True"), false=_("False"),
            no_lms=_("This page is not connected to a learning management system, so your progress is not "
                     "saved."))
    course = scorm_export.ExportCourse(slug=version.course.slug, title=text(version.title, language),
                                       modules=modules, language=language, version=str(version.number),
                                       labels=labels)
    return course, skipped


def _export_quiz(item: ItemOutline, language: str) -> scorm_export.ExportQuiz:
    questions = []
    for question in item.quiz["questions"]:
        if question["type"] == "true_false":
            correct, options = [str(question["answer"]).lower()], []
        else:
            correct = [option["id"] for option in question["options"] if option.get("correct")]
            options = [scorm_export.ExportOption(id=option["id"], text=text(option["text"], language))
                       for option in question["options"]]
        questions.append(scorm_export.ExportQuestion(
            id=question["id"], kind=question["type"], prompt=text(question["prompt"], language), correct=correct,
            options=options, feedback=text(question.get("feedback"), language)))
    return scorm_export.ExportQuiz(slug=item.slug, title=text(item.title, language), questions=questions,
                                   pass_mark=int(item.quiz.get("pass_mark", 70)))


def _with_media(data: bytes, version: VersionOutline, course: scorm_export.ExportCourse) -> bytes:
    """The zip with the images the lessons show, where their links point (``../media/<digest>/<name>`` from a
    page one folder down: ``media/<digest>/<name>`` in the zip)."""
    wanted = sorted({match for module in course.modules for item in module.items
                     if isinstance(item, scorm_export.ExportLesson) for match in _MEDIA_LINK.findall(item.html)})
    if not wanted:
        return data
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for digest, name in wanted:
            image = session.execute(select(CourseMedia).filter_by(course_id=version.course.id, digest=digest,
                                                                  name=name)).scalar_one_or_none()
            if image is not None:
                archive.writestr(zipfile.ZipInfo(f"media/{digest}/{name}", date_time=(2020, 1, 1, 0, 0, 0)),
                                 image.content)
    return buffer.getvalue()
