"""Catalog objects as xAPI activities with stable IRIs (DESIGN "xAPI conventions"): versions never enter an IRI."""

from __future__ import annotations

from flask import current_app

from lms.catalog.outline import ItemOutline, ModuleOutline, VersionOutline
from lms.tracking.statements import Activity, choice_question
from lms.tracking.vocabulary import ActivityType


def base_url() -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/")


def course_iri(course_slug: str) -> str:
    return f"{base_url()}/xapi/activities/course/{course_slug}"


def module_iri(course_slug: str, module_slug: str) -> str:
    return f"{course_iri(course_slug)}/module/{module_slug}"


def item_iri(course_slug: str, item: ItemOutline) -> str:
    return f"{course_iri(course_slug)}/{item.kind}/{item.slug}"


def question_iri(course_slug: str, quiz_slug: str, question_id: str) -> str:
    return f"{course_iri(course_slug)}/quiz/{quiz_slug}/question/{question_id}"


def course_activity(version: VersionOutline) -> Activity:
    return Activity(course_iri(version.course.slug), ActivityType.COURSE, version.title)


def module_activity(course_slug: str, module: ModuleOutline) -> Activity:
    return Activity(module_iri(course_slug, module.slug), ActivityType.MODULE, module.title)


def item_activity(course_slug: str, item: ItemOutline) -> Activity:
    kind = ActivityType.LESSON if item.kind == "lesson" else ActivityType.ASSESSMENT
    return Activity(item_iri(course_slug, item), kind, item.title)


def question_activity(course_slug: str, quiz_slug: str, question: dict) -> Activity:
    """A quiz question as a choice (or true-false) interaction, with its correct response pattern."""
    iri = question_iri(course_slug, quiz_slug, question["id"])
    if question["type"] == "true_false":
        return choice_question(iri, question["prompt"], "true-false", [], str(question["answer"]).lower())
    choices = [(option["id"], option["text"]) for option in question["options"]]
    correct = "[,]".join(option["id"] for option in question["options"] if option["correct"])
    return choice_question(iri, question["prompt"], "choice", choices, correct)
