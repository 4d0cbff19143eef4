"""The author's import page (with its XMLHttpRequest progress and its plain-form fallback), the unit page, and
Tin Can packages launched from it."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.launch.conftest import (
    VERSION,
    items,
    launch_url_from,
    local,
    package_path,
    slug_from,
    start_page,
    stored,
    zipped,
)
from tests.launch.test_import import TINCAN


@pytest.fixture
def author(make_user, login_as):
    user = make_user(roles=("author", "learner"))
    login_as(user)
    return user


def _upload(client, name: str, data: bytes, course: str = "", xhr: bool = False):
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return client.post("/launch/import", data={"package": (io.BytesIO(data), name), "course": course},
                       content_type="multipart/form-data", headers=headers)


def test_import_page_is_for_authors_and_admins(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/launch/import").status_code == 403


def test_import_page_asks_anonymous_visitors_to_sign_in(client):
    assert client.get("/launch/import").status_code == 302


def test_import_page_has_a_labelled_file_field_and_a_progress_bar(client, author):
    page = client.get("/launch/import").get_data(as_text=True)
    assert '<label for="package">' in page and 'type="file"' in page and "<progress" in page
    script = page.split('<script src="', 2)[-1].split('"', 1)[0]
    assert script.endswith("/upload.js") and 'id="upload-texts"' in page
    assert "upload.addEventListener(\"progress\"" in client.get(script).get_data(as_text=True)


def test_import_page_says_what_to_do_when_nothing_was_imported(client, author):
    assert 'class="empty"' in client.get("/launch/import").get_data(as_text=True)


def test_uploading_a_package_makes_a_course_and_goes_to_it(client, author):
    response = _upload(client, "geology.zip", package_path("single_au_basic_responsive").read_bytes())
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_uploading_with_xhr_answers_json_with_where_to_go(client, author):
    response = _upload(client, "geology.zip", package_path("single_au_basic_responsive").read_bytes(), xhr=True)
    answer = response.get_json()
    assert response.status_code == 200 and answer["ok"] and answer["redirect"].startswith("/courses/")


def test_a_refused_upload_shows_the_rule_beside_the_file_field(client, author):
    response = _upload(client, "bad.zip", zipped({"readme.txt": "no course here"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="package-errors"' in page and "14.1" in page


def test_a_refused_xhr_upload_answers_the_errors_by_field(client, author):
    response = _upload(client, "bad.zip", zipped({"readme.txt": "no course here"}), xhr=True)
    assert response.status_code == 400 and "14.1" in response.get_json()["errors"]["package"][0]


def test_upload_without_a_file_is_refused_beside_the_field(client, author):
    response = client.post("/launch/import", data={"course": ""}, content_type="multipart/form-data")
    assert response.status_code == 400 and 'id="package-errors"' in response.get_data(as_text=True)


def test_upload_into_a_bad_course_name_is_refused_beside_that_field(client, author):
    response = _upload(client, "geology.zip", package_path("single_au_basic_responsive").read_bytes(),
                       course="Not a slug")
    assert response.status_code == 400 and 'id="course-errors"' in response.get_data(as_text=True)


def test_upload_larger_than_the_limit_is_refused(app, client, author):
    app.config["LMS_PACKAGE_MAX_BYTES"] = 1024
    response = _upload(client, "geology.zip", package_path("single_au_basic_responsive").read_bytes())
    assert response.status_code == 400 and "limit" in response.get_data(as_text=True)


def test_imported_packages_are_listed(client, author):
    _upload(client, "geology.zip", package_path("single_au_basic_responsive").read_bytes())
    assert "geology.zip" in client.get("/launch/import").get_data(as_text=True)


def test_au_page_states_what_completes_the_unit(app, client, real_package, enrolled):
    slug = enrolled(real_package("pre_post_test_framed"))
    item = items(app, slug)[0]
    page = client.get(f"/launch/courses/{slug}/au/{item.slug}").get_data(as_text=True)
    assert "pass its assessment" in page


# --- Tin Can launched -----------------------------------------------------------------------------------------

@pytest.fixture
def tincan_course(runner, write_file):
    path = write_file("tc.zip", zipped({"tincan.xml": TINCAN, "index.html": "<p>hi</p>"}))
    result = runner.invoke(args=["lms", "cmi5", "import", str(path)])
    assert result.exit_code == 0, result.output
    return slug_from(result.output)


def _tincan_launch(app, client, slug) -> dict:
    item = items(app, slug, kind="tincan")[0]
    url = launch_url_from(start_page(client, slug, item))
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()} | {"url": url}


def test_tincan_launch_carries_endpoint_auth_actor_registration_and_activity_id(app, client, tincan_course,
                                                                                enrolled):
    params = _tincan_launch(app, client, enrolled(tincan_course))
    assert params["auth"].startswith("Basic ") and params["endpoint"].endswith("/xapi/")
    assert params["activity_id"] == "https://example.org/tincan/course" and params["page"] == "1"
    assert json.loads(params["actor"])["account"]["homePage"] == "http://lms.test"


def _tincan_statement(params: dict, verb: str) -> dict:
    return {"actor": json.loads(params["actor"]), "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
            "object": {"objectType": "Activity", "id": params["activity_id"]},
            "context": {"registration": params["registration"]}}


def test_tincan_package_statements_complete_the_item(app, client, tincan_course, enrolled, learner):
    from lms.accounts.models import User
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from lms.learning.services import course_progress, enrollment_for

    slug = enrolled(tincan_course)
    params = _tincan_launch(app, client, slug)
    headers = {**VERSION, "Authorization": params["auth"]}
    response = client.post("/xapi/statements", json=_tincan_statement(params, "completed"), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        user = session.get(User, learner.id)
        assert course_progress(user, enrollment_for(user, course_by_slug(slug))).is_completed


def test_tincan_item_is_not_done_before_its_statements(app, client, tincan_course, enrolled, learner):
    from lms.accounts.models import User
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from lms.learning.services import course_progress, enrollment_for

    slug = enrolled(tincan_course)
    params = _tincan_launch(app, client, slug)
    client.post("/xapi/statements", json=_tincan_statement(params, "attempted"),
                headers={**VERSION, "Authorization": params["auth"]})
    with app.app_context():
        user = session.get(User, learner.id)
        assert course_progress(user, enrollment_for(user, course_by_slug(slug))).fraction == 0


def test_tincan_content_file_is_served(app, client, tincan_course, enrolled):
    params = _tincan_launch(app, client, enrolled(tincan_course))
    assert client.get(local(params["url"])).get_data(as_text=True) == "<p>hi</p>"


def test_tincan_launch_records_no_cmi5_statements(app, client, tincan_course, enrolled):
    _tincan_launch(app, client, enrolled(tincan_course))
    assert stored(app, "launched") == []
