"""imsmanifest.xml read into plain dataclasses: organizations, the item tree, resources and 2004 sequencing basics.

Lenient where real packages are messy (a missing default organization, a missing title, a listed file that is not
in the zip: each becomes a warning), strict where playback would break (no manifest, malformed XML, no
organization, an item pointing at no resource, a launchable resource with no page, a launch page not in the zip:
each is a ``ManifestError`` a course author can act on).

Elements are matched by local name (``scorm.xmltree``); namespaces only serve to tell SCORM 1.2 from 2004.
Sequencing is read by ``scorm.sequencing``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from scorm.package import Package, PackageError, parse_xml
from scorm.sequencing import ControlMode, Sequencing, read_sequencing, resolve_preconditions, sequencing_collection
from scorm.xmltree import (
    as_bool, as_float, attribute, child_text, find, find_all, local_name, namespaces_in, text_of,
)

SCORM_12 = "1.2"
SCORM_2004 = "2004"
MANIFEST_NAME = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_NAMESPACES_12 = ("adlcp_rootv1p2", "imscp_rootv1p1p2")
_NAMESPACES_2004 = ("adlcp_v1p3", "adlseq_v1p3", "adlnav_v1p3", "imsglobal.org/xsd/imsss")
_EDITIONS = {"2nd": 2, "3rd": 3, "4th": 4}
_LISTED_SHOWN = 10


class ManifestError(PackageError):
    """The manifest describes a course that cannot be played; the message says why and what to do."""


# --- The data ---------------------------------------------------------------------------------------------------

@dataclass
class Item:
    """A node of the course tree: a cluster of items, or a leaf that opens a resource."""

    identifier: str
    title: str
    identifierref: str | None = None
    is_visible: bool = True
    parameters: str = ""
    children: list[Item] = field(default_factory=list)
    mastery_score: float | None = None  # 1.2 adlcp:masteryscore, 0-100
    scaled_passing_score: float | None = None  # 2004 primary objective's minNormalizedMeasure, -1..1
    completion_threshold: float | None = None  # 2004 adlcp:completionThreshold, 0..1
    launch_data: str | None = None  # adlcp:datafromlms / adlcp:dataFromLMS
    max_time_allowed: str | None = None  # 1.2 HHHH:MM:SS, 2004 ISO 8601 duration, as written
    time_limit_action: str | None = None
    prerequisites: str | None = None  # 1.2 adlcp:prerequisites (AICC script), as written
    sequencing: Sequencing | None = None
    # Resolved from a "previous item satisfied" precondition: these items must be satisfied first, and until
    # then this item is ``precondition_action`` (disabled, skip or hiddenFromChoice).
    requires_satisfied: list[str] = field(default_factory=list)
    precondition_action: str | None = None

    def walk(self) -> Iterator[Item]:
        """This item and every item below it, depth first, in course order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Organization:
    identifier: str
    title: str
    items: list[Item] = field(default_factory=list)
    sequencing: Sequencing | None = None
    objectives_global_to_system: bool = True

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    def launchable(self) -> list[Item]:
        """The items that open content, in course order."""
        return [item for item in self.walk() if item.identifierref]

    @property
    def control_mode(self) -> ControlMode:
        return self.sequencing.control_mode if self.sequencing else ControlMode()


@dataclass
class Resource:
    identifier: str
    scorm_type: str  # "sco" (talks to the run-time API) or "asset"
    href: str | None = None  # with every xml:base applied; may carry a query string
    type: str = "webcontent"
    files: list[str] = field(default_factory=list)  # package paths, xml:base applied
    dependencies: list[str] = field(default_factory=list)

    @property
    def is_sco(self) -> bool:
        return self.scorm_type == "sco"

    @property
    def is_external(self) -> bool:
        return bool(self.href and urlsplit(self.href).scheme)

    @property
    def launch_file(self) -> str | None:
        """The package path of the page to open (no query or fragment), or None for an external or missing href."""
        if not self.href or self.is_external:
            return None
        return _package_path(urlsplit(self.href).path)


@dataclass
class Manifest:
    identifier: str
    version: str  # SCORM_12 or SCORM_2004
    edition: int | None  # 2, 3 or 4 for 2004 (None when the manifest does not say); None for 1.2
    organizations: list[Organization]
    default_organization_id: str
    resources: dict[str, Resource]
    warnings: list[str] = field(default_factory=list)

    @property
    def organization(self) -> Organization:
        """The organization to play (the default one, or the first when the default does not exist)."""
        return next(org for org in self.organizations if org.identifier == self.default_organization_id)

    @property
    def title(self) -> str:
        return self.organization.title

    def resource_for(self, item: Item) -> Resource | None:
        return self.resources.get(item.identifierref) if item.identifierref else None

    def launch_url(self, item: Item) -> str | None:
        """The URL to open for an item, relative to the package root: the resource's href plus the item's
        parameters, combined as SCORM's content packaging rules say. None for an item that opens nothing."""
        resource = self.resource_for(item)
        if resource is None or not resource.href:
            return None
        return _with_parameters(resource.href, item.parameters)


# --- Reading -----------------------------------------------------------------------------------------------------

def read_manifest(package: Package) -> Manifest:
    """Read and check the manifest of an opened package, including that every launch page is in it.

    The package's own warnings come first in the result's warnings. Raises ManifestError (a PackageError).
    """
    warnings = list(package.warnings)
    name = _manifest_name(package, warnings)
    manifest = parse_manifest(package.read(name))
    manifest.warnings[:0] = warnings
    _check_files(manifest, package)
    return manifest


def parse_manifest(xml: bytes) -> Manifest:
    """Parse imsmanifest.xml (bytes) into a Manifest, without looking at the package's files.

    Raises ManifestError for malformed XML or a structure that cannot be played.
    """
    try:
        root = parse_xml(xml, MANIFEST_NAME)
    except PackageError as error:
        raise ManifestError(str(error)) from None
    if local_name(root.tag) != "manifest":
        raise ManifestError(f"{MANIFEST_NAME} starts with <{local_name(root.tag)}>, not <manifest>: it is not a "
                            f"content package manifest. Export the course again as a SCORM package.")
    warnings: list[str] = []
    version, edition = _version(root, warnings)
    reader = _Reader(version, warnings, sequencing_collection(root))
    resources = _resources(root, warnings)
    organizations, default_id = _organizations(root, reader, warnings)
    manifest = Manifest(identifier=root.get("identifier") or "", version=version, edition=edition,
                        organizations=organizations, default_organization_id=default_id, resources=resources,
                        warnings=warnings)
    _link(manifest)
    for organization in organizations:
        resolve_preconditions(list(organization.walk()))
    return manifest


def _manifest_name(package: Package, warnings: list[str]) -> str:
    if MANIFEST_NAME in package:
        return MANIFEST_NAME
    names = package.names
    other_case = [name for name in names if name.lower() == MANIFEST_NAME]
    if other_case:
        warnings.append(f"The manifest is named “{other_case[0]}”; the standard name is “{MANIFEST_NAME}”.")
        return other_case[0]
    nested = sorted((name for name in names if posixpath.basename(name).lower() == MANIFEST_NAME), key=len)
    if nested:
        folder = posixpath.dirname(nested[0])
        raise ManifestError(f"The package's {MANIFEST_NAME} is inside the folder “{folder}/”, not at the root. "
                            f"Zip the contents of that folder, not the folder itself.")
    raise ManifestError(f"The package has no {MANIFEST_NAME} at its root. "
                        f"Export the course again as a SCORM package.")


def _version(root: Element, warnings: list[str]) -> tuple[str, int | None]:
    used = " ".join(namespaces_in(root)).lower()
    by_namespace = SCORM_2004 if any(ns in used for ns in _NAMESPACES_2004) else \
        SCORM_12 if any(ns in used for ns in _NAMESPACES_12) else None
    metadata = find(root, "metadata")
    written = " ".join(text_of(find(metadata, "schemaversion")).lower().split()) if metadata is not None else ""
    edition = next((number for word, number in _EDITIONS.items() if word in written), None)
    if written == "1.2":
        by_text = SCORM_12
    elif "2004" in written or written in ("cam 1.3", "1.3"):
        by_text, edition = SCORM_2004, edition or 2
    else:
        by_text = None
    if by_text and by_namespace and by_text != by_namespace:
        warnings.append(f"The manifest says SCORM {by_text} but uses SCORM {by_namespace} namespaces; it is read "
                        f"as SCORM {by_text}.")
    version = by_text or by_namespace
    if version is None:
        warnings.append("The manifest does not say which SCORM version it is; it is read as SCORM 1.2.")
        return SCORM_12, None
    if by_text is None:
        warnings.append(f"The manifest has no recognised <schemaversion>; it is read as SCORM {version} from "
                        f"its namespaces.")
    return version, edition if version == SCORM_2004 else None


class _Reader:
    """Reads items and sequencing, collecting warnings and remembering identifiers already seen."""

    def __init__(self, version: str, warnings: list[str], collection: dict[str, Element]) -> None:
        self.version, self.warnings, self.collection = version, warnings, collection
        self.seen: set[str] = set()
        self.unnamed = 0

    def item(self, element: Element) -> Item:
        identifier = (element.get("identifier") or "").strip()
        if not identifier:
            self.unnamed += 1
            identifier = f"item-{self.unnamed}"
            self.warnings.append(f"An item has no identifier; it is called “{identifier}” here.")
        elif identifier in self.seen:
            self.warnings.append(f"The identifier “{identifier}” is used by more than one item; progress on them "
                                 f"may be mixed up.")
        self.seen.add(identifier)
        title = text_of(find(element, "title"))
        if not title:
            title = identifier
            self.warnings.append(f"The item “{identifier}” has no title; its identifier is shown instead.")
        item = Item(identifier=identifier, title=title,
                    identifierref=(element.get("identifierref") or "").strip() or None,
                    is_visible=as_bool(element.get("isvisible"), True), parameters=(element.get("parameters") or ""),
                    children=[self.item(sub) for sub in find_all(element, "item")],
                    launch_data=child_text(element, "datafromlms"),
                    max_time_allowed=child_text(element, "maxtimeallowed"),
                    time_limit_action=child_text(element, "timelimitaction"),
                    prerequisites=child_text(element, "prerequisites"))
        if item.children and item.identifierref:
            self.warnings.append(f"The item “{title}” has sub-items and also opens a resource; SCORM lets only "
                                 f"leaf items open content, so its resource is ignored.")
            item.identifierref = None
        item.mastery_score = self._number(element, "masteryscore", 0, 100, title)
        item.completion_threshold = self._completion_threshold(element, title)
        sequencing_element = find(element, "sequencing")
        if sequencing_element is not None:
            item.sequencing = read_sequencing(sequencing_element, self.collection, self.warnings)
            primary = item.sequencing.primary_objective
            if primary is not None and primary.satisfied_by_measure:
                item.scaled_passing_score = primary.min_normalized_measure
            limit = item.sequencing.attempt_duration_limit
            item.max_time_allowed = item.max_time_allowed or limit
        return item

    def _number(self, element: Element, name: str, low: float, high: float, title: str) -> float | None:
        written = child_text(element, name)
        if written is None:
            return None
        value = as_float(written)
        if value is None or not low <= value <= high:
            self.warnings.append(f"The item “{title}” has {name} “{written}”, which is not a number from "
                                 f"{low:g} to {high:g}; it is ignored.")
            return None
        return value

    def _completion_threshold(self, element: Element, title: str) -> float | None:
        threshold = find(element, "completionthreshold")
        if threshold is None:
            return None
        if text_of(threshold):  # 2004 3rd edition: the threshold is the text
            return self._number(element, "completionthreshold", 0, 1, title)
        if as_bool(threshold.get("completedByMeasure"), False):  # 4th edition: attributes
            value = as_float(threshold.get("minProgressMeasure") or "1")
            return value if value is not None and 0 <= value <= 1 else None
        return None


def _organizations(root: Element, reader: _Reader, warnings: list[str]) -> tuple[list[Organization], str]:
    container = find(root, "organizations")
    elements = find_all(container, "organization") if container is not None else []
    if not elements:
        raise ManifestError("The manifest has no organization, so there is no course structure to show. Export "
                            "the course again as a SCORM package (not as a resource-only package).")
    organizations = []
    for index, element in enumerate(elements, start=1):
        identifier = (element.get("identifier") or "").strip() or f"organization-{index}"
        title = text_of(find(element, "title"))
        items = [reader.item(sub) for sub in find_all(element, "item")]
        if not title:
            title = items[0].title if len(items) == 1 else identifier
            warnings.append(f"The organization “{identifier}” has no title; “{title}” is shown instead.")
        sequencing = find(element, "sequencing")
        organizations.append(Organization(
            identifier=identifier, title=title, items=items,
            sequencing=None if sequencing is None else read_sequencing(sequencing, reader.collection, warnings),
            objectives_global_to_system=as_bool(attribute(element, "objectivesGlobalToSystem"), True)))
    default = (container.get("default") or "").strip()
    if not any(org.identifier == default for org in organizations):
        if default:
            warnings.append(f"The default organization “{default}” does not exist; the first organization "
                            f"(“{organizations[0].title}”) is used.")
        default = organizations[0].identifier
    return organizations, default


def _resources(root: Element, warnings: list[str]) -> dict[str, Resource]:
    container = find(root, "resources")
    if container is None:
        return {}
    bases = _joined(root.get(XML_BASE) or "", container.get(XML_BASE) or "")
    resources: dict[str, Resource] = {}
    for element in find_all(container, "resource"):
        identifier = (element.get("identifier") or "").strip()
        if not identifier:
            warnings.append("A resource has no identifier; nothing can open it, so it is ignored.")
            continue
        if identifier in resources:
            warnings.append(f"The resource identifier “{identifier}” is used twice; the first is used.")
            continue
        base = _joined(bases, element.get(XML_BASE) or "")
        href = (element.get("href") or "").strip()
        scorm_type = (attribute(element, "scormType") or "").strip().lower()
        files = []
        for file in find_all(element, "file"):
            path = _package_path(urlsplit(_joined(base, (file.get("href") or "").strip())).path)
            if path is None:
                warnings.append(f"The resource “{identifier}” lists the file “{file.get('href')}”, which is "
                                f"outside the package; it is ignored.")
            else:
                files.append(path)
        resources[identifier] = Resource(
            identifier=identifier, scorm_type=scorm_type, href=_joined(base, href) if href else None,
            type=element.get("type") or "webcontent", files=files,
            dependencies=[ref for dep in find_all(element, "dependency") if (ref := dep.get("identifierref"))])
    return resources


def _link(manifest: Manifest) -> None:
    """Check that every item opens something real; refuse what would break playback."""
    resources = manifest.resources
    for organization in manifest.organizations:
        if not organization.launchable():
            message = f"The organization “{organization.title}” has no item that opens content."
            if organization.identifier == manifest.default_organization_id:
                raise ManifestError(message + " Export the course again as a SCORM package.")
            manifest.warnings.append(message)
        for item in organization.walk():
            if not item.identifierref:
                if not item.children:
                    manifest.warnings.append(f"The item “{item.title}” opens nothing and has no sub-items.")
                continue
            resource = resources.get(item.identifierref)
            if resource is None:
                raise ManifestError(f"The item “{item.title}” ({item.identifier}) refers to the resource "
                                    f"“{item.identifierref}”, which the manifest does not define. Correct its "
                                    f"identifierref or export the course again.")
            if not resource.href:
                raise ManifestError(f"The resource “{resource.identifier}” opened by the item “{item.title}” "
                                    f"has no href, so there is no page to open. Export the course again.")
            if resource.scorm_type not in ("sco", "asset"):
                manifest.warnings.append(f"The resource “{resource.identifier}” does not say whether it is a SCO "
                                         f"or an asset; it is treated as an asset (no tracking expected).")
                resource.scorm_type = "asset"
    for resource in resources.values():
        for dependency in resource.dependencies:
            if dependency not in resources:
                manifest.warnings.append(f"The resource “{resource.identifier}” depends on “{dependency}”, "
                                         f"which the manifest does not define.")


def _check_files(manifest: Manifest, package: Package) -> None:
    """Refuse a package whose launch pages are missing; warn about other listed files that are missing."""
    names = set(package.names)
    folders = package.folder_names()
    launched: dict[str, Item] = {}
    for organization in manifest.organizations:
        for item in organization.launchable():
            resource = manifest.resources[item.identifierref]
            if resource.is_external:
                continue
            path = resource.launch_file
            if path is None:
                raise ManifestError(f"The page of the item “{item.title}” (“{resource.href}”) is outside the "
                                    f"package. Export the course again.")
            launched.setdefault(path, item)
    listed = {path for resource in manifest.resources.values() for path in resource.files}
    missing_listed = sorted(path for path in listed if path not in names)
    missing_launch = [(path, item) for path, item in launched.items() if path not in names]
    if missing_launch:
        raise ManifestError(_missing_message(missing_launch, missing_listed, names, folders))
    if missing_listed:
        manifest.warnings.append(f"{len(missing_listed)} file(s) listed in the manifest are not in the package: "
                                 f"{_listing(missing_listed)}. Pages that use them may show gaps.")


def _missing_message(missing_launch: list[tuple[str, Item]], missing_listed: list[str], names: set[str],
                     folders: set[str]) -> str:
    lowered = {name.lower(): name for name in names}
    parts = []
    for path, item in missing_launch:
        hint = ""
        if path + "/" in folders or path.endswith("/"):
            hint = " (it is a folder, not a page)"
        elif path.lower() in lowered:
            hint = f" (the package has “{lowered[path.lower()]}”; file names are case-sensitive)"
        parts.append(f"“{path}”, opened by “{item.title}”{hint}")
    message = "The package is missing the launch file " + "; ".join(parts) + "."
    others = [path for path in missing_listed if path not in dict(missing_launch)]
    if others:
        message += f" Other files listed in the manifest are missing too: {_listing(others)}."
    return message + " Add the missing files to the zip, or export the course again."


def _listing(paths: list[str]) -> str:
    shown = ", ".join(f"“{path}”" for path in paths[:_LISTED_SHOWN])
    return shown + (f" and {len(paths) - _LISTED_SHOWN} more" if len(paths) > _LISTED_SHOWN else "")


# --- Paths and URLs -----------------------------------------------------------------------------------------------

def _joined(*parts: str) -> str:
    """xml:base values and an href joined as folders (authors write "course" and mean "course/")."""
    joined = ""
    for part in parts:
        if not part:
            continue
        if urlsplit(part).scheme or part.startswith("/") or not joined:
            joined = part
        else:
            joined = joined.rstrip("/") + "/" + part
    return joined


def _package_path(url_path: str) -> str | None:
    """A URL path (percent-encoded, maybe with ./ or ../) as a package file name; None if it leaves the package."""
    path = unquote(url_path).replace("\\", "/")
    if not path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return None
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return None
    return normal + ("/" if path.endswith("/") and normal != "." else "")


def _with_parameters(href: str, parameters: str) -> str:
    # SCORM CAM's rule: trim; drop one leading ? or &; a #fragment only when the href has neither ? nor #.
    parameters = parameters.strip()
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href if ("#" in href or "?" in href) else href + parameters
    parameters = parameters[1:] if parameters[0] in "?&" else parameters
    return href + ("&" if "?" in href else "?") + parameters
