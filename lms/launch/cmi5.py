"""cmi5 course structures (``cmi5.xml``, cmi5 Quartz sections 13 and 14): parsed with defusedxml, checked against
CourseStructure.xsd and against the spec's own rules, and turned into plain data.

Blocks become modules by one rule: every maximal run of consecutive AUs with the same parent (the course or a
block) is one module, named after that parent: the course's title at the top level, else the block's title after
the titles of the blocks around it ("Outer › Inner"). A block holding AUs, then a nested block, then more AUs
thus gives three modules; a block holding only blocks gives none of its own. Blocks themselves are kept (with
their AUs) for their ``satisfied`` statements.

Every refusal is a ``PackageInvalid`` that names the rule it applies (its section of the cmi5 specification) and
what in the file breaks it. The XSD lives outside the code (config ``LMS_CMI5_XSD``, default the shared copy); when
it or the ``xmlschema`` library is missing, the spec's rules are still checked and the result carries a warning.
Nothing here touches the database or the request.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree.ElementTree import Element

from lms.launch.packages import PackageError, read_xml
from lms.tracking.validation import StatementInvalid, validate_statement

log = logging.getLogger(__name__)

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
DEFAULT_XSD = Path(__file__).resolve().parents[3] / "shared" / "cmi5-xsd" / "CourseStructure.xsd"
MOVE_ON = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
LAUNCH_MODES = ("Normal", "Browse", "Review")
# The launch parameters the LMS appends to an AU's URL (8.1): the URL's own query string must not use them.
LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")
URL_SCHEMES = ("http", "https")  # a browser LMS can only launch web content
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


class PackageInvalid(ValueError):
    """A package or course structure the LMS refuses: the rule it breaks and what breaks it."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule, self.message = rule, message
        super().__init__(f"{message} ({rule})")


# --- the parsed shapes ----------------------------------------------------------------------------------------

@dataclass
class AU:
    """One assignable unit, with every launch datum of the course structure (13.1.4), text trimmed."""

    id: str
    title: dict[str, str]  # language tag as written (or "und") -> text
    description: dict[str, str]
    url: str
    is_relative: bool
    move_on: str = "NotApplicable"
    mastery_score: float | None = None
    launch_method: str = "AnyWindow"
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    activity_type: str | None = None
    objectives: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # ids of the enclosing blocks, outermost first
    index: int = 0  # position in course-structure order


@dataclass
class Block:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    objectives: list[str] = field(default_factory=list)
    parent: str | None = None  # the enclosing block's id, None at the top level
    au_ids: list[str] = field(default_factory=list)  # every AU inside, nested blocks included


@dataclass
class ModulePlan:
    """A run of consecutive AUs with the same parent, which becomes one module (the rule is in the module's
    docstring)."""

    title_path: list[dict[str, str]]  # the enclosing titles, outermost first (the course's title at the top level)
    au_ids: list[str]


@dataclass
class Course:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    aus: list[AU]
    blocks: list[Block]
    objectives: dict[str, dict]  # id -> {"title": ..., "description": ...}
    plan: list[ModulePlan]
    warnings: list[str] = field(default_factory=list)


# --- entry point ----------------------------------------------------------------------------------------------

def parse_course_structure(data: bytes, *, package_names: set[str] | None, xsd_path: str | Path | None = None,
                           name: str = "cmi5.xml") -> Course:
    """Parse and check a course structure.

    ``package_names`` are the files of the zip it came in (None for a bare cmi5.xml: every AU URL must then be
    absolute, 14.2). Raises PackageInvalid naming the broken rule.
    """
    try:
        root = read_xml(data, name)
    except PackageError as error:
        raise PackageInvalid("cmi5 13.2: the course structure must be well-formed XML", str(error)) from None
    if root.tag != f"{{{NS}}}courseStructure":
        raise PackageInvalid("cmi5 13.2: the root element is courseStructure in the cmi5 namespace",
                             f"{name} starts with <{_local(root.tag)}>{_namespace_note(root.tag)}, not "
                             f"<courseStructure xmlns=\"{NS}\">")
    # The spec's rules first: their messages say what to change in words an author knows; the schema then
    # catches whatever else does not conform.
    course = _Reader(name, package_names, []).course(root)
    warning = _check_schema(root, xsd_path, name)
    if warning:
        course.warnings.append(warning)
    return course


# --- XSD ------------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _schema(path: str):
    import xmlschema  # optional at run time: see _check_schema

    return xmlschema.XMLSchema(path)


def _check_schema(root: Element, xsd_path: str | Path | None, name: str) -> str | None:
    """Validate against CourseStructure.xsd. Returns a warning when the check could not run; raises PackageInvalid
    for the first schema violation."""
    path = Path(xsd_path) if xsd_path else DEFAULT_XSD
    if not path.is_file():
        message = (f"{name} was not checked against CourseStructure.xsd (no schema at {path}; set LMS_CMI5_XSD): "
                   "only the cmi5 rules were checked.")
        log.warning(message)
        return message
    try:
        schema = _schema(str(path))
    except ImportError:
        message = (f"{name} was not checked against CourseStructure.xsd (the xmlschema library is not installed): "
                   "only the cmi5 rules were checked.")
        log.warning(message)
        return message
    error = next(iter(schema.iter_errors(root)), None)
    if error is not None:
        where = f" at {error.path}" if getattr(error, "path", None) else ""
        reason = error.reason or str(error).splitlines()[0]
        message = f"{name} does not match the cmi5 schema{where}: {reason}".replace(f"{{{NS}}}", "")
        raise PackageInvalid("cmi5 13.2: the course structure must conform to CourseStructure.xsd", message)
    return None


# --- reading --------------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace_note(tag: str) -> str:
    return f" in namespace {tag[1:].split('}')[0]}" if tag.startswith("{") else " without a namespace"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def is_iri(value: str) -> bool:
    """An absolute IRI, as the xAPI validator (the one place that knows) checks activity ids."""
    try:
        validate_statement({"actor": {"mbox": "mailto:probe@example.org"}, "verb": {"id": "http://example.org/v"},
                            "object": {"id": value}})
    except StatementInvalid:
        return False
    return True


class _Reader:
    """Walks a course structure in document order, checking each rule as it meets the element."""

    def __init__(self, name: str, package_names: set[str] | None, warnings: list[str]) -> None:
        self.name, self.package_names, self.warnings = name, package_names, warnings
        self.ids: dict[str, str] = {}  # id -> what it identifies, for uniqueness
        self.objectives: dict[str, dict] = {}
        self.aus: list[AU] = []
        self.blocks: list[Block] = []
        self.plan: list[ModulePlan] = []

    def fail(self, rule: str, message: str):
        raise PackageInvalid(rule, f"{self.name}: {message}")

    def course(self, root: Element) -> Course:
        course = root.find(_q("course"))
        if course is None:
            self.fail("cmi5 13.1.1: a course structure has a course element", "there is no <course> element")
        course_id = self._id(course, "course", "cmi5 13.1.1: the course id is a globally unique IRI")
        title = self._text(course, "title", "course", "cmi5 13.1.1: a course has a title")
        description = self._text(course, "description", "course", "cmi5 13.1.1: a course has a description")
        objectives = root.find(_q("objectives"))
        if objectives is not None:
            self._objectives(objectives)
        self._children(root, parents=[], title_path=[title])
        if not self.aus:
            self.fail("cmi5 5.0: a course structure contains at least one AU", "the course holds no <au>")
        return Course(id=course_id, title=title, description=description, aus=self.aus, blocks=self.blocks,
                      objectives=self.objectives, plan=self.plan, warnings=self.warnings)

    def _children(self, element: Element, parents: list[Block], title_path: list[dict]) -> int:
        """Read the AUs and blocks under ``element`` in order; returns how many there were."""
        run: ModulePlan | None = None
        count = 0
        for child in element:
            tag = child.tag
            if tag == _q("au"):
                au = self._au(child, parents)
                if run is None:
                    run = ModulePlan(title_path=list(title_path), au_ids=[])
                    self.plan.append(run)
                run.au_ids.append(au.id)
                count += 1
            elif tag == _q("block"):
                run = None  # AUs after a block start a new module: the block sits between them
                self._block(child, parents, title_path)
                count += 1
        return count

    def _block(self, element: Element, parents: list[Block], title_path: list[dict]) -> None:
        block_id = self._id(element, "block", "cmi5 13.1.2: a block id is a globally unique IRI")
        block = Block(
            id=block_id,
            title=self._text(element, "title", f"block {block_id}", "cmi5 13.1.2: a block has a title"),
            description=self._text(element, "description", f"block {block_id}",
                                   "cmi5 13.1.2: a block has a description"),
            objectives=self._objective_refs(element, f"block {block_id}", "cmi5 13.1.2"),
            parent=parents[-1].id if parents else None,
        )
        self.blocks.append(block)
        if not self._children(element, parents + [block], title_path + [block.title]):
            self.fail("cmi5 13.1.2: a block consists of one or more AUs or blocks",
                      f"block {block_id} holds no <au> or <block>")

    def _au(self, element: Element, parents: list[Block]) -> AU:
        au_id = self._id(element, "AU", "cmi5 13.1.4: an AU id is an IRI unique within the course structure")
        where = f"AU {au_id}"
        move_on = (element.get("moveOn") or "NotApplicable").strip()
        if move_on not in MOVE_ON:
            self.fail("cmi5 13.1.4: moveOn is one of " + ", ".join(MOVE_ON), f"{where} has moveOn {move_on!r}")
        launch_method = (element.get("launchMethod") or "AnyWindow").strip()
        if launch_method not in LAUNCH_METHODS:
            self.fail("cmi5 13.1.4: launchMethod is AnyWindow or OwnWindow",
                      f"{where} has launchMethod {launch_method!r}")
        activity_type = (element.get("activityType") or "").strip() or None
        if activity_type is not None and not is_iri(activity_type):
            self.fail("cmi5 13.1.4: activityType is an IRI", f"{where} has activityType {activity_type!r}")
        url_element = element.find(_q("url"))
        url = (url_element.text or "").strip() if url_element is not None else ""
        if not url:
            self.fail("cmi5 13.1.4: an AU has a url", f"{where} has no <url>")
        is_relative = self._check_url(url, where)
        au = AU(
            id=au_id,
            title=self._text(element, "title", where, "cmi5 13.1.4: an AU has a title"),
            description=self._text(element, "description", where, "cmi5 13.1.4: an AU has a description"),
            url=url, is_relative=is_relative, move_on=move_on,
            mastery_score=self._mastery_score(element.get("masteryScore"), where),
            launch_method=launch_method,
            launch_parameters=self._optional_text(element, "launchParameters"),
            entitlement_key=self._optional_text(element, "entitlementKey"),
            activity_type=activity_type,
            objectives=self._objective_refs(element, where, "cmi5 13.1.4"),
            blocks=[block.id for block in parents],
            index=len(self.aus),
        )
        self.aus.append(au)
        for block in parents:
            block.au_ids.append(au_id)
        return au

    # -- values --------------------------------------------------------------------------------------------

    def _id(self, element: Element, what: str, rule: str) -> str:
        value = (element.get("id") or "").strip()
        if not value:
            self.fail(rule, f"a <{_local(element.tag)}> has no id")
        if not is_iri(value):
            self.fail("cmi5 3.0: IRIs are fully qualified, not IRI references",
                      f"the {what} id {value!r} is not an absolute IRI")
        if value in self.ids:
            self.fail(rule, f"the {what} id {value} is used twice (it is also the id of the "
                            f"{self.ids[value]} before it)")
        self.ids[value] = what
        return value

    def _text(self, element: Element, name: str, where: str, rule: str) -> dict[str, str]:
        """A langstring text (title, description): language tag -> trimmed text (13.1); at least one non-empty."""
        container = element.find(_q(name))
        texts = {}
        if container is not None:
            for langstring in container.findall(_q("langstring")):
                text = " ".join((langstring.text or "").split())
                if text:
                    texts.setdefault((langstring.get("lang") or "und").strip() or "und", text)
        if not texts:
            self.fail(rule, f"{where} has no <{name}> text (a <langstring> inside <{name}>)")
        return texts

    @staticmethod
    def _optional_text(element: Element, name: str) -> str | None:
        found = element.find(_q(name))
        if found is None:
            return None
        return (found.text or "").strip()

    def _mastery_score(self, value: str | None, where: str) -> float | None:
        if value is None:
            return None
        rule = "cmi5 13.1.4: masteryScore is a decimal from 0 to 1 with up to 4 decimal places"
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            self.fail(rule, f"{where} has masteryScore {value!r}")
        if not number.is_finite() or not 0 <= number <= 1 or -number.as_tuple().exponent > 4:
            self.fail(rule, f"{where} has masteryScore {value!r}")
        return float(number)

    def _objectives(self, element: Element) -> None:
        for objective in element.findall(_q("objective")):
            objective_id = (objective.get("id") or "").strip()
            rule = "cmi5 13.1.3: an objective id is a unique IRI"
            if not is_iri(objective_id):
                self.fail("cmi5 3.0: IRIs are fully qualified, not IRI references",
                          f"the objective id {objective_id!r} is not an absolute IRI")
            if objective_id in self.objectives:
                self.fail(rule, f"the objective id {objective_id} is used twice")
            where = f"objective {objective_id}"
            self.objectives[objective_id] = {
                "title": self._text(objective, "title", where, "cmi5 13.1.3: an objective has a title"),
                "description": self._text(objective, "description", where,
                                          "cmi5 13.1.3: an objective has a description"),
            }

    def _objective_refs(self, element: Element, where: str, section: str) -> list[str]:
        container = element.find(_q("objectives"))
        if container is None:
            return []
        refs = []
        for reference in container.findall(_q("objective")):
            idref = (reference.get("idref") or "").strip()
            if idref not in self.objectives:
                self.fail(f"{section}: objectives reference objectives declared in the course structure",
                          f"{where} references the objective {idref!r}, which the course does not declare")
            refs.append(idref)
        return refs

    def _check_url(self, url: str, where: str) -> bool:
        """Check an AU URL (13.1.4, 8.1, 14.2). Returns whether it is relative (a file of the package)."""
        if _CONTROL_OR_SPACE.search(url):
            self.fail("cmi5 13.1.4: the url conforms to RFC 1738",
                      f"{where} has the url {url!r}, which contains spaces or control characters (percent-encode "
                      "them)")
        try:
            parts = urlsplit(url)
        except ValueError:
            self.fail("cmi5 13.1.4: the url conforms to RFC 1738", f"{where} has the url {url!r}, which is not a URL")
        clashing = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
                          & set(LAUNCH_PARAMETERS))
        if clashing:
            self.fail("cmi5 8.1: an AU URL's own query string must not use the launch parameter names "
                      + ", ".join(LAUNCH_PARAMETERS),
                      f"{where} has the url {url!r}, whose query string uses {', '.join(clashing)}")
        if parts.scheme:
            if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc:
                self.fail("cmi5 13.1.4: the url is a relative or fully qualified URL",
                          f"{where} has the url {url!r}: this LMS launches AUs in a web browser, so an absolute URL "
                          "must start with http:// or https:// and name a host")
            return False
        if parts.netloc:  # "//host/path": scheme-relative, neither a package file nor fully qualified
            self.fail("cmi5 13.1.4: the url is a relative or fully qualified URL",
                      f"{where} has the url {url!r}, which names a host but no scheme")
        if self.package_names is None:
            self.fail("cmi5 14.2: a course structure without a zip package has only fully qualified AU URLs",
                      f"{where} has the relative url {url!r}, but there is no package for it to point into: "
                      "upload the zip, or give the AU an absolute URL")
        path = unquote(parts.path)
        segments = path.split("/")
        if path.startswith("/") or ".." in segments or not path:
            self.fail("cmi5 14.1: a relative AU URL points at a file inside the package",
                      f"{where} has the url {url!r}, which points outside the package")
        if path not in self.package_names:
            self.fail("cmi5 14.1: a relative AU URL points at a file inside the package",
                      f"{where} has the url {url!r}, but the package has no file {path!r}")
        return True


# --- language maps for the catalog -----------------------------------------------------------------------------

def catalog_text(texts: dict[str, str]) -> dict[str, str]:
    """A cmi5 langstring map as the catalog's language map (``en``, ``zh-Hans``): the first English text, the first
    Chinese one; and when there is no English text, the first text of any language stands in for it (texts fall
    back to English)."""
    found: dict[str, str] = {}
    for tag, text in texts.items():
        lowered = tag.lower()
        if lowered.startswith("zh"):
            found.setdefault("zh-Hans", text)
        elif lowered == "en" or lowered.startswith("en-"):
            found.setdefault("en", text)
    if "en" not in found:
        found["en"] = next(iter(texts.values()))
    return {language: found[language] for language in ("en", "zh-Hans") if language in found}


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


def xapi_language_map(texts: dict[str, str]) -> dict[str, str]:
    """A langstring map as an xAPI language map: a key that is not a language tag (the schema may not have been
    checked) becomes "und", so the LMS's statements about the AU stay valid."""
    result: dict[str, str] = {}
    for tag, text in texts.items():
        result.setdefault(tag if _LANGUAGE_TAG.match(tag) else "und", text)
    return result


def joined_title(path: list[dict[str, str]]) -> dict[str, str]:
    """A module title from the titles of its enclosing course/blocks: the innermost one, preceded by the blocks
    around it (``Block › Nested block``), per language."""
    titles = [catalog_text(texts) for texts in path]
    shown = titles[1:] if len(titles) > 1 else titles  # below the course, the course's own title adds nothing
    languages = {language for title in shown for language in title}
    return {language: " › ".join(title.get(language) or title["en"] for title in shown)
            for language in ("en", "zh-Hans") if language in languages}
