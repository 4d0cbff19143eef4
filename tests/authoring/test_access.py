"""Who may edit: owners, co-authors and administrators; nobody else, on any editor URL."""

import pytest
from sqlalchemy import select

from lms.authoring.models import CourseAuthor, Draft
from lms.catalog.models import CourseVersion
from tests.authoring.conftest import COURSE, Editor, write_bilingual_course


def _course_urls(app, slugs) -> list[tuple[str, str]]:
    """Every URL of the authoring area that acts on one course, with each method it accepts."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("authoring.") or "slug" not in rule.arguments:
            continue
        quiz_rule = "/quiz/" in rule.rule
        values = {"slug": COURSE, "kind": "lesson", "item_slug": slugs["quiz"] if quiz_rule else slugs["lessons"][0],
                  "module_slug": slugs["module"], "question_id": "q1", "number": 1, "digest": "0" * 32,
                  "name": "x.png", "user_id": 1}
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


@pytest.fixture
def published_with_draft(client, author, login_as):
    """The author's course, published once and being edited again; the author is signed out afterwards."""
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish()
    editor.start_draft()
    client.post("/account/logout")
    return slugs


def test_another_author_is_refused_on_every_editor_url_and_changes_nothing(app, client, other_author, login_as, db,
                                                                          published_with_draft):
    urls = _course_urls(app, published_with_draft)
    assert len(urls) >= 40  # every route of the area that names a course is walked, not a hand-picked few
    before = db.session.execute(select(Draft.document)).scalar_one()
    login_as(other_author)
    refused = {(method, path): client.open(path, method=method,
                                           data={"direction": "up", "email": "other@example.org"}).status_code
               for method, path in urls}
    assert {status for status in refused.values()} == {403}, [key for key, s in refused.items() if s != 403]
    db.session.expire_all()
    assert db.session.execute(select(Draft.document)).scalar_one() == before
    assert db.session.execute(select(CourseVersion.number)).scalars().all() == [1]
    assert db.session.execute(select(CourseAuthor.user_id).where(CourseAuthor.user_id == other_author.id)).first() \
        is None


def test_a_learner_cannot_open_the_authoring_area(client, learner, login_as):
    login_as(learner)
    assert client.get("/authoring/").status_code == 403
    assert client.get("/authoring/courses/new").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/authoring/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_an_invited_co_author_can_edit_the_course(client, author, other_author, login_as, db, published_with_draft):
    login_as(author)
    response = client.post(f"/authoring/courses/{COURSE}/authors", data={"email": other_author.email})
    assert response.status_code == 302
    client.post("/account/logout")
    login_as(other_author)
    editor = Editor(client)
    assert client.get(f"{editor.base}/edit").status_code == 200
    editor.save_lesson(published_with_draft["lessons"][0], "Standard hours", "Edited by the co-author.")
    assert "Overtime basics" in client.get("/authoring/").get_data(as_text=True)


def test_a_co_author_cannot_invite_or_remove_authors(client, author, other_author, make_user, login_as, db,
                                                     published_with_draft):
    third = make_user(email="third@example.org", roles=("author",))
    login_as(author)
    client.post(f"/authoring/courses/{COURSE}/authors", data={"email": other_author.email})
    client.post("/account/logout")
    login_as(other_author)
    assert client.post(f"/authoring/courses/{COURSE}/authors", data={"email": third.email}).status_code == 403
    assert client.post(f"/authoring/courses/{COURSE}/authors/{other_author.id}/remove").status_code == 403


@pytest.mark.parametrize(("email", "message"), [
    ("nobody@example.org", "No account has this e-mail address"),
    ("learner@example.org", "This account is not an author"),
    ("author@example.org", "already writes this course"),
    ("not an address", "Invalid email address"),
])
def test_an_invitation_that_cannot_be_made_says_why_beside_the_field(client, author, learner, login_as, db,
                                                                     published_with_draft, email, message):
    login_as(author)
    response = client.post(f"/authoring/courses/{COURSE}/authors", data={"email": email})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body and 'id="email-errors"' in body
    assert len(db.session.execute(select(CourseAuthor.id)).all()) == 1


def test_a_removed_co_author_can_no_longer_edit(client, author, other_author, login_as, published_with_draft):
    login_as(author)
    client.post(f"/authoring/courses/{COURSE}/authors", data={"email": other_author.email})
    assert client.post(f"/authoring/courses/{COURSE}/authors/{other_author.id}/remove").status_code == 302
    client.post("/account/logout")
    login_as(other_author)
    assert client.get(f"/authoring/courses/{COURSE}/edit").status_code == 403


def test_courses_loaded_from_files_belong_to_the_administrators(client, author, admin, login_as, synced):
    login_as(author)
    assert client.get("/authoring/courses/labor-contract-basics").status_code == 403
    assert "labor-contract-basics" not in client.get("/authoring/").get_data(as_text=True)
    client.post("/account/logout")
    login_as(admin)
    page = client.get("/authoring/courses/labor-contract-basics").get_data(as_text=True)
    assert "The administrators (this course was loaded from files)" in page
