"""A course as a SCORM zip: SCORM 2004 4th edition (the default) or SCORM 1.2.

The LMS describes its course with the plain dataclasses below (nothing here imports ``lms``); ``export_package``
returns the zip's bytes. Every lesson is a SCO: its HTML (already sanitised by the LMS) in a small page whose script
finds the LMS's API, initializes, sets completion and terminates. Every quiz is a SCO that shows the questions,
grades them in the browser and reports the score, success and each answer (as interactions). Organizations mirror
the modules. The manifest validates against the IMS/ADL schemas of its version.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from scorm.assets import QUIZ_JS, RUNTIME_JS, STYLE_CSS
from scorm.manifest import SCORM_12, SCORM_2004

QUESTION_KINDS = ("single", "multiple", "true_false")
SHARED_FILES = {"shared/scorm.js": RUNTIME_JS, "shared/quiz.js": QUIZ_JS, "shared/style.css": STYLE_CSS}
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NCNAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
# A fixed date for every zip entry, so the same course exports to the same bytes.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


# --- What the LMS passes in --------------------------------------------------------------------------------------

@dataclass
class ExportOption:
    id: str
    text: str


@dataclass
class ExportQuestion:
    """A question: ``single`` or ``multiple`` choice among ``options``, or ``true_false``.

    ``correct`` lists the ids of the correct options (``["true"]`` or ``["false"]`` for true_false).
    """

    id: str
    kind: str
    prompt: str
    correct: list[str]
    options: list[ExportOption] = field(default_factory=list)
    feedback: str = ""


@dataclass
class ExportLesson:
    slug: str
    title: str
    html: str  # the lesson body, sanitised HTML


@dataclass
class ExportQuiz:
    slug: str
    title: str
    questions: list[ExportQuestion]
    pass_mark: int = 70  # percent of questions answered correctly
    intro_html: str = ""


@dataclass
class ExportModule:
    slug: str
    title: str
    items: list[ExportLesson | ExportQuiz]


@dataclass
class ExportLabels:
    """The words the exported pages show, in the course's language (the LMS translates them)."""

    check: str = "Check my answers"
    score: str = "Your score:"
    passed: str = "Passed."
    failed: str = "Not passed."
    correct: str = "Correct"
    incorrect: str = "Incorrect"
    true: str = "True"
    false: str = "False"
    no_lms: str = "This page is not connected to a learning management system, so your progress is not saved."


@dataclass
class ExportCourse:
    slug: str
    title: str
    modules: list[ExportModule]
    language: str = "en"
    version: str = "1"
    labels: ExportLabels = field(default_factory=ExportLabels)


# --- Versions ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Flavor:
    """What differs between the two manifests: namespaces, the version's name, and how a SCO is marked."""

    version: str
    schemaversion: str
    namespaces: dict[str, str]  # prefix ("" for the default) -> namespace
    schema_location: str
    scorm_type_attribute: str


_FLAVORS = {
    SCORM_2004: _Flavor(
        version=SCORM_2004, schemaversion="2004 4th Edition",
        namespaces={"": "http://www.imsglobal.org/xsd/imscp_v1p1", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
                    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
                    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3", "imsss": "http://www.imsglobal.org/xsd/imsss"},
        schema_location="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd "
                        "http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd "
                        "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
                        "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
                        "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd",
        scorm_type_attribute="scormType"),
    SCORM_12: _Flavor(
        version=SCORM_12, schemaversion="1.2",
        namespaces={"": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
                    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"},
        schema_location="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
                        "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd",
        scorm_type_attribute="scormtype"),
}


# --- Building ----------------------------------------------------------------------------------------------------

def export_package(course: ExportCourse, version: str = SCORM_2004) -> bytes:
    """The course as a SCORM zip (2004 4th edition, or 1.2 with ``version="1.2"``).

    Raises ValueError for a course that cannot be exported (no modules or items, a duplicate slug, a question
    of an unknown kind or whose correct answers are not among its options).
    """
    flavor = _FLAVORS[version]
    _check(course)
    pages = {_page_path(module, item): _page(course, item) for module in course.modules for item in module.items}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "imsmanifest.xml", manifest_xml(course, flavor.version))
        for path, text in {**SHARED_FILES, **pages}.items():
            _write(archive, path, text.encode("utf-8"))
    return buffer.getvalue()


def manifest_xml(course: ExportCourse, version: str = SCORM_2004) -> bytes:
    """The imsmanifest.xml of the course's package, as UTF-8 bytes."""
    flavor = _FLAVORS[version]
    # Prefixed names are written literally, with their xmlns declarations on the root: ElementTree's own
    # namespace handling would need its process-wide prefix table, and 1.2 and 2004 both call theirs "adlcp".
    declarations = {("xmlns:" + prefix if prefix else "xmlns"): uri for prefix, uri in flavor.namespaces.items()}
    root = ET.Element("manifest", {"identifier": _ncname("MANIFEST", course.slug), "version": course.version,
                                   **declarations, "xmlns:xsi": _XSI, "xsi:schemaLocation": flavor.schema_location})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "ADL SCORM"
    ET.SubElement(metadata, "schemaversion").text = flavor.schemaversion
    org_id = _ncname("ORG", course.slug)
    organization = ET.SubElement(ET.SubElement(root, "organizations", {"default": org_id}),
                                 "organization", {"identifier": org_id})
    ET.SubElement(organization, "title").text = course.title
    resources = ET.Element("resources")
    for module in course.modules:
        module_item = ET.SubElement(organization, "item", {"identifier": _ncname("MOD", module.slug)})
        ET.SubElement(module_item, "title").text = module.title
        for item in module.items:
            identifier = _item_id(module, item)
            element = ET.SubElement(module_item, "item", {"identifier": identifier,
                                                              "identifierref": "RES-" + identifier})
            ET.SubElement(element, "title").text = item.title
            if flavor.version == SCORM_12 and isinstance(item, ExportQuiz):
                ET.SubElement(element, "adlcp:masteryscore").text = str(item.pass_mark)
            if flavor.version == SCORM_2004:
                _sco_sequencing(element, identifier, item)
            path = _page_path(module, item)
            resource = ET.SubElement(resources, "resource", {
                "identifier": "RES-" + identifier, "type": "webcontent", "href": path,
                "adlcp:" + flavor.scorm_type_attribute: "sco"})
            ET.SubElement(resource, "file", {"href": path})
            ET.SubElement(resource, "dependency", {"identifierref": "RES-shared"})
        if flavor.version == SCORM_2004:
            _control_mode(module_item)
    if flavor.version == SCORM_2004:
        _control_mode(organization)
    shared = ET.SubElement(resources, "resource", {"identifier": "RES-shared", "type": "webcontent",
                                                        "adlcp:" + flavor.scorm_type_attribute: "asset"})
    for path in SHARED_FILES:
        ET.SubElement(shared, "file", {"href": path})
    root.append(resources)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _control_mode(parent: ET.Element) -> None:
    # Both choice (the item tree) and flow (Continue/Previous) at every level, so any LMS offers both.
    sequencing = ET.SubElement(parent, "imsss:sequencing")
    ET.SubElement(sequencing, "imsss:controlMode", {"choice": "true", "flow": "true"})


def _sco_sequencing(element: ET.Element, identifier: str, item: ExportLesson | ExportQuiz) -> None:
    sequencing = ET.SubElement(element, "imsss:sequencing")
    if isinstance(item, ExportQuiz):
        # The LMS passes this to the quiz as cmi.scaled_passing_score and judges success by it.
        objectives = ET.SubElement(sequencing, "imsss:objectives")
        primary = ET.SubElement(objectives, "imsss:primaryObjective",
                                {"objectiveID": "PASS-" + identifier, "satisfiedByMeasure": "true"})
        ET.SubElement(primary, "imsss:minNormalizedMeasure").text = f"{item.pass_mark / 100:g}"
    ET.SubElement(sequencing, "imsss:deliveryControls",
                  {"completionSetByContent": "true", "objectiveSetByContent": "true"})


# --- Pages -------------------------------------------------------------------------------------------------------

def _page(course: ExportCourse, item: ExportLesson | ExportQuiz) -> str:
    if isinstance(item, ExportLesson):
        return _html_page(course, item.title, "lesson", item.html, scripts=("../shared/scorm.js",))
    return _html_page(course, item.title, "quiz", _quiz_body(course, item),
                      scripts=("../shared/scorm.js", "../shared/quiz.js"))


def _html_page(course: ExportCourse, title: str, kind: str, body: str, scripts: tuple[str, ...]) -> str:
    script_tags = "\n".join(f'<script src="{src}"></script>' for src in scripts)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(course.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="../shared/style.css">
{script_tags}
</head>
<body data-kind="{kind}">
<main>
<p id="scorm-status" class="notice" role="status" hidden>{html.escape(course.labels.no_lms)}</p>
<h1>{html.escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def _quiz_body(course: ExportCourse, quiz: ExportQuiz) -> str:
    labels = course.labels
    parts = [quiz.intro_html, '<form id="quiz" novalidate>']
    key_questions = []
    for number, question in enumerate(quiz.questions, start=1):
        name = _interaction_id(question.id)
        if question.kind == "true_false":
            options = [ExportOption("true", labels.true), ExportOption("false", labels.false)]
            interaction_type = "true-false"
        else:
            options, interaction_type = question.options, "choice"
        input_type = "checkbox" if question.kind == "multiple" else "radio"
        parts.append(f'<fieldset class="question" data-question="{html.escape(name)}">')
        parts.append(f"<legend>{number}. {html.escape(question.prompt)}</legend>")
        for option in options:
            parts.append(f'<label><input type="{input_type}" name="{html.escape(name)}" '
                         f'value="{html.escape(option.id)}"> <span>{html.escape(option.text)}</span></label>')
        parts.append('<p class="verdict" role="status" hidden></p>')
        if question.feedback:
            parts.append(f'<p class="feedback" hidden>{html.escape(question.feedback)}</p>')
        parts.append("</fieldset>")
        key_questions.append({"id": name, "type": interaction_type, "correct": list(question.correct)})
    parts.append(f'<button type="submit">{html.escape(labels.check)}</button>')
    parts.append("</form>")
    parts.append('<p id="quiz-result" role="status" aria-live="polite" hidden></p>')
    key = {"pass": quiz.pass_mark / 100, "questions": key_questions,
           "labels": {"score": labels.score, "passed": labels.passed, "failed": labels.failed,
                      "correct": labels.correct, "incorrect": labels.incorrect}}
    # "<" escaped so that no text in the key can close the script element.
    parts.append('<script type="application/json" id="quiz-key">'
                 + json.dumps(key, ensure_ascii=False).replace("<", "\\u003c") + "</script>")
    return "\n".join(parts)


# --- Checks and names --------------------------------------------------------------------------------------------

def _check(course: ExportCourse) -> None:
    if not any(module.items for module in course.modules):
        raise ValueError(f"The course “{course.title}” has no lessons or quizzes to export.")
    seen: set[str] = set()
    for module in course.modules:
        for item in module.items:
            identifier = _item_id(module, item)
            if identifier in seen:
                raise ValueError(f"“{item.slug}” appears twice in the module “{module.title}”.")
            seen.add(identifier)
            if isinstance(item, ExportQuiz):
                _check_quiz(item)


def _check_quiz(quiz: ExportQuiz) -> None:
    if not quiz.questions:
        raise ValueError(f"The quiz “{quiz.title}” has no questions.")
    if not 0 <= quiz.pass_mark <= 100:
        raise ValueError(f"The quiz “{quiz.title}” has a pass mark of {quiz.pass_mark}; it must be 0 to 100.")
    for question in quiz.questions:
        if question.kind not in QUESTION_KINDS:
            raise ValueError(f"The question “{question.id}” in “{quiz.title}” is of the unknown kind "
                             f"“{question.kind}”.")
        allowed = {"true", "false"} if question.kind == "true_false" else {option.id for option in question.options}
        if not question.correct or not set(question.correct) <= allowed:
            raise ValueError(f"The question “{question.id}” in “{quiz.title}” has correct answers that are not "
                             f"among its options.")


def _page_path(module: ExportModule, item: ExportLesson | ExportQuiz) -> str:
    kind = "quiz" if isinstance(item, ExportQuiz) else "lesson"
    return f"{_file_name(module.slug)}/{kind}-{_file_name(item.slug)}.html"


def _item_id(module: ExportModule, item: ExportLesson | ExportQuiz) -> str:
    kind = "QUIZ" if isinstance(item, ExportQuiz) else "LESSON"
    return _ncname(kind, f"{module.slug}-{item.slug}")


def _ncname(prefix: str, text: str) -> str:
    """An XML ID (NCName) from a slug: unsafe characters become "_", and the prefix makes it start with a letter."""
    return f"{prefix}-{_NCNAME_UNSAFE.sub('_', text)}"


def _file_name(slug: str) -> str:
    return _NCNAME_UNSAFE.sub("_", slug) or "_"


def _interaction_id(question_id: str) -> str:
    # Valid as both 1.2's CMIIdentifier and 2004's long identifier: printable ASCII, no spaces.
    return _NCNAME_UNSAFE.sub("_", question_id) or "question"


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    archive.writestr(info, data)
