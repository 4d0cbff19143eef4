"""scorm.manifest on manifests built in the test: what is refused, what is tolerated with a warning, what is read."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from scorm.manifest import SCORM_12, SCORM_2004, ManifestError, parse_manifest
from scorm.package import PackageError

from .conftest import ORGANIZATIONS, RESOURCES_12


def _refused(load, **options) -> str:
    with pytest.raises(ManifestError) as caught:
        load(**options)
    return str(caught.value)


# --- Refusals ------------------------------------------------------------------------------------------------------

def test_a_package_without_a_manifest_is_refused(make_zip):
    from scorm.manifest import read_manifest
    from scorm.package import Package
    with Package.open(make_zip({"index.html": "x"})) as package, pytest.raises(ManifestError) as caught:
        read_manifest(package)
    assert str(caught.value) == ("The package has no imsmanifest.xml at its root. "
                                 "Export the course again as a SCORM package.")


def test_a_manifest_inside_a_folder_is_refused_with_the_fix(make_zip, manifest_text):
    from scorm.manifest import read_manifest
    from scorm.package import Package
    data = make_zip({"mycourse/imsmanifest.xml": manifest_text(), "mycourse/index.html": "x"})
    with Package.open(data) as package, pytest.raises(ManifestError, match="inside the folder “mycourse/”"):
        read_manifest(package)


def test_malformed_xml_is_refused_with_its_line(load, manifest_text):
    broken = manifest_text().replace("</organization>", "", 1)
    assert "not well-formed XML" in _refused(load, manifest=broken)
    assert "line" in _refused(load, manifest=broken)


def test_a_billion_laughs_manifest_is_refused(load):
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE manifest [\n<!ENTITY a "aaaaaaaaaa">\n'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
              '<manifest identifier="x"><organizations><organization identifier="o"><title>&c;</title>'
              '</organization></organizations></manifest>')
    message = _refused(load, manifest=laughs)
    assert "entities" in message and "refused for safety" in message


def test_an_external_entity_in_the_manifest_is_refused(load):
    xxe = ('<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
           '<manifest identifier="x"><organizations><organization identifier="o"><title>&secret;</title>'
           '</organization></organizations></manifest>')
    assert "refused for safety" in _refused(load, manifest=xxe)


def test_a_document_that_is_not_a_manifest_is_refused(load):
    assert "not a content package manifest" in _refused(load, manifest="<html><body/></html>")


def test_a_manifest_without_organizations_is_refused(load):
    assert "has no organization" in _refused(load, organizations="")


def test_an_empty_organizations_element_is_refused(load):
    assert "has no organization" in _refused(load, organizations="<organizations/>")


def test_an_organization_that_opens_nothing_is_refused(load):
    organizations = ('<organizations default="org"><organization identifier="org"><title>Empty</title>'
                     '</organization></organizations>')
    assert "no item that opens content" in _refused(load, organizations=organizations)


def test_a_dangling_identifierref_is_refused(load):
    organizations = ORGANIZATIONS.replace('identifierref="res1"', 'identifierref="res_missing"')
    message = _refused(load, organizations=organizations)
    assert "“Lesson one”" in message and "“res_missing”" in message and "does not define" in message


def test_a_launchable_resource_without_href_is_refused(load):
    resources = RESOURCES_12.replace(' href="index.html"', "", 1)
    assert "has no href" in _refused(load, resources=resources)


def test_a_missing_launch_file_is_refused_naming_it(load):
    message = _refused(load, files={"other.html": "x"})
    assert "missing the launch file “index.html”, opened by “Lesson one”" in message


def test_a_launch_file_differing_only_by_case_is_refused_with_a_hint(load):
    message = _refused(load, files={"Index.html": "x"})
    assert "the package has “Index.html”; file names are case-sensitive" in message


def test_a_launch_href_leaving_the_package_is_refused(load):
    resources = RESOURCES_12.replace('href="index.html">', 'href="../index.html">', 1)
    assert "outside the package" in _refused(load, resources=resources)


def test_a_manifest_error_is_a_package_error():
    assert issubclass(ManifestError, PackageError)


# --- Tolerated mess ----------------------------------------------------------------------------------------------

def test_a_missing_default_organization_falls_back_to_the_first_with_a_warning(load):
    organizations = ORGANIZATIONS.replace('default="org"', 'default="nowhere"')
    manifest = load(organizations=organizations)
    assert manifest.organization.identifier == "org"
    assert any("“nowhere” does not exist" in warning for warning in manifest.warnings)


def test_missing_listed_files_are_a_warning_when_the_launch_file_is_there(load):
    resources = RESOURCES_12.replace('<file href="index.html"/>', '<file href="index.html"/><file href="gone.js"/>')
    manifest = load(resources=resources)
    assert any("“gone.js”" in warning for warning in manifest.warnings)


def test_an_item_without_a_title_shows_its_identifier_with_a_warning(load):
    manifest = load(organizations=ORGANIZATIONS.replace("<title>Lesson one</title>", ""))
    assert manifest.organization.items[0].title == "item1"
    assert any("has no title" in warning for warning in manifest.warnings)


def test_a_resource_without_scorm_type_is_an_asset_with_a_warning(load):
    manifest = load(resources=RESOURCES_12.replace(' adlcp:scormtype="sco"', ""))
    assert manifest.resources["res1"].scorm_type == "asset"
    assert any("SCO or an asset" in warning for warning in manifest.warnings)


def test_a_manifest_named_with_capitals_is_read_with_a_warning(make_zip, manifest_text):
    from scorm.manifest import read_manifest
    from scorm.package import Package
    with Package.open(make_zip({"IMSManifest.xml": manifest_text(), "index.html": "x"})) as package:
        manifest = read_manifest(package)
    assert manifest.title == "Course" and "standard name" in manifest.warnings[0]


def test_package_warnings_come_first_in_the_manifest_warnings(load):
    manifest = load(files={"index.html": "x", ".DS_Store": "junk"})
    assert "system file" in manifest.warnings[0]


# --- Versions ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("schemaversion, edition", [
    ("CAM 1.3", 2), ("2004 2nd Edition", 2), ("2004 3rd Edition", 3), ("2004 4th Edition", 4),
])
def test_scorm_2004_editions_are_told_apart(load, schemaversion, edition):
    manifest = load(version="2004", schemaversion=schemaversion)
    assert (manifest.version, manifest.edition) == (SCORM_2004, edition)


def test_scorm_12_is_detected_from_its_schemaversion(load):
    manifest = load()
    assert (manifest.version, manifest.edition) == (SCORM_12, None)


def test_a_2004_package_without_schemaversion_is_detected_from_namespaces(load, manifest_text):
    text = manifest_text(version="2004").replace("<schemaversion>2004 4th Edition</schemaversion>", "")
    manifest = load(manifest=text)
    assert (manifest.version, manifest.edition) == (SCORM_2004, None)
    assert any("from its namespaces" in warning for warning in manifest.warnings)


# --- What is read --------------------------------------------------------------------------------------------------

def test_scos_and_assets_are_told_apart(load):
    resources = RESOURCES_12 + ('<resource identifier="common" type="webcontent" adlcp:scormtype="asset">'
                                '<file href="style.css"/></resource>')
    manifest = load(resources=resources, files={"index.html": "x", "style.css": "x"})
    assert manifest.resources["res1"].is_sco and not manifest.resources["common"].is_sco


def test_12_item_data_is_read(load):
    organizations = ORGANIZATIONS.replace("<title>Lesson one</title>", """<title>Lesson one</title>
        <adlcp:masteryscore>80</adlcp:masteryscore><adlcp:datafromlms>level=2</adlcp:datafromlms>
        <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed><adlcp:timelimitaction>exit,message</adlcp:timelimitaction>
        <adlcp:prerequisites type="aicc_script">intro</adlcp:prerequisites>""")
    item = load(organizations=organizations).organization.items[0]
    assert (item.mastery_score, item.launch_data, item.max_time_allowed, item.time_limit_action,
            item.prerequisites) == (80.0, "level=2", "00:30:00", "exit,message", "intro")


def test_a_mastery_score_that_is_not_a_number_is_ignored_with_a_warning(load):
    organizations = ORGANIZATIONS.replace("<title>Lesson one</title>",
                                          "<title>Lesson one</title><adlcp:masteryscore>high</adlcp:masteryscore>")
    manifest = load(organizations=organizations)
    assert manifest.organization.items[0].mastery_score is None
    assert any("masteryscore “high”" in warning for warning in manifest.warnings)


def test_nested_items_hidden_items_and_parameters_are_read(load):
    organizations = """<organizations default="org"><organization identifier="org"><title>Course</title>
      <item identifier="module"><title>Module</title>
        <item identifier="item1" identifierref="res1" isvisible="false" parameters="?page=2"><title>One</title></item>
      </item></organization></organizations>"""
    manifest = load(organizations=organizations)
    module = manifest.organization.items[0]
    leaf = module.children[0]
    assert (module.identifierref, leaf.is_visible, leaf.parameters) == (None, False, "?page=2")
    assert manifest.launch_url(leaf) == "index.html?page=2"


@pytest.mark.parametrize("href, parameters, url", [
    ("index.html", "", "index.html"),
    ("index.html", "?a=1", "index.html?a=1"),
    ("index.html?x=1", "?a=1", "index.html?x=1&a=1"),
    ("index.html", "&a=1", "index.html?a=1"),
    ("index.html", "#part2", "index.html#part2"),
    ("index.html?x=1", "#part2", "index.html?x=1"),
])
def test_item_parameters_combine_with_the_href_as_scorm_says(load, href, parameters, url):
    organizations = ORGANIZATIONS.replace('identifierref="res1"',
                                          f'identifierref="res1" parameters="{escape(parameters)}"')
    resources = RESOURCES_12.replace('href="index.html">', f'href="{href}">', 1)
    manifest = load(organizations=organizations, resources=resources)
    assert manifest.launch_url(manifest.organization.items[0]) == url


def test_xml_base_is_applied_to_hrefs_and_files(load):
    resources = """<resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="index.html"
        xml:base="course/"><file href="index.html"/><file href="my%20notes.html"/></resource>"""
    manifest = load(resources=resources, files={"course/index.html": "x", "course/my notes.html": "x"})
    resource = manifest.resources["res1"]
    assert (resource.href, resource.launch_file, resource.files) == (
        "course/index.html", "course/index.html", ["course/index.html", "course/my notes.html"])
    assert manifest.warnings == []


def test_dependencies_are_read_and_dangling_ones_warned(load):
    resources = RESOURCES_12.replace("</resource>", '<dependency identifierref="shared"/></resource>')
    manifest = load(resources=resources)
    assert manifest.resources["res1"].dependencies == ["shared"]
    assert any("depends on “shared”" in warning for warning in manifest.warnings)


def test_2004_scaled_passing_score_and_completion_threshold_are_read(load):
    organizations = """<organizations default="org"><organization identifier="org"><title>Course</title>
      <item identifier="item1" identifierref="res1"><title>Quiz</title>
        <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"/>
        <adlcp:dataFromLMS>mode=exam</adlcp:dataFromLMS>
        <imsss:sequencing>
          <imsss:limitConditions attemptLimit="3" attemptAbsoluteDurationLimit="PT1H"/>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
            <imsss:objective objectiveID="extra"/>
          </imsss:objectives>
        </imsss:sequencing>
      </item></organization></organizations>"""
    item = load(version="2004", organizations=organizations).organization.items[0]
    assert (item.scaled_passing_score, item.completion_threshold, item.launch_data) == (0.8, 0.75, "mode=exam")
    assert (item.sequencing.attempt_limit, item.max_time_allowed) == (3, "PT1H")
    assert [objective.identifier for objective in item.sequencing.objectives] == ["pass", "extra"]


def test_2004_control_mode_is_read_from_the_organization(load):
    organizations = ORGANIZATIONS.replace("</organization>", """<imsss:sequencing>
        <imsss:controlMode choice="false" flow="true" forwardOnly="true"/></imsss:sequencing></organization>""")
    mode = load(version="2004", organizations=organizations).organization.control_mode
    assert (mode.choice, mode.flow, mode.forward_only, mode.choice_exit) == (False, True, True, True)


def test_a_sequencing_collection_entry_is_merged_under_the_items_own_rules(load):
    organizations = ORGANIZATIONS.replace("<title>Lesson one</title>", """<title>Lesson one</title>
        <imsss:sequencing IDRef="common"><imsss:controlMode flow="true"/></imsss:sequencing>""")
    collection = """<imsss:sequencingCollection><imsss:sequencing ID="common">
        <imsss:controlMode flow="false" choice="false"/>
        <imsss:deliveryControls completionSetByContent="true"/>
      </imsss:sequencing></imsss:sequencingCollection>"""
    sequencing = load(version="2004", organizations=organizations, extra=collection).organization.items[0].sequencing
    assert sequencing.completion_set_by_content is True  # from the collection
    assert (sequencing.control_mode.flow, sequencing.control_mode.choice) == (True, True)  # the item's own


def test_a_previous_item_satisfied_precondition_is_resolved_to_that_item(load):
    organizations = """<organizations default="org"><organization identifier="org"><title>Course</title>
      <item identifier="first" identifierref="res1"><title>First</title>
        <imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p1">
          <imsss:mapInfo targetObjectiveID="g.first" writeSatisfiedStatus="true"/>
        </imsss:primaryObjective></imsss:objectives></imsss:sequencing></item>
      <item identifier="second" identifierref="res1"><title>Second</title>
        <imsss:sequencing>
          <imsss:sequencingRules><imsss:preConditionRule>
            <imsss:ruleConditions conditionCombination="any">
              <imsss:ruleCondition referencedObjective="prev" operator="not" condition="satisfied"/>
            </imsss:ruleConditions>
            <imsss:ruleAction action="hiddenFromChoice"/>
          </imsss:preConditionRule></imsss:sequencingRules>
          <imsss:objectives><imsss:primaryObjective objectiveID="p2"/>
            <imsss:objective objectiveID="prev"><imsss:mapInfo targetObjectiveID="g.first"/></imsss:objective>
          </imsss:objectives>
        </imsss:sequencing></item>
      </organization></organizations>"""
    first, second = load(version="2004", organizations=organizations).organization.items
    assert (first.requires_satisfied, second.requires_satisfied) == ([], ["first"])
    assert second.precondition_action == "hiddenFromChoice"
    rule = second.sequencing.rules[0]
    assert (rule.kind, rule.combination, rule.conditions[0].operator) == ("precondition", "any", "not")


def test_parse_manifest_reads_bytes_without_a_package(manifest_text):
    manifest = parse_manifest(manifest_text().encode())
    assert manifest.title == "Course" and manifest.resources["res1"].href == "index.html"
