"""A draft as learners would see it: the outline the learner pages render, built from the draft's document.

Built straight from the document, not through the checks, so an unfinished draft can be looked at too; the Markdown
goes through the same ``render_markdown`` as every published lesson.
"""

from __future__ import annotations

from lms.catalog.loader import CONTENT_LANGUAGES, allowed_embed_hosts, render_markdown
from lms.catalog.models import Course
from lms.catalog.outline import CourseRef, ItemOutline, ModuleOutline, VersionOutline
from lms.db import utcnow


def draft_outline(course: Course, document: dict, media_digests: dict[str, str], hosts: list[str]
                  ) -> VersionOutline:
    """The draft as a version outline (number 0; ids count from 1 and mean nothing outside this preview)."""
    modules = []
    item_id = 0
    with allowed_embed_hosts(hosts):
        for module_id, module in enumerate(document.get("modules", []), start=1):
            items = []
            for position, item in enumerate(module.get("items", [])):
                item_id += 1
                body = None
                if item["kind"] == "lesson":
                    body = {language: render_markdown(text, media_digests)
                            for language, text in (item.get("source") or {}).items()}
                items.append(ItemOutline(
                    id=item_id, kind=item["kind"], slug=item["slug"], position=position,
                    title=dict(item.get("title") or {"en": item["slug"]}), minutes=item.get("minutes"),
                    body=body, quiz=item.get("quiz"), module_id=module_id))
            modules.append(ModuleOutline(id=module_id, slug=module["slug"], position=module_id - 1,
                                         title=dict(module.get("title") or {"en": module["slug"]}),
                                         items=tuple(items)))
    texts = [document.get("title") or {}] + [m.title for m in modules] + [i.title for m in modules for i in m.items]
    return VersionOutline(
        id=0, number=0, label=document.get("label"), content_hash="",
        title=dict(document.get("title") or {"en": course.slug}), summary=dict(document.get("summary") or {}),
        audience=tuple(document.get("audience") or ()),
        languages=tuple(language for language in CONTENT_LANGUAGES if all(language in text for text in texts)),
        created_at=utcnow(), course=CourseRef(id=course.id, slug=course.slug), modules=tuple(modules),
    )


def render_lesson_source(source: str, media_digests: dict[str, str], hosts: list[str]) -> str:
    """One lesson text rendered exactly as learners will get it (the editor's live preview)."""
    with allowed_embed_hosts(hosts):
        return render_markdown(source, media_digests)


def quiz_is_gradable(quiz: dict) -> bool:
    """Whether every question has what grading needs (an unfinished question cannot be graded in a preview)."""
    for question in quiz.get("questions", []):
        if question.get("type") == "true_false":
            if "answer" not in question:
                return False
        elif not question.get("options"):
            return False
    return bool(quiz.get("questions"))

