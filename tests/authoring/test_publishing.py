"""Publishing a draft as a version: the checks, immutable versions, learners' versions, history and diffs."""

from sqlalchemy import func, select

from lms.authoring.models import Draft, VersionSource
from lms.catalog.models import Course, CourseItem, CourseVersion
from lms.learning.models import Enrollment
from tests.authoring.conftest import COURSE, Editor, write_bilingual_course


def _versions(db, slug=COURSE) -> list[int]:
    return list(db.session.execute(select(CourseVersion.number).join(Course).where(Course.slug == slug)
                                   .order_by(CourseVersion.number)).scalars())


def _learner_version(db, email) -> int:
    from lms.accounts.models import User

    return db.session.execute(select(CourseVersion.number).join(Enrollment, Enrollment.version_id == CourseVersion.id)
                              .join(User, User.id == Enrollment.user_id).where(User.email == email)).scalar_one()


def _enroll(client, login_as, user, lessons=()):
    client.post("/account/logout")
    login_as(user)
    client.post(f"/courses/{COURSE}/enroll")
    for lesson in lessons:
        assert client.get(f"/courses/{COURSE}/lesson/{lesson}").status_code == 200


def test_publishing_is_blocked_with_each_problem_and_where_it_is(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours", "工时")
    lesson = editor.add_item("hours", "lesson", "Alpha")
    editor.save_lesson(lesson, "Alpha", "English text only.")
    page = client.get(f"{editor.base}/publish").get_data(as_text=True)
    assert "problem" in page and f"lessons/{lesson}.zh-Hans.md" in page
    assert f'href="/authoring/courses/{COURSE}/lesson/{lesson}"' in page
    assert "the Chinese version of this lesson is missing" in page
    response = editor.publish(status=400)
    assert "Publish new version" not in response.get_data(as_text=True)
    assert _versions(db) == [] and db.session.execute(select(Draft.id)).first() is not None


def test_a_structural_problem_names_the_file_line_and_field(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours", "工时")
    quiz = editor.add_item("hours", "quiz", "Check")
    editor.save_quiz(quiz, "Check", "测验")
    page = client.get(f"{editor.base}/publish").get_data(as_text=True)
    assert f"quizzes/{quiz}.yaml" in page and "questions" in page and "one or more questions" in page
    assert f'href="/authoring/courses/{COURSE}/quiz/{quiz}"' in page


def test_publishing_makes_version_one_and_closes_the_draft(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    write_bilingual_course(editor)
    response = editor.publish("First edition")
    assert response.headers["Location"].endswith(f"{editor.base}/versions")
    assert _versions(db) == [1]
    assert db.session.execute(select(Draft.id)).first() is None
    source = db.session.execute(select(VersionSource)).scalar_one()
    assert source.origin == "editor" and source.note == "First edition" and "course.yaml" in source.files
    assert client.get(f"/courses/{COURSE}").status_code == 200  # now in the catalog


def test_a_published_version_does_not_change_when_the_draft_does(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish()
    before = db.session.execute(select(CourseItem.body).where(CourseItem.slug == slugs["lessons"][0])).scalar_one()
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][0], "Standard hours", "Changed text.", "标准工时", "改过的文字。")
    db.session.expire_all()
    assert db.session.execute(select(CourseItem.body).where(CourseItem.slug == slugs["lessons"][0])
                              ).scalar_one() == before


def test_publishing_a_draft_identical_to_the_newest_version_is_refused(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    write_bilingual_course(editor)
    editor.publish()
    editor.start_draft()
    response = client.post(f"{editor.base}/publish", data={"note": ""}, follow_redirects=True)
    assert "Nothing to publish" in response.get_data(as_text=True)
    assert _versions(db) == [1]


def test_learners_stay_on_their_version_when_a_new_one_is_published(client, author, learner, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish()
    _enroll(client, login_as, learner, slugs["lessons"][:1])
    client.post("/account/logout")
    login_as(author)
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][1], "Overtime pay", "Version two text.", "加班费", "第二版。")
    editor.publish("Clearer overtime lesson")
    assert _versions(db) == [1, 2] and _learner_version(db, learner.email) == 1
    client.post("/account/logout")
    login_as(learner)
    assert "Version two text." not in client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][1]}").get_data(
        as_text=True)


def test_the_publish_option_moves_enrolled_learners_and_keeps_their_progress(client, author, learner, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish()
    _enroll(client, login_as, learner, slugs["lessons"][:1])
    client.post("/account/logout")
    login_as(author)
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][1], "Overtime pay", "Version two text.", "加班费", "第二版。")
    response = editor.publish("v2", move_learners=True)
    assert "1 learner was moved" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _learner_version(db, learner.email) == 2
    client.post("/account/logout")
    login_as(learner)
    outline = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    first = outline[outline.find(f"/lesson/{slugs['lessons'][0]}"):].split("</li>")[0]
    assert "done" in first  # the unchanged lesson read on version 1 still counts
    assert "Version two text." in client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][1]}").get_data(
        as_text=True)


def test_the_versions_page_counts_learners_per_version_and_moves_them(client, author, learner, login_as, db,
                                                                      make_user):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish()
    _enroll(client, login_as, learner)
    second = make_user(email="second@example.org")
    _enroll(client, login_as, second)
    client.post("/account/logout")
    login_as(author)
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][0], "Standard hours", "New.", "标准工时", "新。")
    editor.publish()
    page = client.get(f"{editor.base}/versions").get_data(as_text=True)
    assert "2 learners on it" in page and "0 learners on it" in page
    assert "Move these 2 learners to version 2" in page
    editor.ok(client.post(f"{editor.base}/versions/1/move-learners"))
    assert _learner_version(db, learner.email) == 2 and _learner_version(db, second.email) == 2
    assert "2 learners on it" in client.get(f"{editor.base}/versions").get_data(as_text=True)


def test_the_history_says_who_changed_what_in_each_version(client, author, other_author, login_as):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish("First")
    client.post(f"{editor.base}/authors", data={"email": other_author.email})
    client.post("/account/logout")
    login_as(other_author)
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][1], "Overtime pay", "Reworded.", "加班费", "改写。")
    editor.publish("Second")
    page = client.get(f"{editor.base}/versions").get_data(as_text=True)
    version_two = page[page.find('id="version-2"'):page.find('id="version-1"')]
    assert "published by Olu Other" in version_two and "Second" in version_two
    assert f"Olu Other: edited a lesson <code>{slugs['lessons'][1]}</code> (English)" in version_two
    assert "Ana Author" not in version_two
    assert "published by Ana Author" in page[page.find('id="version-1"'):]


def test_the_diff_of_lesson_text_is_an_accessible_table(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.publish()
    editor.start_draft()
    editor.save_lesson(slugs["lessons"][0], "Standard hours", "## Eight hours\n\nThe standard day is **8 hours**.\n\n"
                       "Weekly: 44 hours at most.", "标准工时", "## 八小时\n\n标准工作日为**8小时**。")
    editor.publish()
    page = client.get(f"{editor.base}/versions/2/diff").get_data(as_text=True)
    assert '<th scope="col">Before</th>' in page and '<th scope="col">After</th>' in page
    row = page[:page.find("Weekly: 44")].rsplit("<tr", 1)[-1] + page[page.find("Weekly: 44"):].split("</tr>")[0]
    assert "Added" in row and "<ins>Weekly: 44 hours at most.</ins>" in row  # words and marks, not colour alone
    assert "简体中文" not in page[page.find("Lesson text"):]  # the Chinese text did not change


def test_discarding_the_draft_of_a_course_never_published_deletes_it(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    assert client.get(f"{editor.base}/draft/discard").status_code == 200
    editor.ok(client.post(f"{editor.base}/draft/discard"))
    assert db.session.execute(select(func.count(Course.id))).scalar_one() == 0


def test_a_course_loaded_from_files_is_edited_from_those_files(client, admin, login_as, db, synced):
    login_as(admin)
    editor = Editor(client, "labor-contract-basics")
    editor.start_draft()
    document = db.session.execute(select(Draft.document)).scalar_one()
    assert document["modules"][0]["items"][0]["slug"] == "why-in-writing"
    assert "<h2" not in document["modules"][0]["items"][0]["source"]["en"]  # Markdown, not HTML
    response = client.post(f"{editor.base}/publish", data={}, follow_redirects=True)
    assert "Nothing to publish" in response.get_data(as_text=True)


def test_a_draft_begun_before_a_newer_version_warns_before_publishing(client, runner, admin, login_as, curriculum,
                                                                       synced):
    login_as(admin)
    editor = Editor(client, "labor-contract-basics")
    editor.start_draft()
    lesson = curriculum / "labor-contract-basics" / "lessons" / "probation.en.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nAdded in the files.\n", encoding="utf-8")
    assert "new version" in runner.invoke(args=["lms", "courses", "sync", str(curriculum)]).output
    page = client.get(f"{editor.base}/publish").get_data(as_text=True)
    assert "Version 2 was published after this draft was begun" in page


def test_every_lesson_and_quiz_shows_its_first_problem_at_once(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.save_lesson(slugs["lessons"][0], "Standard hours", "Text.", "标准工时", "")  # a Chinese title, no text
    editor.add_question(slugs["quiz"], "single", "No right answer?", "没有正确答案？",
                        options=[("A", "甲", False), ("B", "乙", False)])
    page = client.get(f"{editor.base}/publish").get_data(as_text=True)
    assert "2 problems to fix before publishing" in page
    assert f"lessons/{slugs['lessons'][0]}.zh-Hans.md" in page and "the lesson has no text" in page
    assert f'/quiz/{slugs["quiz"]}/questions/q3"' in page and "needs exactly one correct option" in page


def test_after_publishing_the_editor_pages_lead_back_to_the_course_page_until_editing_starts_again(
        client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    write_bilingual_course(editor)
    editor.publish()
    for response in (client.get(f"{editor.base}/edit"), client.get(f"{editor.base}/settings"),
                     client.post(f"{editor.base}/settings", data={"title_en": "Changed"})):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/authoring/courses/{COURSE}")
    assert "This course has no draft" in client.get(f"/authoring/courses/{COURSE}").get_data(as_text=True)
    assert db.session.execute(select(Draft.id)).first() is None
