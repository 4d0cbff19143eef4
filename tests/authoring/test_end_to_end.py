"""The whole journey over HTTP: a new author writes a bilingual course with a quiz and publishes it; a learner takes
half of it; the author edits and publishes again; the learner stays on version 1 until the author moves them."""

import re

from sqlalchemy import select

from lms.catalog.models import CourseVersion
from lms.learning.models import Enrollment
from lms.tracking.models import ActivityProgress
from tests.authoring.conftest import COURSE, Editor, write_bilingual_course
from tests.conftest import BASE_URL


def _link(page: str, text: str) -> str:
    """The href of the link with this text (the author finds their way by what the pages show)."""
    match = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*' + re.escape(text), page)
    assert match, f"no link {text!r}"
    return match.group(1)


def test_an_author_publishes_a_course_edits_it_and_moves_a_learner(client, make_user, login_as, db):
    author = make_user(email="new.author@example.org", roles=("author",), display_name="New Author")
    learner = make_user(email="worker@example.org", roles=("learner",), audience="worker")

    # A new author signs in and finds the editor from the home page.
    login_as(author)
    home = client.get("/").get_data(as_text=True)
    authoring = client.get(_link(home, "Authoring")).get_data(as_text=True)
    assert "You have no courses yet" in authoring
    assert client.get(_link(authoring, "New course")).status_code == 200

    # A short bilingual course with a quiz, then published.
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    checks = client.get(f"{editor.base}/publish").get_data(as_text=True)
    assert "Every check passed." in checks
    editor.publish("First edition")
    assert "Overtime basics" in client.get("/").get_data(as_text=True)

    # The learner enrols and takes half: the first lesson only.
    client.post("/account/logout")
    login_as(learner)
    enrolled = client.post(f"/courses/{COURSE}/enroll")
    assert enrolled.headers["Location"].endswith(f"/lesson/{slugs['lessons'][0]}")
    first = client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][0]}").get_data(as_text=True)
    assert "The standard day is <strong>8 hours</strong>." in first

    # The author changes the second lesson and adds a question, and publishes version 2.
    client.post("/account/logout")
    login_as(author)
    overview = client.get(f"{editor.base}").get_data(as_text=True)
    assert "Version 1: 1 learner" in overview
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][1], "Overtime pay", "Workday overtime: **150%**. Rest days: **200%**.",
                       "加班费", "工作日加班：**150%**。休息日：**200%**。")
    editor.add_question(slugs["quiz"], "true_false", "Rest-day overtime is paid at 200%.", "休息日加班按200%支付。",
                        answer=True)
    editor.publish("Rest-day overtime")
    versions = client.get(f"{editor.base}/versions").get_data(as_text=True)
    assert "1 learner on it" in versions and "Move this 1 learner to version 2" in versions

    # The learner is still on version 1: the new text is not there, and their progress is intact.
    client.post("/account/logout")
    login_as(learner)
    second = client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][1]}").get_data(as_text=True)
    assert "Rest days" not in second and "Version 1" in client.get(f"/courses/{COURSE}").get_data(as_text=True)

    # The author moves the learner; the learner now reads version 2 and keeps the lesson already read.
    client.post("/account/logout")
    login_as(author)
    editor.ok(client.post(f"{editor.base}/versions/1/move-learners"))
    client.post("/account/logout")
    login_as(learner)
    outline = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "Version 2" in outline
    read = outline[outline.find(f"/lesson/{slugs['lessons'][0]}"):].split("</li>")[0]
    assert "done" in read
    assert "Rest days: <strong>200%</strong>" in client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][1]}"
                                                            ).get_data(as_text=True)
    quiz = client.get(f"/courses/{COURSE}/quiz/{slugs['quiz']}").get_data(as_text=True)
    assert "Rest-day overtime is paid at 200%." in quiz

    version = db.session.execute(select(CourseVersion.number).join(Enrollment,
                                                                   Enrollment.version_id == CourseVersion.id)
                                 ).scalar_one()
    assert version == 2
    lesson_iri = f"{BASE_URL}/xapi/activities/course/{COURSE}/lesson/{slugs['lessons'][0]}"
    assert db.session.execute(select(ActivityProgress.is_completed).filter_by(activity_id=lesson_iri)).scalar_one()
