"""What the SCORM tests share (no tests here): the real packages in ../shared/scorm-packages (skipped with a reason
when absent), packages built in the test, importing, enrolling, and the player's calls made over HTTP the way
lms/static/scorm/player.js makes them (initialize, JSON commits, the last commit as text/plain by beacon)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SHARED

PACKAGES = SHARED / "scorm-packages"
XSD = SHARED / "scorm-xsd"
GOLF_12 = "01_scorm12_golf_runtimebasic_singlesco.zip"
GOLF_12_MULTI = "02_scorm12_golf_runtimeminimum_multisco.zip"
GOLF_2004 = "05_scorm2004-3rd_golf_runtimebasic_singlesco.zip"
GOLF_SEQUENTIAL = "06_scorm2004-3rd_golf_seq_forcedsequential.zip"
VALID = (GOLF_12, GOLF_12_MULTI, GOLF_2004, GOLF_SEQUENTIAL)
BROKEN = {  # each broken package, and what its refusal must say (the package README's "what an LMS must do")
    "91_bad_no_manifest.zip": "has no imsmanifest.xml at its root",
    "94_bad_malformed_xml_scorm12.zip": "not well-formed XML: mismatched tag at line 27",
    "95_bad_missing_files_scorm12.zip": "missing the launch file “content/nonexistent.html”",
}
PROFILE = "https://w3id.org/xapi/scorm"
VERB = "http://adlnet.gov/expapi/verbs/"

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{title}</title>{items}</organization>
  </organizations>
  <resources>{resources}</resources>
</manifest>"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{title}</title>{items}{sequencing}
  </organization></organizations>
  <resources>{resources}</resources>
</manifest>"""


def real_package(name: str) -> Path:
    path = PACKAGES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real SCORM packages live in ../shared/scorm-packages (see its README)")
    return path


def zip_bytes(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sco_package(version: str = "1.2", *, identifier: str = "test.package", title: str = "Test package",
                items: str | None = None, resources: str | None = None, sequencing: str = "",
                files: dict | None = None) -> bytes:
    """A package of one SCO (``index.html``) unless ``items``/``resources`` say otherwise."""
    scorm_type = "scormtype" if version == "1.2" else "scormType"
    items = items if items is not None else '<item identifier="item1" identifierref="res1"><title>Lesson one</title></item>'
    resources = resources if resources is not None else (
        f'<resource identifier="res1" type="webcontent" adlcp:{scorm_type}="sco" href="index.html">'
        '<file href="index.html"/></resource>')
    template = MANIFEST_12 if version == "1.2" else MANIFEST_2004
    manifest = template.format(identifier=identifier, title=title, items=items, resources=resources,
                               sequencing=sequencing)
    return zip_bytes({"imsmanifest.xml": manifest, "index.html": "<p>Hello</p>", **(files or {})})


def write_package(tmp_path: Path, data: bytes, name: str = "package.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def import_cli(runner, path: Path, *args: str):
    return runner.invoke(args=["lms", "scorm", "import", str(path), *args])


def imported_slug(result) -> str:
    """The course slug a `scorm import` printed ("created  SLUG version N (...)")."""
    match = re.search(r"^(?:created|updated|unchanged)\s+(\S+)", result.output, re.MULTILINE)
    assert match, result.output
    return match.group(1)


def import_package(runner, path: Path, *args: str) -> str:
    result = import_cli(runner, path, *args)
    assert result.exit_code == 0, result.output
    return imported_slug(result)


def version_outline(app, slug: str):
    from lms.catalog.outline import outline
    from lms.catalog.services import course_by_slug, latest_version

    with app.app_context():
        return outline(latest_version(course_by_slug(slug).id).id)


def scorm_items(app, slug: str) -> list:
    return [item for item in version_outline(app, slug).items if item.kind in ("sco", "asset")]


def enroll(client, slug: str):
    response = client.post(f"/courses/{slug}/enroll")
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def learner(make_user, login_as):
    """A signed-in learner (the test client's session)."""
    user = make_user()
    login_as(user)
    return user


class Player:
    """A SCO's player page and the calls its script makes."""

    def __init__(self, client, slug: str, item) -> None:
        self.client = client
        self.url = f"/scorm/courses/{slug}/{item.kind}/{item.slug}"
        self.response = client.get(self.url)
        assert self.response.status_code == 200, self.response.get_data(as_text=True)
        self.html = self.response.get_data(as_text=True)
        found = re.search(r'<script type="application/json" id="scorm-launch">(.*?)</script>', self.html, re.DOTALL)
        self.config = json.loads(found.group(1)) if found else None

    @property
    def cmi(self) -> dict:
        return self.config["cmi"]

    def initialize(self):
        response = self.client.post(self.config["initializeUrl"], data="{}", content_type="application/json")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def commit(self, values: dict, *, terminate: bool = False, beacon: bool = False, expect: int = 200):
        """A commit as scorm-again sends it: the flattened data model (plus ``terminate`` for Terminate's), as
        JSON, or as text/plain when it goes by sendBeacon."""
        body = dict(values, **({"terminate": True} if terminate else {}))
        content_type = "text/plain;charset=UTF-8" if beacon else "application/json"
        response = self.client.post(self.config["commitUrl"], data=json.dumps(body), content_type=content_type)
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()


def statements(app, verb: str | None = None) -> list[dict]:
    from sqlalchemy import select

    from lms.db import session
    from lms.tracking.models import Statement

    with app.app_context():
        query = select(Statement).order_by(Statement.id)
        if verb:
            query = query.where(Statement.verb_id == VERB + verb)
        return [row.full for row in session.execute(query).scalars()]


def verbs(app, activity_suffix: str = "") -> list[str]:
    return [statement["verb"]["id"].rsplit("/", 1)[-1] for statement in statements(app)
            if statement["object"]["id"].endswith(activity_suffix)]


def progress(app, user, slug: str):
    """The learner's CourseProgress in a course."""
    from lms.accounts.models import User
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from lms.learning.services import course_progress, enrollment_for

    with app.app_context():
        found = session.get(User, user.id)
        return course_progress(found, enrollment_for(found, course_by_slug(slug)))
