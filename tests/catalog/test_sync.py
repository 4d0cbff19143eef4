"""Courses from files: validation with file, line and field; idempotent sync; versions; the catalog page."""

import pytest
from sqlalchemy import func, select

from lms.catalog.loader import CourseFileError, parse_course
from lms.catalog.models import Course, CourseVersion, Track

DEMO = "labor-contract-basics"


def _sync(runner, path):
    return runner.invoke(args=["lms", "courses", "sync", str(path)])


def _versions(db, slug=DEMO) -> list[int]:
    return list(db.session.execute(select(CourseVersion.number).join(Course).where(Course.slug == slug)
                                   .order_by(CourseVersion.number)).scalars())


def test_sync_loads_the_demo_course_and_track(runner, db, curriculum):
    result = _sync(runner, curriculum)
    assert result.exit_code == 0 and f"created      {DEMO}" in result.output
    assert _versions(db) == [1]
    assert db.session.execute(select(Track.slug)).scalars().all() == ["workers-rights"]


def test_sync_twice_changes_nothing(runner, db, curriculum):
    _sync(runner, curriculum)
    again = _sync(runner, curriculum)
    assert again.exit_code == 0 and f"unchanged    {DEMO}" in again.output
    assert _versions(db) == [1]


def test_changed_content_becomes_a_new_version_and_enrolled_learners_keep_theirs(
        app, client, runner, db, curriculum, make_user, login_as):
    _sync(runner, curriculum)
    login_as(make_user())
    client.post(f"/courses/{DEMO}/enroll")
    lesson = curriculum / DEMO / "lessons" / "probation.en.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n\nA sentence added in version two.\n", encoding="utf-8")
    result = _sync(runner, curriculum)
    assert f"new version  {DEMO}" in result.output
    assert _versions(db) == [1, 2]
    page = client.get(f"/courses/{DEMO}/lesson/probation").get_data(as_text=True)
    assert "A sentence added in version two." not in page  # the learner stays on version 1
    newcomer = make_user()
    client.post("/account/logout")
    login_as(newcomer)
    client.post(f"/courses/{DEMO}/enroll")
    assert "A sentence added in version two." in client.get(f"/courses/{DEMO}/lesson/probation").get_data(as_text=True)


@pytest.mark.parametrize(("file", "edit", "expected"), [
    ("course.yaml", lambda text: text.replace("title:", "titel:", 1), ("course.yaml:1", "titel", "unknown field")),
    ("course.yaml", lambda text: text + "\n  - slug: [broken\n", ("course.yaml:", "(syntax)", "not valid YAML")),
    ("course.yaml", lambda text: text.replace("lesson: probation", "lesson: no-such-lesson"),
     ("course.yaml:", "modules[0].items[", "lessons/no-such-lesson.en.md does not exist")),
    ("quizzes/contract-check.yaml", lambda text: text.replace("pass_mark: 70", "pass_mark: 170"),
     ("contract-check.yaml:", "pass_mark", "whole number from 0 to 100")),
    ("quizzes/contract-check.yaml", lambda text: text.replace("type: single", "type: essay", 1),
     ("contract-check.yaml:", "questions[", "must be one of single, multiple, true_false")),
])
def test_a_broken_file_is_reported_with_file_line_and_field_and_nothing_is_loaded(
        runner, db, curriculum, file, edit, expected):
    path = curriculum / DEMO / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = _sync(runner, curriculum)
    assert result.exit_code == 1
    for fragment in expected:
        assert fragment in result.output
    assert db.session.execute(select(func.count(CourseVersion.id))).scalar_one() == 0


def test_error_names_the_line_of_the_offending_field(curriculum):
    path = curriculum / DEMO / "quizzes" / "contract-check.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("max_attempts:"))
    lines[number - 1] = "max_attempts: lots"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CourseFileError) as error:
        parse_course(curriculum / DEMO)
    assert error.value.line == number and error.value.field == "max_attempts"


def test_a_single_choice_question_needs_exactly_one_right_option(curriculum):
    path = curriculum / DEMO / "quizzes" / "contract-check.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("correct: true", "correct: false", 1), encoding="utf-8")
    with pytest.raises(CourseFileError) as error:
        parse_course(curriculum / DEMO)
    assert "exactly one correct option (it has 0)" in str(error.value)


def test_lesson_markdown_is_rendered_without_raw_html(curriculum):
    lesson = curriculum / DEMO / "lessons" / "probation.en.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + '\n<script>alert(1)</script>\n[x](javascript:alert(2))\n',
                      encoding="utf-8")
    course = parse_course(curriculum / DEMO)
    body = next(i for i in course.items if i.slug == "probation").body["en"]
    assert "<script" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;" in body  # shown as text, never run


def test_courses_list_prints_one_line_per_course(runner, curriculum):
    _sync(runner, curriculum)
    result = runner.invoke(args=["lms", "courses", "list"])
    course = parse_course(curriculum / DEMO)
    lessons = sum(item.kind == "lesson" for item in course.items)
    questions = sum(len(item.quiz["questions"]) for item in course.items if item.kind == "quiz")
    line = next(line for line in result.output.splitlines() if line.startswith(DEMO))
    assert line.split() == [DEMO, "1", "en,zh-Hans", str(lessons), str(questions)]


def test_a_track_naming_an_unknown_course_is_an_error(runner, db, curriculum):
    tracks = curriculum / "tracks.yaml"
    tracks.write_text(tracks.read_text(encoding="utf-8").replace(f"[{DEMO}]", f"[{DEMO}, no-such-course]"),
                      encoding="utf-8")
    result = _sync(runner, curriculum)
    assert result.exit_code == 1 and "unknown course(s): no-such-course" in result.output


def test_catalog_search_finds_courses_in_either_language(client, synced):
    assert DEMO in client.get("/?q=contract").get_data(as_text=True)
    assert DEMO in client.get("/?q=劳动合同").get_data(as_text=True)
    empty = client.get("/?q=astronomy").get_data(as_text=True)
    assert DEMO not in empty and "No course matches your search" in empty


def test_catalog_puts_the_learners_audience_first(client, make_user, login_as, synced):
    login_as(make_user(audience="worker"))
    assert "Recommended for you" in client.get("/").get_data(as_text=True)
