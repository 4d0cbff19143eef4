"""A draft course as a plain document with the shape of the course files, and the edits an author makes to it.

The document is what course.yaml, lessons/*.md and quizzes/*.yaml hold, as JSON::

    {"title": {"en": ..., "zh-Hans": ...}, "summary": {...}, "audience": [...], "label": "2026.1" | None,
     "modules": [{"slug": ..., "title": {...}, "items": [
         {"kind": "lesson", "slug": ..., "title": {...}, "minutes": 5 | None, "source": {"en": "Markdown", ...}},
         {"kind": "quiz", "slug": ..., "title": {...},
          "quiz": {"pass_mark": 70, "max_attempts": 0, "shuffle": True, "questions": [...]}}]}]}

Questions are the loader's: ``{"id", "type", "prompt", "feedback", "answer"}`` or ``{..., "options": [{"id",
"text", "correct"}]}``. Language maps hold only non-empty texts. Nothing here checks a course: a draft may be
unfinished, and ``catalog.loader`` alone decides whether it can be published. These functions only refuse edits
that cannot be made (an unknown module, a taken slug) with a DocumentError naming the form field.

Plain functions on plain data, without the database (messages are translated when shown).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field

from lms.catalog.loader import CONTENT_LANGUAGES, SLUG, ParsedCourse, ParsedItem, ParsedModule
from lms.core.i18n import lazy_ as _
from lms.core.slugs import slugify

KINDS = ("lesson", "quiz")  # SCORM packages as lessons: their issue adds a kind here and in add_item's form.
QUESTION_TYPES = ("single", "multiple", "true_false")
OPTION_IDS = "abcdefghijklmnopqrstuvwxyz"


class DocumentError(ValueError):
    """An edit that cannot be made; ``field`` names the form field at fault (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- building and converting ------------------------------------------------------------------------------

def new_document(title: dict, summary: dict | None = None, audience: list | None = None,
                 label: str | None = None) -> dict:
    """An empty course: its settings and no modules yet."""
    return {"title": language_map(title), "summary": language_map(summary), "audience": list(audience or []),
            "label": label or None, "modules": []}


def language_map(value: dict | None) -> dict:
    """Only the non-empty texts, stripped, in the content languages' order."""
    value = value or {}
    return {language: value[language].strip() for language in CONTENT_LANGUAGES
            if isinstance(value.get(language), str) and value[language].strip()}


def document_from_parsed(parsed: ParsedCourse) -> dict:
    """The document of a checked course (a published version's files, an uploaded zip)."""
    modules = []
    for module in parsed.modules:
        items = []
        for item in module.items:
            if item.kind == "lesson":
                items.append({"kind": "lesson", "slug": item.slug, "title": dict(item.title),
                              "minutes": item.minutes, "source": {k: v.strip() for k, v in (item.source or {}).items()}})
            else:
                items.append({"kind": "quiz", "slug": item.slug, "title": dict(item.title),
                              "quiz": copy.deepcopy(item.quiz)})
        modules.append({"slug": module.slug, "title": dict(module.title), "items": items})
    return {"title": dict(parsed.title), "summary": dict(parsed.summary), "audience": list(parsed.audience),
            "label": parsed.label, "modules": modules}


def parsed_from_document(slug: str, document: dict) -> ParsedCourse:
    """The document in the loader's shape, for ``catalog.services.course_to_files`` to write out."""
    modules = []
    for module in document.get("modules", []):
        items = []
        for item in module.get("items", []):
            if item["kind"] == "lesson":
                items.append(ParsedItem(kind="lesson", slug=item["slug"], title=dict(item.get("title") or {}),
                                        minutes=item.get("minutes"), source=dict(item.get("source") or {})))
            else:
                items.append(ParsedItem(kind=item["kind"], slug=item["slug"], title=dict(item.get("title") or {}),
                                        quiz=copy.deepcopy(item.get("quiz") or {})))
        modules.append(ParsedModule(slug=module["slug"], title=dict(module.get("title") or {}), items=items))
    return ParsedCourse(slug=slug, title=dict(document.get("title") or {}),
                        summary=dict(document.get("summary") or {}), audience=list(document.get("audience") or []),
                        label=document.get("label"), modules=modules)


def fingerprint(part) -> str:
    """A short hash of part of a document: an editor form carries it, so a save over someone else's newer save of
    the same part is noticed instead of silently undoing it."""
    return hashlib.sha256(json.dumps(part, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


# --- finding things ---------------------------------------------------------------------------------------

def items(document: dict) -> list[dict]:
    return [item for module in document.get("modules", []) for item in module.get("items", [])]


def find_module(document: dict, slug: str) -> dict:
    """Raises DocumentError when the course has no such module."""
    for module in document.get("modules", []):
        if module["slug"] == slug:
            return module
    raise DocumentError(_("There is no such module in this course."))


def find_item(document: dict, kind: str, slug: str) -> dict:
    """Raises DocumentError when the course has no such lesson or quiz."""
    for item in items(document):
        if item["kind"] == kind and item["slug"] == slug:
            return item
    raise DocumentError(_("There is no such lesson or quiz in this course."))


def find_question(quiz_item: dict, question_id: str) -> dict:
    for question in quiz_item["quiz"].get("questions", []):
        if question.get("id") == question_id:
            return question
    raise DocumentError(_("There is no such question in this quiz."))


def _unique(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{number}"
        number += 1
    return candidate


def _checked_slug(slug: str, taken: set[str], field_name: str) -> str:
    if not SLUG.match(slug) or len(slug) > 100:
        raise DocumentError(_("Use lower-case letters, digits and single hyphens, like labor-law-basics."), field_name)
    if slug in taken:
        raise DocumentError(_("This short name is already used in this course; choose another."), field_name)
    return slug


# --- course settings and modules --------------------------------------------------------------------------

def set_settings(document: dict, title: dict, summary: dict, audience: list, label: str | None) -> None:
    document.update(title=language_map(title), summary=language_map(summary), audience=list(audience),
                    label=(label or "").strip() or None)


def add_module(document: dict, title: dict) -> str:
    """Append a module; returns its slug (made from the English title)."""
    taken = {module["slug"] for module in document["modules"]}
    slug = _unique(slugify(title.get("en", "")) or f"module-{len(taken) + 1}", taken)
    document["modules"].append({"slug": slug, "title": language_map(title), "items": []})
    return slug


def rename_module(document: dict, slug: str, title: dict) -> None:
    find_module(document, slug)["title"] = language_map(title)


def delete_module(document: dict, slug: str) -> None:
    """Remove a module. Raises DocumentError while it still holds lessons or quizzes (delete or move them first)."""
    module = find_module(document, slug)
    if module["items"]:
        raise DocumentError(_("Move or delete this module's lessons and quizzes first."))
    document["modules"].remove(module)


def move_module(document: dict, slug: str, direction: str) -> bool:
    """Move a module one place up or down; returns whether it moved (the first cannot go up)."""
    modules = document["modules"]
    index = modules.index(find_module(document, slug))
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(modules):
        return False
    modules[index], modules[target] = modules[target], modules[index]
    return True


# --- lessons and quizzes ----------------------------------------------------------------------------------

def add_item(document: dict, module_slug: str, kind: str, title: dict, slug: str | None = None) -> str:
    """Add an empty lesson or quiz at the end of a module; returns its slug.

    ``slug`` (optional) is the short name in addresses and in learners' records; it never changes afterwards.
    Raises DocumentError for an unknown kind or module, or a slug that is malformed or taken.
    """
    if kind not in KINDS:
        raise DocumentError(_("Choose a lesson or a quiz."), "kind")
    module = find_module(document, module_slug)
    taken = {item["slug"] for item in items(document) if item["kind"] == kind}
    if slug:
        slug = _checked_slug(slug.strip().lower(), taken, "slug")
    else:
        slug = _unique(slugify(title.get("en", "")) or f"{kind}-{len(taken) + 1}", taken)
    if kind == "lesson":
        item = {"kind": "lesson", "slug": slug, "title": language_map(title), "minutes": None, "source": {}}
    else:
        item = {"kind": "quiz", "slug": slug, "title": language_map(title),
                "quiz": {"pass_mark": 70, "max_attempts": 0, "shuffle": True, "questions": []}}
    module["items"].append(item)
    return slug


def move_item(document: dict, kind: str, slug: str, direction: str) -> bool:
    """Move a lesson or quiz one place up or down, across into the neighbouring module at either end of its own.
    Returns whether it moved."""
    modules = document["modules"]
    for index, module in enumerate(modules):
        for position, item in enumerate(module["items"]):
            if item["kind"] == kind and item["slug"] == slug:
                break
        else:
            continue
        if direction == "up":
            if position > 0:
                module["items"][position - 1], module["items"][position] = item, module["items"][position - 1]
            elif index > 0:
                module["items"].pop(position)
                modules[index - 1]["items"].append(item)
            else:
                return False
        else:
            if position + 1 < len(module["items"]):
                module["items"][position + 1], module["items"][position] = item, module["items"][position + 1]
            elif index + 1 < len(modules):
                module["items"].pop(position)
                modules[index + 1]["items"].insert(0, item)
            else:
                return False
        return True
    raise DocumentError(_("There is no such lesson or quiz in this course."))


def delete_item(document: dict, kind: str, slug: str) -> None:
    item = find_item(document, kind, slug)
    for module in document["modules"]:
        if item in module["items"]:
            module["items"].remove(item)
            return


def set_lesson(document: dict, slug: str, title: dict, minutes: int | None, source: dict) -> None:
    lesson = find_item(document, "lesson", slug)
    lesson.update(title=language_map(title), minutes=minutes or None, source=language_map(source))


def set_quiz(document: dict, slug: str, title: dict, pass_mark: int, max_attempts: int, shuffle: bool) -> None:
    quiz = find_item(document, "quiz", slug)
    quiz["title"] = language_map(title)
    quiz["quiz"].update(pass_mark=pass_mark, max_attempts=max_attempts, shuffle=bool(shuffle))


# --- questions --------------------------------------------------------------------------------------------

@dataclass
class OptionInput:
    text: dict
    is_correct: bool = False
    id: str | None = None  # None: a new option


@dataclass
class QuestionInput:
    type: str
    prompt: dict
    feedback: dict = field(default_factory=dict)
    answer: bool | None = None  # true_false only
    options: list[OptionInput] = field(default_factory=list)


def _question(value: QuestionInput, question_id: str, old_options: list[dict]) -> dict:
    if value.type not in QUESTION_TYPES:
        raise DocumentError(_("Choose a question type."), "type")
    question = {"id": question_id, "type": value.type, "prompt": language_map(value.prompt),
                "feedback": language_map(value.feedback)}
    if value.type == "true_false":
        if value.answer is not None:
            question["answer"] = bool(value.answer)
        return question
    # Option ids stay as they were (learners' recorded answers name them); new options take the next free letter.
    kept = [option for option in value.options if language_map(option.text)]
    known = {option["id"] for option in old_options}
    used = {option.id for option in kept if option.id in known}
    free = (letter for letter in OPTION_IDS if letter not in used and letter not in known)
    options = []
    for option in kept:
        option_id = option.id if option.id in known else next(free, None)
        if option_id is None:
            raise DocumentError(_("A question can have at most 26 options."), "options")
        options.append({"id": option_id, "text": language_map(option.text), "correct": bool(option.is_correct)})
    question["options"] = options
    return question


def add_question(document: dict, quiz_slug: str, value: QuestionInput) -> str:
    """Append a question; returns its id (q1, q2...: never reused, since learners' answers are recorded by id)."""
    quiz = find_item(document, "quiz", quiz_slug)
    questions = quiz["quiz"].setdefault("questions", [])
    numbers = [int(q["id"][1:]) for q in questions if re.fullmatch(r"q\d+", str(q.get("id")))]
    question_id = _unique(f"q{max(numbers, default=0) + 1}", {str(q.get("id")) for q in questions})
    questions.append(_question(value, question_id, []))
    return question_id


def set_question(document: dict, quiz_slug: str, question_id: str, value: QuestionInput) -> None:
    quiz = find_item(document, "quiz", quiz_slug)
    old = find_question(quiz, question_id)
    questions = quiz["quiz"]["questions"]
    questions[questions.index(old)] = _question(value, question_id, old.get("options", []))


def delete_question(document: dict, quiz_slug: str, question_id: str) -> None:
    quiz = find_item(document, "quiz", quiz_slug)
    quiz["quiz"]["questions"].remove(find_question(quiz, question_id))


def move_question(document: dict, quiz_slug: str, question_id: str, direction: str) -> bool:
    quiz = find_item(document, "quiz", quiz_slug)
    questions = quiz["quiz"]["questions"]
    index = questions.index(find_question(quiz, question_id))
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(questions):
        return False
    questions[index], questions[target] = questions[target], questions[index]
    return True


# --- what is not translated yet (for the editor's marks; publishing checks with the loader) ---------------

TRANSLATION = "zh-Hans"


def untranslated_question(question: dict) -> bool:
    texts = [question.get("prompt") or {}] + [option.get("text") or {} for option in question.get("options", [])]
    if question.get("feedback"):
        texts.append(question["feedback"])
    return any(TRANSLATION not in text for text in texts)


def untranslated_item(item: dict) -> bool:
    if TRANSLATION not in (item.get("title") or {}):
        return True
    if item["kind"] == "lesson":
        return TRANSLATION not in (item.get("source") or {})
    return any(untranslated_question(question) for question in item["quiz"].get("questions", []))


def untranslated_settings(document: dict) -> bool:
    return TRANSLATION not in document.get("title", {}) or bool(
        document.get("summary") and TRANSLATION not in document["summary"])


# --- comparing two documents ------------------------------------------------------------------------------

@dataclass
class ItemChange:
    kind: str
    slug: str
    title: dict


@dataclass
class Changes:
    """What differs between two documents, item by item (lessons and quizzes are matched by kind and slug)."""

    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    is_reordered: bool = False
    is_settings_changed: bool = False  # titles, summary, audience, label, modules
    added_media: list[str] = field(default_factory=list)
    removed_media: list[str] = field(default_factory=list)
    changed_media: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.is_reordered or self.is_settings_changed
                    or self.added_media or self.removed_media or self.changed_media)


def compare(old: dict | None, new: dict, old_media: dict | None = None, new_media: dict | None = None) -> Changes:
    """The changes from ``old`` (None: nothing yet) to ``new``; media are {name: digest}."""
    old = old or {"modules": []}
    before = {(item["kind"], item["slug"]): item for item in items(old)}
    after = {(item["kind"], item["slug"]): item for item in items(new)}
    changes = Changes()
    for key, item in after.items():
        if key not in before:
            changes.added.append(ItemChange(key[0], key[1], item.get("title") or {}))
        elif _content(before[key]) != _content(item):
            changes.changed.append(ItemChange(key[0], key[1], item.get("title") or {}))
    changes.removed = [ItemChange(key[0], key[1], item.get("title") or {})
                       for key, item in before.items() if key not in after]
    common_before = [key for key in before if key in after]
    common_after = [key for key in after if key in before]
    changes.is_reordered = common_before != common_after
    outline = lambda doc: ({k: doc.get(k) for k in ("title", "summary", "audience", "label")},  # noqa: E731
                           [(m["slug"], m.get("title")) for m in doc.get("modules", [])])
    changes.is_settings_changed = bool(old.get("modules") or old.get("title")) and outline(old) != outline(new)
    old_media, new_media = old_media or {}, new_media or {}
    changes.added_media = sorted(set(new_media) - set(old_media))
    changes.removed_media = sorted(set(old_media) - set(new_media))
    changes.changed_media = sorted(name for name in set(old_media) & set(new_media)
                                   if old_media[name] != new_media[name])
    return changes


def _content(item: dict) -> str:
    return json.dumps({key: value for key, value in item.items() if key not in ("kind", "slug")},
                      sort_keys=True, ensure_ascii=False)
