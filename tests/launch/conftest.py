"""Fixtures for launchable content: the real cmi5 packages, importing, enrolling, and an AU simulated over HTTP
(fetch, LMS.LaunchData, statements to /xapi) the way the AUs' own cmi5.js does it."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import SHARED

PACKAGES = SHARED / "cmi5-packages"
XSD = SHARED / "cmi5-xsd" / "CourseStructure.xsd"
NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
VERSION = {"X-Experience-API-Version": "1.0.3"}
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVE_ON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
VERBS = {name: f"http://adlnet.gov/expapi/verbs/{name}"
         for name in ("launched", "initialized", "completed", "passed", "failed", "terminated", "experienced")}
VERBS.update({name: f"https://w3id.org/xapi/adl/verbs/{name}" for name in ("satisfied", "abandoned", "waived")})


def package_path(name: str) -> Path:
    path = PACKAGES / f"{name}.zip"
    if not path.exists():
        pytest.skip(f"{path} is absent: the real cmi5 packages live in ../shared/cmi5-packages (see its README)")
    return path


def slug_from(output: str) -> str:
    """The course slug a `cmi5 import` printed (its outcome line: "created  SLUG version N ...")."""
    match = re.search(r"^(?:created|updated|unchanged)\s+(\S+)", output, re.MULTILINE)
    assert match, output
    return match.group(1)


@pytest.fixture
def import_package(runner):
    """import_package(path, course=None) -> the course slug, imported with `flask lms cmi5 import`."""

    def run(path: Path, course: str | None = None) -> str:
        args = ["lms", "cmi5", "import", str(path)] + (["--course", course] if course else [])
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        return slug_from(result.output)

    return run


@pytest.fixture
def real_package(import_package):
    """real_package(name) -> the slug of one of the shared real packages, imported."""
    return lambda name: import_package(package_path(name))


@pytest.fixture
def learner(make_user, login_as):
    """A signed-in learner."""
    user = make_user(display_name="Lee Learner")
    login_as(user)
    return user


@pytest.fixture
def enrolled(client, learner):
    """enrolled(slug) -> the learner enrolled in the course (through the enrol button); returns the slug."""

    def enrol(slug: str) -> str:
        response = client.post(f"/courses/{slug}/enroll")
        assert response.status_code == 302, response.get_data(as_text=True)
        return slug

    return enrol


def items(app, slug: str, kind: str = "au") -> list:
    """The launchable items of a course's newest version, in order (ItemOutlines)."""
    from lms.catalog.outline import outline
    from lms.catalog.services import course_by_slug, latest_version

    with app.app_context():
        return [item for item in outline(latest_version(course_by_slug(slug).id).id).items if item.kind == kind]


def local(url: str) -> str:
    """An absolute URL of the app as the test client's path and query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_page(client, slug: str, item, mode: str | None = None):
    """POST the item's Start button; returns the response (the player page, or a redirect for OwnWindow)."""
    data = {"mode": mode} if mode else {}
    return client.post(f"/launch/courses/{slug}/{item.kind}/{item.slug}/start", data=data)


def launch_url_from(response) -> str:
    """The AU URL of a player page (its iframe), or of an OwnWindow redirect."""
    if response.status_code in (302, 303):
        return response.headers["Location"]
    assert response.status_code == 200, response.get_data(as_text=True)
    match = re.search(r'<iframe src="([^"]+)"', response.get_data(as_text=True))
    assert match, "no player frame on the page"
    return match.group(1).replace("&amp;", "&")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AU:
    """An assignable unit as the browser runs it: launch parameters from its URL, the fetch token, LMS.LaunchData,
    and cmi5 statements built on the contextTemplate."""

    def __init__(self, client, url: str) -> None:
        self.client, self.url = client, url
        query = parse_qs(urlsplit(url).query)
        self.params = {name: values[0] for name, values in query.items()}
        self.actor = json.loads(self.params["actor"])
        self.registration = self.params["registration"]
        self.activity_id = self.params["activityId"]
        self.auth: str | None = None
        self.launch_data: dict | None = None

    def fetch(self) -> dict:
        return self.client.post(local(self.params["fetch"])).get_json()

    def start(self) -> AU:
        """What cmi5.js does at start: fetch the token, then read LMS.LaunchData."""
        token = self.fetch()
        assert "auth-token" in token, token
        self.auth = "Basic " + token["auth-token"]
        self.launch_data = self.state("LMS.LaunchData")
        return self

    def headers(self, extra=None) -> dict:
        return {**VERSION, "Authorization": self.auth, **(extra or {})}

    def state(self, state_id: str):
        response = self.client.get("/xapi/activities/state", headers=self.headers(), query_string={
            "stateId": state_id, "activityId": self.activity_id, "agent": json.dumps(self.actor),
            "registration": self.registration})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    @property
    def session_id(self) -> str:
        return self.launch_data["contextTemplate"]["extensions"][SESSION_ID]

    def statement(self, verb: str, *, result: dict | None = None, defined: bool = True, move_on: bool | None = None,
                  obj: dict | None = None, extensions: dict | None = None) -> dict:
        context = json.loads(json.dumps(self.launch_data["contextTemplate"]))
        context["registration"] = self.registration
        categories = []
        if defined:
            categories.append({"id": CMI5_CATEGORY})
        if move_on if move_on is not None else (result and ("success" in result or "completion" in result)):
            categories.append({"id": MOVE_ON_CATEGORY})
        if categories:
            context["contextActivities"]["category"] = categories
        context["extensions"].update(extensions or {})
        statement = {"id": str(uuid.uuid4()), "timestamp": now_iso(), "actor": self.actor,
                     "verb": {"id": VERBS.get(verb, verb), "display": {"en-US": verb}},
                     "object": obj or {"objectType": "Activity", "id": self.activity_id}, "context": context}
        if result is not None:
            statement["result"] = result
        return statement

    def post(self, *statements):
        return self.client.post("/xapi/statements", data=json.dumps(list(statements)),
                                headers=self.headers({"Content-Type": "application/json"}))

    def send(self, verb: str, **kwargs):
        """Post one cmi5 statement; asserts the LRS took it."""
        response = self.post(self.statement(verb, **kwargs))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    # The usual statements, with what cmi5 9.5 requires of them.
    def initialized(self):
        return self.send("initialized")

    def completed(self):
        return self.send("completed", result={"completion": True, "duration": "PT1M"})

    def passed(self, scaled: float = 1.0):
        extensions = {}
        if self.launch_data.get("masteryScore") is not None:
            extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] = self.launch_data["masteryScore"]
        return self.send("passed", result={"success": True, "duration": "PT1M", "score": {"scaled": scaled}},
                         extensions=extensions)

    def terminated(self):
        return self.send("terminated", result={"duration": "PT2M"})


@pytest.fixture
def launch(client, app):
    """launch(slug, index=0, mode=None) -> an AU (started: token fetched, LaunchData read) for the signed-in learner."""

    def run(slug: str, index: int = 0, mode: str | None = None, start: bool = True) -> AU:
        item = items(app, slug)[index]
        au = AU(client, launch_url_from(start_page(client, slug, item, mode)))
        return au.start() if start else au

    return run


def stored(app, verb: str | None = None, registration: str | None = None) -> list[dict]:
    """Stored statements, oldest first (optionally one verb, one registration)."""
    from sqlalchemy import select

    from lms.db import session
    from lms.tracking.models import Statement

    with app.app_context():
        query = select(Statement.full).order_by(Statement.id)
        if verb:
            query = query.where(Statement.verb_id == VERBS.get(verb, verb))
        if registration:
            query = query.where(Statement.registration == registration)
        return list(session.execute(query).scalars())


def verbs_of(statements: list[dict]) -> list[str]:
    return [statement["verb"]["id"].rsplit("/", 1)[-1] for statement in statements]


# --- building packages ----------------------------------------------------------------------------------------

def course_xml(body: str, course_id: str = "https://example.org/course/generated", extra_root: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<courseStructure xmlns="{NS}"{extra_root}>\n'
            f'<course id="{course_id}"><title><langstring lang="en-US">Generated course</langstring></title>'
            f'<description><langstring lang="en-US">A course built by a test.</langstring></description></course>\n'
            f'{body}\n</courseStructure>').encode("utf-8")


def au_xml(au_id: str, url: str = "index.html", attributes: str = "", title: str = "A unit",
           extra: str = "") -> str:
    return (f'<au id="{au_id}"{attributes}><title><langstring lang="en-US">{title}</langstring></title>'
            f'<description><langstring lang="en-US">About {title}.</langstring></description>'
            f'{extra}<url>{url}</url></au>')


def zipped(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def write_file(tmp_path):
    """write_file(name, bytes) -> a Path in a temp folder."""

    def write(name: str, data: bytes) -> Path:
        path = tmp_path / "uploads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return write


def basic_credentials(auth_token: str) -> tuple[str, str]:
    key, _, secret = base64.b64decode(auth_token).decode().partition(":")
    return key, secret

