"""Authoring fixtures: authors, and a bilingual course written through the editor's own pages (HTTP only)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

COURSE = "overtime-basics"


@pytest.fixture
def author(make_user):
    return make_user(email="author@example.org", roles=("author", "learner"), display_name="Ana Author")


@pytest.fixture
def other_author(make_user):
    return make_user(email="other@example.org", roles=("author", "learner"), display_name="Olu Other")


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", roles=("admin", "learner"), display_name="Ada Admin")


@pytest.fixture
def learner(make_user):
    return make_user(email="learner@example.org", roles=("learner",), display_name="Lee Learner")


def png_bytes(size=(24, 16), color="red", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save)
    return out.getvalue()


class Editor:
    """Drives the course editor through HTTP, as an author's browser would (form posts, redirects)."""

    def __init__(self, client, slug: str = COURSE) -> None:
        self.client, self.slug = client, slug
        self.base = f"/authoring/courses/{slug}"

    def ok(self, response, status=302):
        assert response.status_code == status, response.get_data(as_text=True)[:3000]
        return response

    def create(self, title_en="Overtime basics", title_zh="加班基础", summary_en="Hours and overtime pay.",
               summary_zh="工时与加班费。"):
        return self.ok(self.client.post("/authoring/courses/new", data={
            "slug": self.slug, "title_en": title_en, "title_zh": title_zh, "summary_en": summary_en,
            "summary_zh": summary_zh, "audience": ["worker", "academic"], "label": ""}))

    def add_module(self, title_en, title_zh=""):
        self.ok(self.client.post(f"{self.base}/modules", data={"title_en": title_en, "title_zh": title_zh}))
        return self.client.get(f"{self.base}/edit").get_data(as_text=True)

    def add_item(self, module_slug, kind, title_en, slug=""):
        prefix = f"add-{module_slug}-"
        response = self.ok(self.client.post(f"{self.base}/modules/{module_slug}/items", data={
            prefix + "kind": kind, prefix + "title_en": title_en, prefix + "slug": slug}))
        return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def lesson_base(self, slug):
        page = self.client.get(f"{self.base}/lesson/{slug}").get_data(as_text=True)
        return re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)

    def save_lesson(self, slug, title_en, body_en, title_zh="", body_zh="", minutes="5", status=302):
        return self.ok(self.client.post(f"{self.base}/lesson/{slug}", data={
            "base": self.lesson_base(slug), "title_en": title_en, "title_zh": title_zh, "body_en": body_en,
            "body_zh": body_zh, "minutes": minutes, "save": "Save lesson"}), status)

    def quiz_base(self, slug):
        page = self.client.get(f"{self.base}/quiz/{slug}").get_data(as_text=True)
        return re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)

    def save_quiz(self, slug, title_en, title_zh="", pass_mark=50, max_attempts=2, shuffle=False):
        data = {"base": self.quiz_base(slug), "title_en": title_en, "title_zh": title_zh, "pass_mark": pass_mark,
                "max_attempts": max_attempts}
        if shuffle:
            data["shuffle"] = "y"
        return self.ok(self.client.post(f"{self.base}/quiz/{slug}", data=data))

    def add_question(self, quiz, type_, prompt_en, prompt_zh="", options=(), answer=None, feedback_en="",
                     feedback_zh=""):
        """options: (text_en, text_zh, is_correct) tuples."""
        data = {"type": type_, "prompt_en": prompt_en, "prompt_zh": prompt_zh, "feedback_en": feedback_en,
                "feedback_zh": feedback_zh, "base": ""}
        if answer is not None:
            data["answer"] = "true" if answer else "false"
        for index, (en, zh, correct) in enumerate(options):
            data[f"options-{index}-option_id"] = ""
            data[f"options-{index}-text_en"] = en
            data[f"options-{index}-text_zh"] = zh
            if correct:
                data[f"options-{index}-correct"] = "y"
        response = self.ok(self.client.post(f"{self.base}/quiz/{quiz}/questions/new", data=data))
        return response.headers["Location"].rsplit("#question-", 1)[-1]

    def publish(self, note="", move_learners=False, status=302):
        data = {"note": note}
        if move_learners:
            data["move_learners"] = "y"
        return self.ok(self.client.post(f"{self.base}/publish", data=data), status)

    def start_draft(self):
        return self.ok(self.client.post(f"{self.base}/draft"))


def write_bilingual_course(editor: Editor) -> dict:
    """A short course in English and Chinese: two lessons and a two-question quiz. Returns the slugs."""
    editor.create()
    editor.add_module("Working hours", "工作时间")
    lesson_one = editor.add_item("working-hours", "lesson", "Standard hours")
    editor.save_lesson(lesson_one, "Standard hours", "## Eight hours\n\nThe standard day is **8 hours**.",
                       "标准工时", "## 八小时\n\n标准工作日为**8小时**。")
    lesson_two = editor.add_item("working-hours", "lesson", "Overtime pay")
    editor.save_lesson(lesson_two, "Overtime pay", "Overtime on a workday is paid at **150%**.",
                       "加班费", "工作日加班按**150%**支付。")
    quiz = editor.add_item("working-hours", "quiz", "Check: hours")
    editor.save_quiz(quiz, "Check: hours", "小测验：工时", pass_mark=50, max_attempts=2)
    editor.add_question(quiz, "single", "How long is a standard day?", "标准工作日多长？", options=[
        ("8 hours", "8小时", True), ("10 hours", "10小时", False)],
        feedback_en="Art. 36: eight hours.", feedback_zh="第三十六条：八小时。")
    editor.add_question(quiz, "true_false", "Workday overtime is paid at 150%.", "工作日加班按150%支付。",
                        answer=True)
    return {"lessons": [lesson_one, lesson_two], "quiz": quiz, "module": "working-hours"}
