"""Importing SCORM packages: the command line and the author's pages, the real packages and the broken ones, a
package as a course or as lessons of a course, SCOs and assets, sequencing, and schema warnings."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.launch.test_scorm_support import (
    BROKEN,
    GOLF_12,
    GOLF_12_MULTI,
    GOLF_2004,
    GOLF_SEQUENTIAL,
    VALID,
    XSD,
    import_cli,
    import_package,
    real_package,
    sco_package,
    scorm_items,
    version_outline,
    write_package,
)


def _counts(app) -> dict[str, int]:
    from lms.catalog.models import Course, CourseItem
    from lms.db import session
    from lms.launch.models import ContentPackage, LaunchStructure

    with app.app_context():
        return {model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Course, CourseItem, ContentPackage, LaunchStructure)}


def _package_folders(app) -> list:
    from pathlib import Path

    root = Path(app.instance_path) / "packages"
    return sorted(path.name for path in root.iterdir()) if root.is_dir() else []


# --- the real packages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, version, items", [(GOLF_12, "1.2", 1), (GOLF_12_MULTI, "1.2", 18),
                                                  (GOLF_2004, "2004", 1), (GOLF_SEQUENTIAL, "2004", 5)])
def test_each_real_package_imports_as_a_course_of_scos(app, runner, name, version, items):
    slug = import_package(runner, real_package(name))
    found = scorm_items(app, slug)
    assert len(found) == items
    assert {item.kind for item in found} == {"sco"}
    assert {item.launch["version"] for item in found} == {version}


def test_the_command_says_version_edition_and_item_count(runner):
    result = import_cli(runner, real_package(GOLF_2004))
    assert result.exit_code == 0, result.output
    assert "(SCORM 2004 3rd edition, 1 items)" in result.output


def test_multi_sco_package_clusters_become_modules(app, runner):
    slug = import_package(runner, real_package(GOLF_12_MULTI))
    version = version_outline(app, slug)
    assert [module.title["en"] for module in version.modules] == ["Playing the Game", "Etiquette", "Handicapping",
                                                                  "Having Fun"]
    assert [len(module.items) for module in version.modules] == [6, 4, 5, 3]


def test_single_sco_package_is_one_module_named_after_the_organization(app, runner):
    slug = import_package(runner, real_package(GOLF_12))
    version = version_outline(app, slug)
    assert [(module.title["en"], [item.title["en"] for item in module.items]) for module in version.modules] == [
        ("Golf Explained - Run-time Basic Calls", ["Golf Explained"])]


def test_the_organization_tree_is_kept_for_the_player(app, runner):
    from lms.launch.scorm import package_structure

    slug = import_package(runner, real_package(GOLF_12_MULTI))
    version = version_outline(app, slug)
    with app.app_context():
        tree = package_structure(version.id, version.items[0].launch["structure"]).structure
    assert [node["title"] for node in tree["items"]] == ["Playing the Game", "Etiquette", "Handicapping",
                                                         "Having Fun"]
    assert tree["items"][0]["children"][0]["slug"] == version.items[0].slug


def test_launch_urls_keep_the_items_parameters(app, runner):
    slug = import_package(runner, real_package(GOLF_12_MULTI))
    quiz = next(item for item in scorm_items(app, slug) if item.launch["identifier"] == "etiquette_quiz_item")
    assert quiz.launch["href"] == "shared/assessmenttemplate.html?questions=Etiquette"


def test_forced_sequential_items_require_the_previous_one_satisfied(app, runner):
    slug = import_package(runner, real_package(GOLF_SEQUENTIAL))
    found = scorm_items(app, slug)
    assert [item.launch["requires_satisfied"] for item in found] == [
        [], ["playing_item"], ["etuqiette_item"], ["handicapping_item"], ["havingfun_item"]]
    assert [item.launch["precondition_action"] for item in found] == [None] + ["disabled"] * 4


def test_package_files_are_stored_under_the_zips_digest(app, runner):
    import hashlib

    path = real_package(GOLF_12)
    slug = import_package(runner, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert scorm_items(app, slug)[0].launch["package"] == digest
    assert _package_folders(app) == [digest]


def test_importing_the_same_package_again_changes_nothing(runner):
    path = real_package(GOLF_12)
    import_package(runner, path)
    result = import_cli(runner, path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("unchanged")


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_package_is_refused_with_its_reason_and_nothing_is_stored(app, runner, name):
    result = import_cli(runner, real_package(name))
    assert result.exit_code != 0
    assert BROKEN[name] in result.output
    assert _counts(app) == {"Course": 0, "CourseItem": 0, "ContentPackage": 0, "LaunchStructure": 0}
    assert _package_folders(app) == []


def test_missing_files_refusal_names_every_missing_listed_file(runner):
    output = import_cli(runner, real_package("95_bad_missing_files_scorm12.zip")).output
    for listed in ("content/nonexistent.js", "content/nonexistent.css", "content/nonexistent_asset.html"):
        assert f"“{listed}”" in output


def test_a_file_that_is_not_a_zip_is_refused(runner, tmp_path):
    result = import_cli(runner, write_package(tmp_path, b"<html>not a package</html>", "page.zip"))
    assert result.exit_code != 0
    assert "not a ZIP archive" in result.output


def test_a_sco_on_another_site_is_refused(runner, tmp_path):
    resources = ('<resource identifier="res1" type="webcontent" adlcp:scormtype="sco" '
                 'href="https://elsewhere.example/sco.html"/>')
    result = import_cli(runner, write_package(tmp_path, sco_package(resources=resources)))
    assert result.exit_code != 0
    assert "opens a page on another web site" in result.output


# --- into courses -------------------------------------------------------------------------------------------

def test_course_option_with_a_new_short_name_makes_that_course(app, runner):
    slug = import_package(runner, real_package(GOLF_12), "--course", "golf-basics")
    assert slug == "golf-basics"
    assert version_outline(app, "golf-basics").number == 1


def test_course_option_with_an_existing_course_adds_the_package_as_lessons_in_a_new_version(app, synced, runner):
    from tests.conftest import DEMO_COURSE

    before = version_outline(app, DEMO_COURSE)
    result = import_cli(runner, real_package(GOLF_12), "--course", DEMO_COURSE)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("updated")
    after = version_outline(app, DEMO_COURSE)
    assert after.number == before.number + 1
    assert [module.title for module in after.modules[:-1]] == [module.title for module in before.modules]
    assert [item.slug for item in after.items[:-1]] == [item.slug for item in before.items]
    assert after.modules[-1].title == {"en": "Golf Explained - Run-time Basic Calls"}
    assert [item.kind for item in after.modules[-1].items] == ["sco"]


def test_module_option_appends_the_lessons_to_that_module(app, synced, runner):
    from tests.conftest import DEMO_COURSE

    before = version_outline(app, DEMO_COURSE)
    module = before.modules[0]
    import_package(runner, real_package(GOLF_12), "--course", DEMO_COURSE, "--module", module.slug)
    after = version_outline(app, DEMO_COURSE)
    assert len(after.modules) == len(before.modules)
    assert after.modules[0].items[-1].kind == "sco"
    assert [item.slug for item in after.modules[0].items[:-1]] == [item.slug for item in module.items]


def test_an_unknown_module_is_refused_and_nothing_changes(app, synced, runner):
    from tests.conftest import DEMO_COURSE

    before = version_outline(app, DEMO_COURSE).number
    result = import_cli(runner, real_package(GOLF_12), "--course", DEMO_COURSE, "--module", "no-such-module")
    assert result.exit_code != 0
    assert "no module “no-such-module”" in result.output
    assert version_outline(app, DEMO_COURSE).number == before


def test_a_malformed_course_short_name_is_refused(runner):
    result = import_cli(runner, real_package(GOLF_12), "--course", "Not A Slug")
    assert result.exit_code != 0
    assert "not a course short name" in result.output


def test_importing_a_package_into_a_course_again_replaces_it_in_place(app, synced, runner, tmp_path):
    from tests.conftest import DEMO_COURSE

    import_package(runner, write_package(tmp_path, sco_package(title="First"), "a.zip"), "--course", DEMO_COURSE)
    import_package(runner, write_package(tmp_path, sco_package(title="Second"), "b.zip"), "--course", DEMO_COURSE)
    after = version_outline(app, DEMO_COURSE)
    assert [module.title["en"] for module in after.modules].count("First") == 1
    assert "Second" not in [module.title["en"] for module in after.modules]
    assert len([item for item in after.items if item.kind == "sco"]) == 1


def test_an_asset_item_is_told_apart_from_a_sco(app, runner, tmp_path):
    items = ('<item identifier="i1" identifierref="r1"><title>Lesson</title></item>'
             '<item identifier="i2" identifierref="r2"><title>Handout</title></item>')
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">'
                 '<file href="index.html"/></resource>'
                 '<resource identifier="r2" type="webcontent" adlcp:scormtype="asset" href="handout.html">'
                 '<file href="handout.html"/></resource>')
    data = sco_package(items=items, resources=resources, files={"handout.html": "<p>Read me</p>"})
    slug = import_package(runner, write_package(tmp_path, data))
    assert [(item.kind, item.title["en"]) for item in scorm_items(app, slug)] == [("sco", "Lesson"),
                                                                                  ("asset", "Handout")]


def test_mastery_score_launch_data_and_time_limit_are_kept(app, runner, tmp_path):
    items = ('<item identifier="i1" identifierref="res1"><title>Test</title>'
             '<adlcp:masteryscore>80</adlcp:masteryscore><adlcp:datafromlms>mode=exam</adlcp:datafromlms>'
             '<adlcp:maxtimeallowed>00:10:00</adlcp:maxtimeallowed>'
             '<adlcp:timelimitaction>exit,message</adlcp:timelimitaction></item>')
    slug = import_package(runner, write_package(tmp_path, sco_package(items=items)))
    launch = scorm_items(app, slug)[0].launch
    assert (launch["mastery_score"], launch["launch_data"], launch["max_time_allowed"],
            launch["time_limit_action"]) == (80.0, "mode=exam", "00:10:00", "exit,message")


# --- schemas --------------------------------------------------------------------------------------------------

def test_a_manifest_that_breaks_the_schema_imports_with_a_warning(runner, tmp_path):
    if not XSD.is_dir():
        pytest.skip(f"{XSD} is absent: the SCORM schemas live beside the repository")
    items = '<item identifier="item1" identifierref="res1" isvisible="perhaps"><title>Lesson one</title></item>'
    result = import_cli(runner, write_package(tmp_path, sco_package(items=items)))
    assert result.exit_code == 0, result.output
    assert "warning: The manifest does not follow the SCORM 1.2 schema" in result.output
    assert "isvisible" in result.output


@pytest.mark.parametrize("name", VALID)
def test_the_real_manifests_follow_their_schemas(runner, name):
    result = import_cli(runner, real_package(name))
    assert result.exit_code == 0, result.output
    assert "schema" not in result.output


def test_without_the_schemas_no_schema_check_is_made(app, runner, tmp_path):
    app.config["LMS_SCORM_XSD_DIR"] = str(tmp_path / "nowhere")
    items = '<item identifier="item1" identifierref="res1" isvisible="perhaps"><title>Lesson one</title></item>'
    result = import_cli(runner, write_package(tmp_path, sco_package(items=items)))
    assert result.exit_code == 0, result.output
    assert "schema" not in result.output


# --- the author's pages -----------------------------------------------------------------------------------

@pytest.fixture
def author(make_user, login_as):
    user = make_user(roles=("author", "learner"))
    login_as(user)
    return user


def _upload(client, url: str, data: bytes, filename: str = "package.zip", xhr: bool = False, **fields):
    import io

    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return client.post(url, data={"package": (io.BytesIO(data), filename), **fields},
                       content_type="multipart/form-data", headers=headers)


def test_an_author_imports_a_package_as_a_course_from_the_page(app, client, author):
    response = _upload(client, "/scorm/import", real_package(GOLF_2004).read_bytes())
    assert response.status_code == 302
    slug = response.headers["Location"].rsplit("/", 1)[-1]
    assert [item.kind for item in scorm_items(app, slug)] == ["sco"]


def test_the_upload_with_progress_gets_json_with_where_to_go(client, author):
    response = _upload(client, "/scorm/import", real_package(GOLF_12).read_bytes(), xhr=True)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["ok"] is True and answer["redirect"].startswith("/courses/")


def test_a_refused_upload_shows_the_reason_beside_the_file_field(app, client, author):
    response = _upload(client, "/scorm/import", real_package("95_bad_missing_files_scorm12.zip").read_bytes())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The package was refused" in page and "content/nonexistent.html" in page
    assert 'class="field has-error"' in page
    assert _counts(app)["Course"] == 0


def test_a_refused_upload_with_progress_gets_the_errors_as_json(client, author):
    response = _upload(client, "/scorm/import", real_package("91_bad_no_manifest.zip").read_bytes(), xhr=True)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert "has no imsmanifest.xml at its root" in errors["package"][0]


def test_warnings_are_shown_to_the_author_after_the_import(client, author, tmp_path):
    organizations = '<item identifier="item1" identifierref="res1"><title></title></item>'
    response = _upload(client, "/scorm/import", sco_package(items=organizations))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has no title; its identifier is shown instead" in page


def test_an_author_who_imports_a_new_course_owns_it(client, author):
    response = _upload(client, "/scorm/import", real_package(GOLF_12).read_bytes())
    slug = response.headers["Location"].rsplit("/", 1)[-1]
    assert client.get(f"/authoring/courses/{slug}").status_code == 200


def test_a_learner_cannot_import(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/scorm/import").status_code == 403


def test_an_author_cannot_import_into_someone_elses_course(client, synced, author):
    from tests.conftest import DEMO_COURSE

    response = _upload(client, "/scorm/import", real_package(GOLF_12).read_bytes(), course=DEMO_COURSE)
    assert response.status_code == 400
    assert "A course you cannot edit has this short name" in response.get_data(as_text=True)
    assert client.get(f"/scorm/courses/{DEMO_COURSE}/import").status_code == 403


def test_an_admin_adds_a_package_to_a_module_of_a_course(app, client, synced, make_user, login_as):
    from tests.conftest import DEMO_COURSE

    login_as(make_user(roles=("admin",)))
    module = version_outline(app, DEMO_COURSE).modules[1]
    page = client.get(f"/scorm/courses/{DEMO_COURSE}/import").get_data(as_text=True)
    assert f'value="{module.slug}"' in page
    response = _upload(client, f"/scorm/courses/{DEMO_COURSE}/import", real_package(GOLF_2004).read_bytes(),
                       module=module.slug)
    assert response.status_code == 302
    assert version_outline(app, DEMO_COURSE).modules[1].items[-1].kind == "sco"


def test_the_course_page_in_authoring_links_the_scorm_upload_and_downloads(client, synced, make_user, login_as):
    from tests.conftest import DEMO_COURSE

    login_as(make_user(roles=("admin",)))
    page = client.get(f"/authoring/courses/{DEMO_COURSE}").get_data(as_text=True)
    assert f'href="/scorm/courses/{DEMO_COURSE}/import"' in page
    assert f'href="/scorm/courses/{DEMO_COURSE}/export?version=2004"' in page
    assert f'href="/scorm/courses/{DEMO_COURSE}/export?version=1.2"' in page


def test_the_import_page_lists_imported_packages(client, author):
    _upload(client, "/scorm/import", real_package(GOLF_12).read_bytes(), filename=GOLF_12)
    page = client.get("/scorm/import").get_data(as_text=True)
    assert "Golf Explained - Run-time Basic Calls" in page
    assert GOLF_12 in page


def test_the_import_page_says_what_to_do_when_nothing_was_imported(client, author):
    page = client.get("/scorm/import").get_data(as_text=True)
    assert "No SCORM package has been imported yet" in page


def test_no_file_chosen_is_an_error_beside_the_field(client, author):
    response = client.post("/scorm/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_an_upload_over_the_size_limit_is_refused(app, client, author):
    app.config["LMS_PACKAGE_MAX_BYTES"] = 1024
    response = _upload(client, "/scorm/import", real_package(GOLF_12).read_bytes(), xhr=True)
    assert response.status_code == 400
    assert "larger than the limit" in json.dumps(response.get_json())


def test_an_author_importing_a_package_someone_else_imported_gets_a_course_of_their_own(app, client, runner,
                                                                                       author):
    first = import_package(runner, real_package(GOLF_12))
    response = _upload(client, "/scorm/import", real_package(GOLF_12).read_bytes())
    assert response.status_code == 302
    second = response.headers["Location"].rsplit("/", 1)[-1]
    assert second != first
    assert version_outline(app, first).number == 1


def test_a_second_package_in_a_course_keeps_the_first_packages_structure_in_the_new_version(app, synced, runner,
                                                                                            tmp_path):
    # The new version copies the structures of earlier versions that its items still use (launch.carry_structures).
    from lms.launch.scorm import package_structure
    from tests.conftest import DEMO_COURSE

    import_package(runner, write_package(tmp_path, sco_package(identifier="first.package", title="First"), "a.zip"),
                   "--course", DEMO_COURSE)
    import_package(runner, write_package(tmp_path, sco_package(identifier="second.package", title="Second"),
                                         "b.zip"), "--course", DEMO_COURSE)
    version = version_outline(app, DEMO_COURSE)
    keys = [item.launch["structure"] for item in version.items if item.kind == "sco"]
    assert len(keys) == 2 and len(set(keys)) == 2
    with app.app_context():
        assert all(package_structure(version.id, key) is not None for key in keys)
