"""scorm.export: the zips validate against the IMS/ADL schemas, read back with our own parser to the same
structure, and their pages report through a SCORM API in a real browser."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from scorm.cmi import changes, check_commit, initial_state
from scorm.events import commit_events
from scorm.export import (
    ExportCourse, ExportLabels, ExportLesson, ExportModule, ExportOption, ExportQuestion, ExportQuiz, export_package,
    manifest_xml,
)
from scorm.manifest import SCORM_12, SCORM_2004, read_manifest
from scorm.package import Package

from .conftest import XSD, requires_shared

VERSIONS = (SCORM_2004, SCORM_12)


def _course() -> ExportCourse:
    quiz = ExportQuiz(slug="contract-check", title="Check: your contract", pass_mark=70, questions=[
        ExportQuestion(id="q1", kind="single", prompt="Longest probation for a 2-year contract?", correct=["b"],
                       options=[ExportOption("a", "1 month"), ExportOption("b", "2 months"),
                                ExportOption("c", "6 months")], feedback="Art. 19: at most 2 months."),
        ExportQuestion(id="q2", kind="true_false", prompt="No written contract after 8 months is fine.",
                       correct=["false"]),
        ExportQuestion(id="q3", kind="multiple", prompt="When may a worker leave at once?", correct=["a", "c"],
                       options=[ExportOption("a", "Forced labour"), ExportOption("b", "A pay cut of 1%"),
                                ExportOption("c", "Danger to life")]),
    ])
    return ExportCourse(slug="labor-contract-basics", title="Labor contract basics <&> rights", modules=[
        ExportModule("basics", "The basics", [
            ExportLesson("what-is-a-contract", "What is a labor contract?", "<p>A contract <b>binds</b>.</p>"),
            quiz]),
        ExportModule("ending", "Ending a contract", [
            ExportLesson("dismissal", "Dismissal & severance", "<h2>Notice</h2><p>30 days.</p>")]),
    ])


def _read(data: bytes):
    with Package.open(data) as package:
        return read_manifest(package), package.names


def _structure(manifest) -> list:
    return [(module.title, [(item.title, manifest.resource_for(item).is_sco, item.mastery_score,
                             item.scaled_passing_score) for item in module.children])
            for module in manifest.organization.items]


# --- Schemas -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schemas():
    if not XSD.is_dir():
        pytest.skip(f"{XSD} is absent: the SCORM schemas are shared test material beside the repository")
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is a test dependency (pip install -e '.[test]')")
    folder_2004, folder_12 = XSD / "2004-4th", XSD / "1.2"
    scorm_2004 = xmlschema.XMLSchema(str(folder_2004 / "imscp_v1p1.xsd"), locations=[
        ("http://www.adlnet.org/xsd/adlcp_v1p3", str(folder_2004 / "adlcp_v1p3.xsd")),
        ("http://www.adlnet.org/xsd/adlseq_v1p3", str(folder_2004 / "adlseq_v1p3.xsd")),
        ("http://www.adlnet.org/xsd/adlnav_v1p3", str(folder_2004 / "adlnav_v1p3.xsd")),
        ("http://www.imsglobal.org/xsd/imsss", str(folder_2004 / "imsss_v1p0.xsd"))])
    # 1.2's ims_xml.xsd binds the reserved xml namespace as its default, which today's XML parsers reject; the
    # 2004 folder's xml.xsd declares the same attributes (xml:lang, xml:base) correctly.
    scorm_12 = xmlschema.XMLSchema(
        str(folder_12 / "imscp_rootv1p1p2.xsd"),
        uri_mapper=lambda uri: str(folder_2004 / "xml.xsd") if uri.endswith("ims_xml.xsd") else uri,
        locations=[("http://www.adlnet.org/xsd/adlcp_rootv1p2", str(folder_12 / "adlcp_rootv1p2.xsd"))])
    return {SCORM_2004: scorm_2004, SCORM_12: scorm_12}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_exported_manifest_is_valid_against_the_versions_schemas(schemas, version):
    errors = [f"{error.path}: {error.reason}" for error in schemas[version].iter_errors(
        manifest_xml(_course(), version).decode())]
    assert errors == []


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("good, bad", [('identifier="MOD-basics"', ""), ('ype="sco"', 'ype="lesson"')])
def test_the_schema_check_catches_an_invalid_manifest(schemas, version, good, bad):
    text = manifest_xml(_course(), version).decode()
    assert good in text
    assert not schemas[version].is_valid(text.replace(good, bad, 1))


@requires_shared(XSD)
@pytest.mark.parametrize("name, version", [("01_scorm12_golf_runtimebasic_singlesco.zip", SCORM_12),
                                           ("05_scorm2004-3rd_golf_runtimebasic_singlesco.zip", SCORM_2004)])
def test_the_schemas_accept_the_real_golf_manifests(schemas, name, version):
    from .conftest import PACKAGES
    if not PACKAGES.is_dir():
        pytest.skip(f"{PACKAGES} is absent")
    with zipfile.ZipFile(PACKAGES / name) as archive:
        assert schemas[version].is_valid(archive.read("imsmanifest.xml").decode())


# --- Reading back ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version, edition", [(SCORM_2004, 4), (SCORM_12, None)])
def test_the_export_reads_back_as_its_version(version, edition):
    manifest, _ = _read(export_package(_course(), version))
    assert (manifest.version, manifest.edition, manifest.warnings) == (version, edition, [])


def test_the_2004_export_reads_back_to_the_same_structure():
    manifest, _ = _read(export_package(_course(), SCORM_2004))
    assert manifest.title == "Labor contract basics <&> rights"
    assert _structure(manifest) == [
        ("The basics", [("What is a labor contract?", True, None, None), ("Check: your contract", True, None, 0.7)]),
        ("Ending a contract", [("Dismissal & severance", True, None, None)])]
    assert manifest.organization.control_mode.flow and manifest.organization.control_mode.choice


def test_the_12_export_reads_back_to_the_same_structure():
    manifest, _ = _read(export_package(_course(), SCORM_12))
    assert _structure(manifest) == [
        ("The basics", [("What is a labor contract?", True, None, None), ("Check: your contract", True, 70.0, None)]),
        ("Ending a contract", [("Dismissal & severance", True, None, None)])]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_export_holds_every_page_and_the_shared_files(version):
    manifest, names = _read(export_package(_course(), version))
    assert sorted(names) == ["basics/lesson-what-is-a-contract.html", "basics/quiz-contract-check.html",
                             "ending/lesson-dismissal.html", "imsmanifest.xml", "shared/quiz.js",
                             "shared/scorm.js", "shared/style.css"]
    assert manifest.resources["RES-shared"].scorm_type == "asset"


def test_the_same_course_exports_to_the_same_bytes():
    assert export_package(_course()) == export_package(_course())


def test_lesson_html_is_kept_and_titles_are_escaped():
    with zipfile.ZipFile(io.BytesIO(export_package(_course()))) as archive:
        page = archive.read("ending/lesson-dismissal.html").decode()
    assert "<h2>Notice</h2><p>30 days.</p>" in page and "<h1>Dismissal &amp; severance</h1>" in page
    assert '<meta name="viewport"' in page and '<html lang="en">' in page


def test_the_quiz_key_cannot_close_its_script_element():
    course = _course()
    course.modules[0].items[1].questions[0].feedback = "</script><script>alert(1)</script>"
    course.labels = ExportLabels(passed="</script>")
    with zipfile.ZipFile(io.BytesIO(export_package(course))) as archive:
        page = archive.read("basics/quiz-contract-check.html").decode()
    key = page.split('<script type="application/json" id="quiz-key">', 1)[1].split("</script>", 1)[0]
    assert json.loads(key)["labels"]["passed"] == "</script>"
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize("change, message", [
    (lambda course: course.modules.clear(), "no lessons or quizzes"),
    (lambda course: course.modules[1].items.append(ExportLesson("dismissal", "Again", "")), "appears twice"),
    (lambda course: setattr(course.modules[0].items[1].questions[0], "kind", "essay"), "unknown kind"),
    (lambda course: setattr(course.modules[0].items[1].questions[0], "correct", ["z"]), "not among its options"),
    (lambda course: setattr(course.modules[0].items[1], "pass_mark", 120), "0 to 100"),
    (lambda course: course.modules[0].items[1].questions.clear(), "has no questions"),
])
def test_a_course_that_cannot_be_exported_is_refused(change, message):
    course = _course()
    change(course)
    with pytest.raises(ValueError, match=message):
        export_package(course)


# --- In a browser ------------------------------------------------------------------------------------------------

def _quiz_state(version: str, data: bytes) -> dict:
    manifest, _ = _read(data)
    return initial_state(version, learner_id="u-1", learner_name="Ana", item=manifest.organization.items[0].children[1])


@pytest.mark.e2e
@pytest.mark.parametrize("version", VERSIONS)
def test_a_lesson_page_initializes_completes_and_terminates(open_page, version):
    state = initial_state(version, learner_id="u-1", learner_name="Ana")
    result = open_page(export_package(_course(), version), version, "basics/lesson-what-is-a-contract.html", state)
    start, end = ("Initialize", "Terminate") if version == SCORM_2004 else ("LMSInitialize", "LMSFinish")
    assert (result["calls"][0], result["calls"][-1]) == (start, end)
    committed = changes(state, result["cmi"])
    assert check_commit(version, committed, current=state) == {}
    assert "completed" in [event["event"] for event in commit_events(version, state, committed)]


@pytest.mark.e2e
@pytest.mark.parametrize("version", VERSIONS)
def test_a_quiz_page_grades_and_reports_score_success_and_answers(open_page, version):
    data = export_package(_course(), version)
    state = _quiz_state(version, data)
    result = open_page(data, version, "basics/quiz-contract-check.html", state, submit=True,
                       check=["2 months", "True", "Forced labour", "Danger to life"])  # right, wrong, right
    assert "67%" in result["summary"] and "Not passed." in result["summary"]
    committed = changes(state, result["cmi"])
    assert check_commit(version, committed, current=state) == {}
    events = commit_events(version, state, committed, initialized=True, terminated=True)
    names = [event["event"] for event in events]
    assert names.count("responded") == 3 and "failed" in names and "completed" in names
    responded = [event for event in events if event["event"] == "responded"]
    assert [event["result"]["success"] for event in responded] == [True, False, True]
    assert responded[1]["result"]["response"] == "true"
    assert responded[2]["interaction"]["definition"]["correctResponsesPattern"] == ["a[,]c"]


@pytest.mark.e2e
@pytest.mark.parametrize("version", VERSIONS)
def test_an_unanswered_quiz_reports_valid_values_and_fails(open_page, version):
    data = export_package(_course(), version)
    state = _quiz_state(version, data)
    result = open_page(data, version, "basics/quiz-contract-check.html", state, submit=True)
    committed = changes(state, result["cmi"])
    assert check_commit(version, committed, current=state) == {}
    assert "failed" in [event["event"] for event in commit_events(version, state, committed)]
