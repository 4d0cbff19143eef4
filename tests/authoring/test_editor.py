"""Writing a course in the browser: drafts, modules, lessons, quizzes, both languages, reordering, previews."""

import re

from sqlalchemy import select

from lms.authoring.models import Draft
from lms.catalog.models import Course
from tests.authoring.conftest import COURSE, Editor, write_bilingual_course


def _document(db, slug=COURSE) -> dict:
    return db.session.execute(select(Draft.document).join(Course).where(Course.slug == slug)).scalar_one()


def _order(db) -> list[tuple[str, list[str]]]:
    return [(module["slug"], [item["slug"] for item in module["items"]]) for module in _document(db)["modules"]]


def test_a_new_course_is_a_draft_that_learners_cannot_find(client, author, login_as, learner):
    login_as(author)
    Editor(client).create()
    assert "Overtime basics" in client.get("/authoring/").get_data(as_text=True)
    client.post("/account/logout")
    login_as(learner)
    assert "Overtime basics" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/courses/{COURSE}").status_code == 404


def test_a_taken_short_name_is_refused_beside_the_field_and_nothing_is_created(client, author, login_as, db):
    login_as(author)
    Editor(client).create()
    again = client.post("/authoring/courses/new", data={"slug": COURSE, "title_en": "Another"})
    body = again.get_data(as_text=True)
    assert again.status_code == 400 and "already has this short name" in body and 'id="slug-errors"' in body
    assert db.session.execute(select(Course.id)).all().__len__() == 1


def test_a_malformed_short_name_is_refused(client, author, login_as, db):
    login_as(author)
    response = client.post("/authoring/courses/new", data={"slug": "Not A Slug!", "title_en": "T"})
    assert response.status_code == 400 and "lower-case letters" in response.get_data(as_text=True)
    assert db.session.execute(select(Course.id)).first() is None


def test_a_lesson_without_a_title_is_refused_and_the_draft_is_unchanged(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours")
    before = _document(db)
    response = client.post(f"{editor.base}/modules/hours/items", data={"add-hours-kind": "lesson",
                                                                       "add-hours-title_en": ""})
    assert response.status_code == 400 and 'id="add-hours-title_en-errors"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert _document(db) == before


def test_a_saved_lesson_keeps_both_languages_in_the_draft(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    lesson = _document(db)["modules"][0]["items"][0]
    assert lesson["slug"] == slugs["lessons"][0]
    assert lesson["title"] == {"en": "Standard hours", "zh-Hans": "标准工时"}
    assert lesson["source"]["zh-Hans"].startswith("## 八小时") and lesson["minutes"] == 5


def test_what_is_not_translated_yet_is_marked_with_text_not_colour_alone(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours", "工时")
    translated = editor.add_item("hours", "lesson", "Translated")
    editor.save_lesson(translated, "Translated", "Text.", "已翻译", "文本。")
    english_only = editor.add_item("hours", "lesson", "English only")
    editor.save_lesson(english_only, "English only", "Text.")
    page = client.get(f"{editor.base}/edit").get_data(as_text=True)
    rows = {slug: page[page.find(f'id="lesson-{slug}"'):].split("</li>")[0] for slug in (translated, english_only)}
    assert "Not translated yet" in rows[english_only] and "⚠" in rows[english_only]
    assert "Not translated yet" not in rows[translated]
    editor_page = client.get(f"{editor.base}/lesson/{english_only}").get_data(as_text=True)
    assert 'lang="zh-Hans"' in editor_page and "Not translated yet" in editor_page


def test_modules_and_lessons_are_reordered_by_plain_form_buttons(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("First")
    editor.add_module("Second")
    a = editor.add_item("first", "lesson", "Alpha")
    b = editor.add_item("first", "lesson", "Beta")
    assert _order(db) == [("first", [a, b]), ("second", [])]
    editor.ok(client.post(f"{editor.base}/lesson/{b}/move", data={"direction": "up"}))
    assert _order(db) == [("first", [b, a]), ("second", [])]
    editor.ok(client.post(f"{editor.base}/lesson/{a}/move", data={"direction": "down"}))  # over into the next module
    assert _order(db) == [("first", [b]), ("second", [a])]
    editor.ok(client.post(f"{editor.base}/modules/second/move", data={"direction": "up"}))
    assert _order(db) == [("second", [a]), ("first", [b])]


def test_a_move_with_an_unknown_direction_is_refused(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("First")
    editor.add_module("Second")
    assert client.post(f"{editor.base}/modules/second/move", data={"direction": "sideways"}).status_code == 400
    assert [module["slug"] for module in _document(db)["modules"]] == ["first", "second"]


def test_a_module_that_still_holds_lessons_cannot_be_deleted(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours")
    editor.add_item("hours", "lesson", "Alpha")
    response = client.post(f"{editor.base}/modules/hours/delete", follow_redirects=True)
    assert "Move or delete this module" in response.get_data(as_text=True)
    assert [module["slug"] for module in _document(db)["modules"]] == ["hours"]


def test_the_preview_button_renders_the_markdown_without_saving(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours")
    lesson = editor.add_item("hours", "lesson", "Alpha")
    response = client.post(f"{editor.base}/lesson/{lesson}", data={
        "base": editor.lesson_base(lesson), "title_en": "Alpha", "body_en": "Some **bold** words",
        "preview": "Preview"})
    assert response.status_code == 200 and "<strong>bold</strong>" in response.get_data(as_text=True)
    assert _document(db)["modules"][0]["items"][0]["source"] == {}


def test_the_json_preview_renders_like_a_published_lesson(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    editor.create()
    response = client.post(f"{editor.base}/markdown-preview",
                           json={"source": "# Title\n\n[x](javascript:alert(1)) <script>alert(1)</script>"})
    html = response.get_json()["html"]
    assert response.status_code == 200 and "<h1>Title</h1>" in html
    assert "<script" not in html and "href=\"javascript" not in html


def test_the_json_preview_refuses_a_request_without_source(client, author, login_as):
    login_as(author)
    Editor(client).create()
    response = client.post(f"/authoring/courses/{COURSE}/markdown-preview", json={"text": "x"})
    assert response.status_code == 400 and "source" in response.get_json()["error"]


def test_saving_over_someone_elses_newer_save_is_refused_and_keeps_the_text(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours")
    lesson = editor.add_item("hours", "lesson", "Alpha")
    stale = editor.lesson_base(lesson)
    editor.save_lesson(lesson, "Alpha", "The co-author's text.")
    response = client.post(f"{editor.base}/lesson/{lesson}", data={
        "base": stale, "title_en": "Alpha", "body_en": "My older text.", "save": "Save lesson"})
    assert response.status_code == 409 and "My older text." in response.get_data(as_text=True)
    assert _document(db)["modules"][0]["items"][0]["source"] == {"en": "The co-author's text."}


def test_editing_a_question_keeps_its_id_and_its_options_ids(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    page = client.get(f"{editor.base}/quiz/{slugs['quiz']}/questions/q1").get_data(as_text=True)
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)
    response = client.post(f"{editor.base}/quiz/{slugs['quiz']}/questions/q1", data={
        "base": base, "type": "single", "prompt_en": "How long is a standard working day?", "prompt_zh": "标准工作日多长？",
        "options-0-option_id": "b", "options-0-text_en": "10 hours", "options-0-text_zh": "10小时",
        "options-1-option_id": "a", "options-1-text_en": "8 hours", "options-1-text_zh": "8小时",
        "options-1-correct": "y", "options-2-option_id": "", "options-2-text_en": "12 hours",
        "options-2-text_zh": "12小时"})
    assert response.status_code == 302
    question = _document(db)["modules"][0]["items"][2]["quiz"]["questions"][0]
    assert question["id"] == "q1"
    assert [(o["id"], o["correct"]) for o in question["options"]] == [("b", False), ("a", True), ("c", False)]


def test_a_lessons_problems_are_listed_on_its_page_by_the_course_file_rules(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours")
    lesson = editor.add_item("hours", "lesson", "Alpha")
    editor.save_lesson(lesson, "Alpha", "See ![](media/missing.png) here.")
    page = client.get(f"{editor.base}/lesson/{lesson}").get_data(as_text=True)
    assert "To fix before publishing" in page and "media/missing.png does not exist" in page


def test_a_question_without_a_right_answer_is_flagged_on_its_page(client, author, login_as):
    login_as(author)
    editor = Editor(client)
    editor.create()
    editor.add_module("Hours")
    quiz = editor.add_item("hours", "quiz", "Check")
    question = editor.add_question(quiz, "single", "Which?", "哪个？", options=[("A", "甲", False), ("B", "乙", False)])
    page = client.get(f"{editor.base}/quiz/{quiz}/questions/{question}").get_data(as_text=True)
    assert "needs exactly one correct option" in page


def test_a_pass_mark_over_100_is_refused_beside_the_field_and_nothing_changes(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    response = client.post(f"{editor.base}/quiz/{slugs['quiz']}", data={
        "base": editor.quiz_base(slugs["quiz"]), "title_en": "Check: hours", "pass_mark": 150, "max_attempts": 2})
    assert response.status_code == 400 and 'id="pass_mark-errors"' in response.get_data(as_text=True)
    assert _document(db)["modules"][0]["items"][2]["quiz"]["pass_mark"] == 50


def test_a_question_without_its_english_text_is_refused(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    response = client.post(f"{editor.base}/quiz/{slugs['quiz']}/questions/new", data={
        "type": "true_false", "prompt_en": "", "answer": "true"})
    assert response.status_code == 400 and 'id="prompt_en-errors"' in response.get_data(as_text=True)
    assert len(_document(db)["modules"][0]["items"][2]["quiz"]["questions"]) == 2


def test_a_module_is_renamed_and_a_lesson_deleted_after_confirming(client, author, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.ok(client.post(f"{editor.base}/modules/working-hours", data={"title_en": "Hours", "title_zh": "工时"}))
    confirm = client.get(f"{editor.base}/lesson/{slugs['lessons'][1]}/delete").get_data(as_text=True)
    assert "Delete “Overtime pay”?" in confirm
    editor.ok(client.post(f"{editor.base}/lesson/{slugs['lessons'][1]}/delete"))
    module = _document(db)["modules"][0]
    assert module["title"] == {"en": "Hours", "zh-Hans": "工时"}
    assert [item["slug"] for item in module["items"]] == [slugs["lessons"][0], slugs["quiz"]]
