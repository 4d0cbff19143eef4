"""Importing cmi5 and Tin Can packages: the real packages, the course structure they give, and every refusal naming
the rule it applies (with nothing stored)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.launch.conftest import XSD, au_xml, course_xml, items, package_path, slug_from, zipped

REAL = ["single_au_basic_responsive", "masteryscore_responsive", "multi_au_framed", "pre_post_test_framed"]
AU_COUNTS = {"single_au_basic_responsive": 1, "masteryscore_responsive": 1, "multi_au_framed": 8,
             "pre_post_test_framed": 6}


def _outline(app, slug):
    from lms.catalog.outline import outline
    from lms.catalog.services import course_by_slug, latest_version

    with app.app_context():
        return outline(latest_version(course_by_slug(slug).id).id)


def _counts(app) -> dict[str, int]:
    from lms.catalog.models import Course, CourseItem
    from lms.db import session
    from lms.launch.models import ContentPackage, LaunchStructure

    with app.app_context():
        return {model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Course, CourseItem, ContentPackage, LaunchStructure)}


def _refused(runner, path: Path, *args) -> str:
    result = runner.invoke(args=["lms", "cmi5", "import", str(path), *args])
    assert result.exit_code != 0, result.output
    return result.output


# --- the real packages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", REAL)
def test_each_real_package_imports_as_a_course_with_one_item_per_au(app, real_package, name):
    slug = real_package(name)
    assert len(items(app, slug)) == AU_COUNTS[name]


def test_import_keeps_mastery_score_and_launch_method(app, real_package):
    slug = real_package("masteryscore_responsive")
    launch = items(app, slug)[0].launch
    assert (launch["mastery_score"], launch["launch_method"], launch["move_on"]) == (0.3, "OwnWindow",
                                                                                     "CompletedOrPassed")


def test_import_keeps_each_aus_move_on(app, real_package):
    slug = real_package("multi_au_framed")
    assert [item.launch["move_on"] for item in items(app, slug)] == ["CompletedOrPassed"] * 7 + [
        "CompletedAndPassed"]


def test_top_level_aus_make_one_module_named_after_the_course(app, real_package):
    version = _outline(app, real_package("multi_au_framed"))
    assert [(module.title["en"], len(module.items)) for module in version.modules] == [
        ("Introduction to Geology - Multi AU at Root", 8)]


def test_blocks_become_modules_in_document_order(app, real_package):
    version = _outline(app, real_package("pre_post_test_framed"))
    assert [(module.title["en"], [item.title["en"] for item in module.items]) for module in version.modules] == [
        ("Introduction to Geology", ["Pre-test", "Content", "Post-test"]),
        ("Geological Materials", ["Pre-test", "Content", "Post-test"])]


def test_package_files_are_stored_under_the_zips_digest(app, real_package):
    import hashlib

    real_package("single_au_basic_responsive")
    digest = hashlib.sha256(package_path("single_au_basic_responsive").read_bytes()).hexdigest()
    assert (Path(app.instance_path) / "packages" / digest / "index.html").is_file()


def test_package_file_is_served_with_nosniff(client, real_package, app):
    slug = real_package("single_au_basic_responsive")
    response = client.get(f"/launch/packages/{items(app, slug)[0].launch['package']}/js/course.js")
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"


def test_package_content_runs_in_a_sandboxed_origin_of_its_own(client, real_package, app):
    slug = real_package("single_au_basic_responsive")
    policy = client.get(f"/launch/packages/{items(app, slug)[0].launch['package']}/index.html").headers[
        "Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "allow-scripts" in policy and "allow-same-origin" not in policy


@pytest.mark.parametrize("path", ["js", "js/", "", "../cmi5.xml", "js/../cmi5.xml", "%2e%2e/secret_key"])
def test_package_route_never_lists_folders_or_leaves_the_package(client, real_package, app, path):
    slug = real_package("single_au_basic_responsive")
    assert client.get(f"/launch/packages/{items(app, slug)[0].launch['package']}/{path}").status_code == 404


def test_importing_the_same_package_again_changes_nothing(runner, real_package):
    real_package("single_au_basic_responsive")
    result = runner.invoke(args=["lms", "cmi5", "import", str(package_path("single_au_basic_responsive"))])
    assert result.output.startswith("unchanged")


def test_au_activity_ids_are_the_lmss_own_not_the_publishers(app, real_package):
    slug = real_package("single_au_basic_responsive")
    from lms.learning.activities import item_iri

    item = items(app, slug)[0]
    with app.app_context():
        assert item_iri(slug, item) != item.launch["publisher_id"]


def test_bare_course_structure_with_absolute_urls_imports(app, runner, write_file):
    xml = course_xml(au_xml("https://example.org/au/1", url="https://content.example.org/au1/index.html"))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    assert result.exit_code == 0, result.output
    assert items(app, slug_from(result.output))[0].launch["package"] is None


def test_import_into_an_existing_course_adds_the_aus_after_its_lessons(app, synced, runner):
    before = _outline(app, "labor-contract-basics")
    result = runner.invoke(args=["lms", "cmi5", "import", str(package_path("multi_au_framed")),
                                 "--course", "labor-contract-basics"])
    assert result.exit_code == 0, result.output
    after = _outline(app, "labor-contract-basics")
    assert [m.slug for m in after.modules] == [m.slug for m in before.modules] + [after.modules[-1].slug]
    assert [item.kind for item in after.modules[-1].items] == ["au"] * 8


def test_reimport_into_a_course_replaces_that_packages_modules(app, synced, runner):
    args = ["lms", "cmi5", "import", str(package_path("multi_au_framed")), "--course", "labor-contract-basics"]
    runner.invoke(args=args)
    runner.invoke(args=["lms", "cmi5", "import", str(package_path("single_au_basic_responsive")),
                        "--course", "labor-contract-basics"])
    first = len(_outline(app, "labor-contract-basics").items)
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert len(_outline(app, "labor-contract-basics").items) == first


def test_nested_blocks_flatten_into_one_module_per_run_of_aus(app, runner, write_file):
    body = ('<block id="https://example.org/b/outer"><title><langstring lang="en">Outer</langstring></title>'
            '<description><langstring lang="en">o</langstring></description>'
            + au_xml("https://example.org/au/1", url="a.html", title="One")
            + '<block id="https://example.org/b/inner"><title><langstring lang="en">Inner</langstring></title>'
              '<description><langstring lang="en">i</langstring></description>'
            + au_xml("https://example.org/au/2", url="a.html", title="Two") + '</block>'
            + au_xml("https://example.org/au/3", url="a.html", title="Three") + '</block>')
    path = write_file("nested.zip", zipped({"cmi5.xml": course_xml(body), "a.html": "<p>a</p>"}))
    result = runner.invoke(args=["lms", "cmi5", "import", str(path)])
    assert result.exit_code == 0, result.output
    version = _outline(app, slug_from(result.output))
    assert [(m.title["en"], [i.title["en"] for i in m.items]) for m in version.modules] == [
        ("Outer", ["One"]), ("Outer › Inner", ["Two"]), ("Outer", ["Three"])]


def test_a_thousand_aus_import(app, runner, write_file):
    body = "\n".join(au_xml(f"https://example.org/au/{n}", url=f"https://content.example.org/{n}.html",
                            title=f"Unit {n}") for n in range(1200))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("big.xml", course_xml(body)))])
    assert result.exit_code == 0, result.output
    assert len(items(app, slug_from(result.output))) == 1200


def test_au_launch_data_keeps_launch_parameters_entitlement_key_and_objectives(app, runner, write_file):
    objectives = ('<objectives><objective id="https://example.org/obj/1"><title><langstring lang="en">O</langstring>'
                  '</title><description><langstring lang="en">O</langstring></description></objective></objectives>')
    au = au_xml("https://example.org/au/1", url="https://content.example.org/a.html",
                extra='<objectives><objective idref="https://example.org/obj/1"/></objectives>')
    au = au.replace("</url>", "</url><launchParameters> Start=1 </launchParameters>"
                              "<entitlementKey>abc-123</entitlementKey>")
    xml = course_xml(objectives + au)
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    assert result.exit_code == 0, result.output
    launch = items(app, slug_from(result.output))[0].launch
    assert (launch["launch_parameters"], launch["entitlement_key"], launch["objectives"]) == (
        "Start=1", "abc-123", ["https://example.org/obj/1"])


# --- refusals -------------------------------------------------------------------------------------------------

def test_duplicate_au_ids_are_refused_with_the_rule(runner, write_file):
    xml = course_xml(au_xml("https://example.org/au/1", url="https://x.example.org/a")
                     + au_xml("https://example.org/au/1", url="https://x.example.org/b"))
    assert "13.1.4" in _refused(runner, write_file("cmi5.xml", xml))


def test_an_id_that_is_not_an_iri_is_refused(runner, write_file):
    xml = course_xml(au_xml("not an iri", url="https://x.example.org/a"))
    assert "cmi5 3.0" in _refused(runner, write_file("cmi5.xml", xml))


def test_unknown_move_on_is_refused_with_the_rule(runner, write_file):
    xml = course_xml(au_xml("https://example.org/au/1", url="https://x.example.org/a", attributes=' moveOn="Maybe"'))
    assert "13.1.4: moveOn is one of" in _refused(runner, write_file("cmi5.xml", xml))


def test_relative_au_url_without_a_zip_is_refused(runner, write_file):
    assert "14.2" in _refused(runner, write_file("cmi5.xml", course_xml(au_xml("https://example.org/au/1"))))


def test_relative_au_url_to_a_missing_file_is_refused(runner, write_file):
    path = write_file("p.zip", zipped({"cmi5.xml": course_xml(au_xml("https://example.org/au/1", url="gone.html"))}))
    output = _refused(runner, path)
    assert "14.1" in output and "gone.html" in output


@pytest.mark.parametrize("name", ["endpoint", "fetch", "actor", "registration", "activityId"])
def test_au_url_query_parameter_clashing_with_a_launch_parameter_is_refused(runner, write_file, name):
    xml = course_xml(au_xml("https://example.org/au/1", url=f"https://x.example.org/a?page=1&amp;{name}=x"))
    output = _refused(runner, write_file("cmi5.xml", xml))
    assert "8.1" in output and name in output


def test_au_url_with_spaces_is_refused(runner, write_file):
    xml = course_xml(au_xml("https://example.org/au/1", url="https://x.example.org/a b.html"))
    assert "13.1.4" in _refused(runner, write_file("cmi5.xml", xml))


def test_schema_violation_is_refused_naming_the_schema(runner, write_file):
    if not XSD.exists():
        pytest.skip(f"{XSD} is absent")
    # An element of the cmi5 namespace the schema does not define: only the XSD knows it is wrong.
    au = au_xml("https://example.org/au/1", url="https://x.example.org/a").replace("<url>", "<colour>red</colour><url>")
    output = _refused(runner, write_file("cmi5.xml", course_xml(au)))
    assert "13.2: the course structure must conform to CourseStructure.xsd" in output and "colour" in output


def test_mastery_score_with_five_decimals_is_refused(runner, write_file, app):
    app.config["LMS_CMI5_XSD"] = "/nonexistent/CourseStructure.xsd"  # the spec rule itself, not the schema
    xml = course_xml(au_xml("https://example.org/au/1", url="https://x.example.org/a",
                            attributes=' masteryScore="0.12345"'))
    assert "masteryScore" in _refused(runner, write_file("cmi5.xml", xml))


def test_zip_without_cmi5_xml_at_its_root_is_refused(runner, write_file):
    path = write_file("p.zip", zipped({"course/cmi5.xml": course_xml(au_xml("https://example.org/au/1",
                                                                            url="a.html")), "course/a.html": "a"}))
    output = _refused(runner, path)
    assert "14.1" in output and "course/cmi5.xml" in output


def test_zip_with_a_path_leaving_the_package_is_refused(runner, write_file):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cmi5.xml", course_xml(au_xml("https://example.org/au/1", url="a.html")))
        archive.writestr("a.html", "a")
        archive.writestr("../evil.html", "x")
    assert "outside the package" in _refused(runner, write_file("p.zip", buffer.getvalue()))


def test_xml_with_entities_is_refused(runner, write_file):
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><courseStructure>&a;</courseStructure>'
    assert "refused for safety" in _refused(runner, write_file("cmi5.xml", xml))


def test_objective_reference_to_an_undeclared_objective_is_refused(runner, write_file):
    au = au_xml("https://example.org/au/1", url="https://x.example.org/a",
                extra='<objectives><objective idref="https://example.org/obj/none"/></objectives>')
    assert "objective" in _refused(runner, write_file("cmi5.xml", course_xml(au)))


def test_a_refused_package_stores_nothing(app, runner, write_file):
    before = _counts(app)
    path = write_file("p.zip", zipped({"cmi5.xml": course_xml(au_xml("https://example.org/au/1", url="gone.html")),
                                      "a.html": "a"}))
    _refused(runner, path)
    assert _counts(app) == before
    assert not (Path(app.instance_path) / "packages").exists() or not any(
        (Path(app.instance_path) / "packages").iterdir())


def test_without_the_xsd_the_spec_rules_are_checked_with_a_warning(app, runner, write_file):
    app.config["LMS_CMI5_XSD"] = "/nonexistent/CourseStructure.xsd"
    xml = course_xml(au_xml("https://example.org/au/1", url="https://x.example.org/a"))
    result = runner.invoke(args=["lms", "cmi5", "import", str(write_file("cmi5.xml", xml))])
    assert result.exit_code == 0 and "not checked against CourseStructure.xsd" in result.output


def test_without_the_xsd_a_spec_rule_still_refuses(app, runner, write_file):
    app.config["LMS_CMI5_XSD"] = "/nonexistent/CourseStructure.xsd"
    xml = course_xml(au_xml("https://example.org/au/1", url="https://x.example.org/a?fetch=1"))
    assert "8.1" in _refused(runner, write_file("cmi5.xml", xml))


def test_import_into_a_course_slug_that_is_not_a_slug_is_refused(runner):
    assert "slug" in _refused(runner, package_path("single_au_basic_responsive"), "--course", "Not A Slug")


# --- Tin Can --------------------------------------------------------------------------------------------------

TINCAN = b"""<?xml version="1.0" encoding="utf-8"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>
  <activity id="https://example.org/tincan/course" type="http://adlnet.gov/expapi/activities/course">
    <name lang="en-US">Tin Can course</name><description lang="en-US">Old style.</description>
    <launch lang="en-US">index.html?page=1</launch>
  </activity>
  <activity id="https://example.org/tincan/course/objective" type="http://adlnet.gov/expapi/activities/objective">
    <name lang="en-US">An objective</name>
  </activity>
</activities></tincan>"""


def test_tincan_package_imports_its_launchable_activities(app, runner, write_file):
    path = write_file("tc.zip", zipped({"tincan.xml": TINCAN, "index.html": "<p>hi</p>"}))
    result = runner.invoke(args=["lms", "cmi5", "import", str(path)])
    assert result.exit_code == 0, result.output
    found = items(app, slug_from(result.output), kind="tincan")
    assert [(item.launch["activity_id"], item.launch["url"]) for item in found] == [
        ("https://example.org/tincan/course", "index.html?page=1")]


def test_tincan_launch_url_clashing_with_a_launch_parameter_is_refused(runner, write_file):
    path = write_file("tc.zip", zipped({"tincan.xml": TINCAN.replace(b"?page=1", b"?auth=1"), "index.html": "x"}))
    assert "auth" in _refused(runner, path)


def test_a_symbolic_link_in_a_package_folder_is_never_served(client, real_package, app):
    slug = real_package("single_au_basic_responsive")
    digest = items(app, slug)[0].launch["package"]
    secret = Path(app.instance_path) / "secret.txt"
    secret.write_text("not for the web")
    (Path(app.instance_path) / "packages" / digest / "link.txt").symlink_to(secret)
    assert client.get(f"/launch/packages/{digest}/link.txt").status_code == 404
