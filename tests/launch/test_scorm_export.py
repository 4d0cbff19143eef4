"""Exporting our courses as SCORM 2004 4th edition and 1.2 zips, from the command line and the author's page, and
importing the export back with the same structure."""

from __future__ import annotations

import io
import zipfile

import pytest

from scorm.manifest import read_manifest
from scorm.package import Package
from tests.conftest import DEMO_COURSE
from tests.launch.test_scorm_support import (
    GOLF_12,
    XSD,
    import_cli,
    import_package,
    real_package,
    version_outline,
)

VERSIONS = ("2004", "1.2")


def _export(runner, tmp_path, *args, slug: str = DEMO_COURSE):
    target = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.zip"
    result = runner.invoke(args=["lms", "scorm", "export", slug, "--output", str(target), *args])
    return result, target


def _structure(version) -> list:
    return [(module.title["en"], [item.title["en"] for item in module.items]) for module in version.modules]


@pytest.mark.parametrize("scorm_version, edition", [("2004", 4), ("1.2", None)])
def test_the_export_is_a_scorm_package_of_the_courses_modules_and_items(app, synced, runner, tmp_path,
                                                                        scorm_version, edition):
    result, target = _export(runner, tmp_path, "--version", scorm_version)
    assert result.exit_code == 0, result.output
    with Package.open(target) as package:
        manifest = read_manifest(package)
    assert (manifest.version, manifest.edition, manifest.warnings) == (scorm_version, edition, [])
    course = version_outline(app, DEMO_COURSE)
    assert [(module.title, [item.title for item in module.children]) for module in manifest.organization.items] == \
        _structure(course)


@pytest.mark.parametrize("scorm_version", VERSIONS)
def test_an_exported_course_imports_back_with_the_same_structure(app, synced, runner, tmp_path, scorm_version):
    _, target = _export(runner, tmp_path, "--version", scorm_version)
    slug = import_package(runner, target, "--course", "round-trip")
    original, back = version_outline(app, DEMO_COURSE), version_outline(app, slug)
    assert _structure(back) == _structure(original)
    assert back.title == {"en": original.title["en"]}
    assert {item.kind for item in back.items} == {"sco"}


@pytest.mark.parametrize("scorm_version, field, value", [("1.2", "mastery_score", 70.0),
                                                         ("2004", "scaled_passing_score", 0.7)])
def test_a_quiz_keeps_its_pass_mark_through_the_round_trip(app, synced, runner, tmp_path, scorm_version, field,
                                                          value):
    _, target = _export(runner, tmp_path, "--version", scorm_version)
    slug = import_package(runner, target, "--course", "round-trip")
    quiz = next(item for item in version_outline(app, DEMO_COURSE).items if item.kind == "quiz")
    back = next(item for item in version_outline(app, slug).items if item.title == {"en": quiz.title["en"]})
    assert back.launch[field] == value == quiz.quiz["pass_mark"] / (100 if field == "scaled_passing_score" else 1)


@pytest.mark.parametrize("scorm_version", VERSIONS)
def test_the_export_follows_the_scorm_schemas(synced, runner, tmp_path, scorm_version):
    if not XSD.is_dir():
        pytest.skip(f"{XSD} is absent: the SCORM schemas live beside the repository")
    _, target = _export(runner, tmp_path, "--version", scorm_version)
    result = import_cli(runner, target, "--course", "round-trip")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_the_export_carries_lesson_text_and_quiz_questions(app, synced, runner, tmp_path):
    _, target = _export(runner, tmp_path)
    course = version_outline(app, DEMO_COURSE)
    lesson = next(item for item in course.items if item.kind == "lesson")
    quiz = next(item for item in course.items if item.kind == "quiz")
    with zipfile.ZipFile(target) as archive:
        pages = {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".html")}
    lesson_page = next(text for name, text in pages.items() if name.endswith(f"lesson-{lesson.slug}.html"))
    quiz_page = next(text for name, text in pages.items() if name.endswith(f"quiz-{quiz.slug}.html"))
    assert lesson.body["en"][:60] in lesson_page
    assert quiz.quiz["questions"][0]["prompt"]["en"][:40].replace("'", "&#x27;") in quiz_page


def test_the_chinese_export_has_the_chinese_titles(app, synced, runner, tmp_path):
    result, target = _export(runner, tmp_path, "--language", "zh-Hans")
    assert result.exit_code == 0, result.output
    with Package.open(target) as package:
        manifest = read_manifest(package)
    assert manifest.title == version_outline(app, DEMO_COURSE).title["zh-Hans"]


def test_exporting_an_unknown_course_fails_with_the_reason(runner, tmp_path):
    result, target = _export(runner, tmp_path, slug="no-such-course")
    assert result.exit_code != 0
    assert "no published course" in result.output
    assert not target.exists()


def test_a_course_of_scorm_packages_only_cannot_be_exported(runner, tmp_path):
    slug = import_package(runner, real_package(GOLF_12))
    result, _ = _export(runner, tmp_path, slug=slug)
    assert result.exit_code != 0
    assert "has no lessons or quizzes to export" in result.output


def test_packages_in_a_course_are_left_out_of_its_export_with_a_warning(synced, runner, tmp_path):
    import_package(runner, real_package(GOLF_12), "--course", DEMO_COURSE)
    result, _ = _export(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "“Golf Explained” is launchable content from a package and was left out" in result.output


# --- the author's download ------------------------------------------------------------------------------------

def test_an_editor_downloads_the_course_as_scorm_2004(client, synced, make_user, login_as):
    login_as(make_user(roles=("admin",)))
    response = client.get(f"/scorm/courses/{DEMO_COURSE}/export?version=2004")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f'filename="{DEMO_COURSE}-v1-scorm2004.zip"' in response.headers["Content-Disposition"]
    with Package.open(io.BytesIO(response.get_data())) as package:
        assert read_manifest(package).version == "2004"


def test_an_editor_downloads_the_course_as_scorm_12(client, synced, make_user, login_as):
    login_as(make_user(roles=("admin",)))
    response = client.get(f"/scorm/courses/{DEMO_COURSE}/export?version=1.2")
    with Package.open(io.BytesIO(response.get_data())) as package:
        assert read_manifest(package).version == "1.2"


def test_an_unknown_scorm_version_is_a_bad_request(client, synced, make_user, login_as):
    login_as(make_user(roles=("admin",)))
    assert client.get(f"/scorm/courses/{DEMO_COURSE}/export?version=3").status_code == 400


def test_an_author_who_does_not_edit_the_course_cannot_download_it(client, synced, make_user, login_as):
    login_as(make_user(roles=("author",)))
    assert client.get(f"/scorm/courses/{DEMO_COURSE}/export?version=2004").status_code == 403


def test_a_course_that_cannot_be_exported_sends_the_author_back_with_the_reason(client, runner, make_user,
                                                                               login_as):
    slug = import_package(runner, real_package(GOLF_12))
    login_as(make_user(roles=("admin",)))
    response = client.get(f"/scorm/courses/{slug}/export?version=2004", follow_redirects=True)
    assert "cannot be exported as SCORM" in response.get_data(as_text=True)


def test_lesson_images_travel_in_the_export_where_the_lessons_point(app, runner, tmp_path):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
    folder = tmp_path / "courses" / "with-images"
    (folder / "lessons").mkdir(parents=True)
    (folder / "media").mkdir()
    (folder / "media" / "map.png").write_bytes(png)
    (folder / "course.yaml").write_text(
        "title: {en: Pictures}\nsummary: {en: A lesson with a picture.}\nmodules:\n"
        "  - slug: one\n    title: {en: One}\n    items:\n      - lesson: map\n", encoding="utf-8")
    (folder / "lessons" / "map.en.md").write_text("---\ntitle: The map\n---\n![A map](media/map.png)\n",
                                                 encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "sync", str(tmp_path / "courses")])
    assert result.exit_code == 0, result.output
    result, target = _export(runner, tmp_path, slug="with-images")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        images = [name for name in archive.namelist() if name.startswith("media/")]
        page = archive.read("one/lesson-map.html").decode()
    [image] = images
    assert image.endswith("/map.png")
    assert f'src="../{image}"' in page
