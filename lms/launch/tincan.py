"""Tin Can packages (``tincan.xml``, the launch convention before cmi5): the launchable activities of a package,
and their launch URL (endpoint, auth, actor, registration and activity_id on the query string).

A package's activities report their own statements under their own ids; the LMS only launches them and reads
completion from those statements. Nothing here touches the database or the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from lms.launch.cmi5 import PackageInvalid, is_iri
from lms.launch.packages import PackageError, read_xml

NS = "http://projecttincan.com/tincan.xsd"
# The launch parameters the LMS appends (the Tin Can launch convention): a launch URL must not use them itself.
LAUNCH_PARAMETERS = ("endpoint", "auth", "actor", "registration", "activity_id")
RULE = "Tin Can launch"


@dataclass
class Activity:
    id: str
    type: str | None
    name: dict[str, str]
    description: dict[str, str]
    url: str | None  # None for an activity that is not launched (an objective, a module inside the content)
    is_relative: bool = False


@dataclass
class TinCanPackage:
    activities: list[Activity]
    warnings: list[str] = field(default_factory=list)

    @property
    def launchable(self) -> list[Activity]:
        return [activity for activity in self.activities if activity.url]

    @property
    def course(self) -> Activity:
        """The activity that names the package: its course activity, else its first launchable one."""
        return next((a for a in self.activities if (a.type or "").endswith("/activities/course")),
                    self.launchable[0])


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _texts(element, name: str) -> dict[str, str]:
    texts = {}
    for child in element.findall(_q(name)):
        text = " ".join((child.text or "").split())
        if text:
            texts.setdefault((child.get("lang") or "und").strip() or "und", text)
    return texts


def parse_tincan(data: bytes, *, package_names: set[str] | None, name: str = "tincan.xml") -> TinCanPackage:
    """Parse a tincan.xml. ``package_names`` are the zip's files (None for a bare XML: launch URLs must then be
    absolute). Raises PackageInvalid naming the problem."""
    try:
        root = read_xml(data, name)
    except PackageError as error:
        raise PackageInvalid(f"{RULE}: tincan.xml is well-formed XML", str(error)) from None
    if root.tag != _q("tincan"):
        raise PackageInvalid(f"{RULE}: the root element is <tincan xmlns=\"{NS}\">",
                             f"{name} starts with <{root.tag.rsplit('}', 1)[-1]}>")
    activities, seen = [], set()
    for element in root.iter(_q("activity")):
        activity_id = (element.get("id") or "").strip()
        if not is_iri(activity_id):
            raise PackageInvalid(f"{RULE}: activity ids are IRIs", f"{name}: the activity id {activity_id!r} is not "
                                                                    "an absolute IRI")
        if activity_id in seen:
            raise PackageInvalid(f"{RULE}: activity ids are unique", f"{name}: the activity id {activity_id} is used "
                                                                      "twice")
        seen.add(activity_id)
        launch = element.find(_q("launch"))
        url = (launch.text or "").strip() if launch is not None else ""
        name_map = _texts(element, "name") or {"und": activity_id}
        activity = Activity(id=activity_id, type=(element.get("type") or "").strip() or None, name=name_map,
                            description=_texts(element, "description"), url=url or None)
        if url:
            activity.is_relative = _check_url(url, activity_id, package_names, name)
        activities.append(activity)
    package = TinCanPackage(activities)
    if not package.launchable:
        raise PackageInvalid(f"{RULE}: a package has at least one activity with a <launch> URL",
                             f"{name} has no activity with a <launch> element")
    return package


def _check_url(url: str, activity_id: str, package_names: set[str] | None, name: str) -> bool:
    parts = urlsplit(url)
    clashing = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} & set(LAUNCH_PARAMETERS))
    where = f"{name}: the activity {activity_id}"
    if clashing:
        raise PackageInvalid(f"{RULE}: a launch URL's own query string must not use "
                             + ", ".join(LAUNCH_PARAMETERS), f"{where} launches {url!r}, which uses "
                                                              + ", ".join(clashing))
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise PackageInvalid(f"{RULE}: an absolute launch URL is a web address",
                                 f"{where} launches {url!r}: it must start with http:// or https://")
        return False
    path = unquote(parts.path)
    if package_names is None:
        raise PackageInvalid(f"{RULE}: a tincan.xml without its zip has only absolute launch URLs",
                             f"{where} launches the relative URL {url!r}: upload the whole zip")
    if parts.netloc or path.startswith("/") or ".." in path.split("/") or path not in package_names:
        raise PackageInvalid(f"{RULE}: a relative launch URL points at a file of the package",
                             f"{where} launches {url!r}, but the package has no file {path!r}")
    return True


def launch_url(base: str, *, endpoint: str, authorization: str, actor: dict, registration: str,
               activity_id: str) -> str:
    """The activity's URL with the Tin Can launch parameters appended to its own query string."""
    parts = urlsplit(base)
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        ("endpoint", endpoint), ("auth", authorization),
        ("actor", json.dumps(actor, separators=(",", ":"))), ("registration", registration),
        ("activity_id", activity_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
