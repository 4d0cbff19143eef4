"""The real packages in ../shared/scorm-packages/ (see its README): the valid ones read with the right version,
items, SCO/asset split and sequencing; the broken ones refused with the message their README asks for."""

from __future__ import annotations

import pytest

from scorm.manifest import SCORM_12, SCORM_2004, ManifestError, read_manifest
from scorm.package import Package, PackageError

from .conftest import PACKAGES, requires_shared

pytestmark = requires_shared(PACKAGES)


def _read(name: str):
    with Package.open(PACKAGES / name) as package:
        return read_manifest(package)


def _refusal(name: str) -> str:
    with pytest.raises(PackageError) as caught:
        _read(name)
    return str(caught.value)


def test_golf_12_single_sco_is_scorm_12_with_one_sco():
    manifest = _read("01_scorm12_golf_runtimebasic_singlesco.zip")
    assert (manifest.version, manifest.edition) == (SCORM_12, None)
    assert manifest.title == "Golf Explained - Run-time Basic Calls"
    [item] = manifest.organization.launchable()
    assert manifest.resource_for(item).is_sco
    assert manifest.launch_url(item) == "shared/launchpage.html"
    assert manifest.warnings == []


def test_golf_12_multi_sco_has_18_scos_under_4_aggregations():
    manifest = _read("02_scorm12_golf_runtimeminimum_multisco.zip")
    organization = manifest.organization
    assert [module.title for module in organization.items] == ["Playing the Game", "Etiquette", "Handicapping",
                                                                "Having Fun"]
    launchable = organization.launchable()
    assert len(launchable) == 18
    assert all(manifest.resource_for(item).is_sco for item in launchable)
    assert not manifest.resources["common_files"].is_sco  # the shared files are an asset
    assert manifest.resources["playing_quiz_resource"].dependencies == ["common_files"]


def test_golf_12_quiz_items_carry_their_parameters_into_the_launch_url():
    manifest = _read("02_scorm12_golf_runtimeminimum_multisco.zip")
    quiz = next(item for item in manifest.organization.walk() if item.identifier == "etiquette_quiz_item")
    assert manifest.launch_url(quiz) == "shared/assessmenttemplate.html?questions=Etiquette"


def test_golf_2004_3rd_single_sco_is_2004_third_edition():
    manifest = _read("05_scorm2004-3rd_golf_runtimebasic_singlesco.zip")
    assert (manifest.version, manifest.edition) == (SCORM_2004, 3)
    [item] = manifest.organization.launchable()
    assert manifest.resource_for(item).is_sco
    assert item.sequencing.completion_set_by_content and item.sequencing.objective_set_by_content
    assert manifest.organization.control_mode.flow and manifest.organization.control_mode.choice
    assert manifest.organization.objectives_global_to_system is False


def test_golf_forced_sequential_disables_each_sco_until_the_previous_is_satisfied():
    manifest = _read("06_scorm2004-3rd_golf_seq_forcedsequential.zip")
    items = manifest.organization.launchable()
    assert [item.title for item in items] == ["Playing the Game", "Etiquette", "Handicapping", "Having Fun", "Quiz"]
    assert [item.requires_satisfied for item in items] == [
        [], ["playing_item"], ["etuqiette_item"], ["handicapping_item"], ["havingfun_item"]]
    assert [item.precondition_action for item in items] == [None, "disabled", "disabled", "disabled", "disabled"]


def test_golf_forced_sequential_merges_the_shared_sequencing_collection():
    manifest = _read("06_scorm2004-3rd_golf_seq_forcedsequential.zip")
    for item in manifest.organization.launchable():
        assert item.sequencing.completion_set_by_content is True  # from the collection "common_seq_rules"
        assert item.sequencing.primary_objective is not None  # from the item itself


def test_golf_forced_sequential_launch_urls_keep_their_query():
    manifest = _read("06_scorm2004-3rd_golf_seq_forcedsequential.zip")
    first = manifest.organization.launchable()[0]
    assert manifest.launch_url(first) == "shared/launchpage.html?content=playing"
    assert manifest.resource_for(first).launch_file == "shared/launchpage.html"


def test_the_package_without_a_manifest_is_refused():
    assert "has no imsmanifest.xml at its root" in _refusal("91_bad_no_manifest.zip")


def test_the_malformed_manifest_is_refused_with_its_line():
    message = _refusal("94_bad_malformed_xml_scorm12.zip")
    assert "not well-formed XML: mismatched tag at line 27" in message


def test_the_package_missing_files_is_refused_naming_them():
    with pytest.raises(ManifestError) as caught:
        _read("95_bad_missing_files_scorm12.zip")
    message = str(caught.value)
    assert "missing the launch file “content/nonexistent.html”" in message
    for listed in ("content/nonexistent.js", "content/nonexistent.css", "content/nonexistent_asset.html"):
        assert f"“{listed}”" in message


@pytest.mark.parametrize("name", ["01_scorm12_golf_runtimebasic_singlesco.zip",
                                  "06_scorm2004-3rd_golf_seq_forcedsequential.zip"])
def test_a_real_package_extracts_every_listed_file(name, tmp_path):
    with Package.open(PACKAGES / name) as package:
        manifest = read_manifest(package)
        root = package.extract_to(tmp_path)
    for resource in manifest.resources.values():
        for path in resource.files:
            assert (root / path).is_file(), path
