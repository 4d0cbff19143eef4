"""Preview as a learner: the learner pages, from the draft, with a Preview banner; nothing recorded, nothing listed."""

from sqlalchemy import func, select

from lms.learning.models import Enrollment
from lms.tracking.models import ActivityProgress, Statement
from tests.authoring.conftest import COURSE, Editor, write_bilingual_course


def _nothing_recorded(db) -> bool:
    return all(db.session.execute(select(func.count()).select_from(model)).scalar_one() == 0
               for model in (Statement, ActivityProgress, Enrollment))


def test_a_draft_lesson_is_previewed_with_the_learner_page_and_a_banner(client, author, login_as, db):
    login_as(author)
    slugs = write_bilingual_course(Editor(client))
    response = client.get(f"/authoring/preview/{COURSE}/lesson/{slugs['lessons'][0]}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="preview-banner"' in page and "nothing you do here is recorded" in page
    assert '<article class="lesson"' in page and "<strong>8 hours</strong>" in page  # the learner template
    assert f'href="/authoring/preview/{COURSE}/lesson/{slugs["lessons"][1]}"' in page  # next stays in the preview
    assert _nothing_recorded(db)


def test_the_preview_outline_links_every_item_and_enrols_nobody(client, author, login_as, db):
    login_as(author)
    slugs = write_bilingual_course(Editor(client))
    page = client.get(f"/authoring/preview/{COURSE}").get_data(as_text=True)
    assert 'class="preview-banner"' in page
    assert f'/authoring/preview/{COURSE}/quiz/{slugs["quiz"]}' in page
    assert _nothing_recorded(db)


def test_a_quiz_is_graded_in_the_preview_without_recording_an_attempt(client, author, login_as, db):
    login_as(author)
    slugs = write_bilingual_course(Editor(client))
    url = f"/authoring/preview/{COURSE}/quiz/{slugs['quiz']}"
    assert "You may try as often as you like" in client.get(url).get_data(as_text=True)
    result = client.post(url, data={"q-q1": "a", "q-q2": "true"}).get_data(as_text=True)
    assert "Passed:" in result and "2 of 2 right" in result and 'class="preview-banner"' in result
    wrong = client.post(url, data={"q-q1": "b", "q-q2": "false"}).get_data(as_text=True)
    assert "Not passed yet:" in wrong and "Art. 36" in wrong  # feedback shown as learners will see it
    assert _nothing_recorded(db)


def test_a_draft_is_not_in_the_catalog_and_its_learner_page_does_not_exist(client, author, learner, login_as):
    login_as(author)
    write_bilingual_course(Editor(client))
    client.post("/account/logout")
    login_as(learner)
    assert "Overtime basics" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/courses/{COURSE}").status_code == 404
    assert client.get(f"/authoring/preview/{COURSE}").status_code == 403
