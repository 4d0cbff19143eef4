"""Fixtures for the SCORM library's tests: zips built in the test, manifests from templates, the shared real
packages and schemas (skipped with a reason when ../shared is absent), and exported pages opened in Debian's
Chromium (skipped when absent)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scorm.manifest import read_manifest
from scorm.package import Package

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
PACKAGES = SHARED / "scorm-packages"
XSD = SHARED / "scorm-xsd"
CHROMIUM = "/usr/bin/chromium"

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test.course" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  {organizations}
  <resources>{resources}</resources>
</manifest>"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test.course" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
          xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>
  {organizations}
  <resources>{resources}</resources>
  {extra}
</manifest>"""

ORGANIZATIONS = """<organizations default="org"><organization identifier="org"><title>Course</title>
  <item identifier="item1" identifierref="res1"><title>Lesson one</title></item>
</organization></organizations>"""

RESOURCES_12 = """<resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="index.html">
  <file href="index.html"/></resource>"""

RESOURCES_2004 = """<resource identifier="res1" type="webcontent" adlcp:scormType="sco" href="index.html">
  <file href="index.html"/></resource>"""


def requires_shared(path: Path):
    return pytest.mark.skipif(not path.is_dir(), reason=f"{path} is absent: the shared SCORM test material "
                                                        f"(packages and schemas) lives beside the repository")


@pytest.fixture
def make_zip():
    """make_zip({name: bytes or str, ...} or [(name or ZipInfo, bytes or str), ...]) -> the zip's bytes."""
    def make(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
        buffer = io.BytesIO()
        pairs = entries.items() if isinstance(entries, dict) else entries
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in pairs:
                archive.writestr(name, data)
        return buffer.getvalue()
    return make


@pytest.fixture
def manifest_text():
    """manifest_text(version="1.2" | "2004", organizations=..., resources=..., schemaversion=..., extra=...)."""
    def make(version: str = "1.2", organizations: str = ORGANIZATIONS, resources: str | None = None,
             schemaversion: str = "2004 4th Edition", extra: str = "") -> str:
        if version == "1.2":
            return MANIFEST_12.format(organizations=organizations, resources=resources or RESOURCES_12)
        return MANIFEST_2004.format(organizations=organizations, resources=resources or RESOURCES_2004,
                                    schemaversion=schemaversion, extra=extra)
    return make


@pytest.fixture
def load(make_zip, manifest_text):
    """load(manifest=None, files={"index.html": ...}, **manifest_text options) -> the Manifest read from a zip."""
    def make(manifest: str | None = None, files: dict | None = None, **options):
        entries = {"imsmanifest.xml": manifest if manifest is not None else manifest_text(**options)}
        entries.update(files if files is not None else {"index.html": "<p>Hello</p>"})
        with Package.open(make_zip(entries)) as package:
            return read_manifest(package)
    return make


@pytest.fixture
def open_page(tmp_path):
    """open_page(zip_bytes, version, page, state, check=[labels], submit=False) -> what the page reported.

    Runs tests/scorm/browser.py in its own process (one Playwright per thread: tests/e2e holds its own open).
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the exported pages need a browser")
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

    def run(data: bytes, version: str, page: str, state: dict, check: list[str] = (), submit: bool = False) -> dict:
        package = tmp_path / f"export-{version}.zip"
        package.write_bytes(data)
        spec = tmp_path / "spec.json"
        spec.write_text(json.dumps({"zip": str(package), "version": version, "page": page, "state": state,
                                    "check": list(check), "submit": submit}))
        done = subprocess.run([sys.executable, "-m", "tests.scorm.browser", str(spec)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return run
