"""One builder per learning event. Each returns a plain xAPI 1.0.3 statement (a dict) for ``tracking.record()``.

Builders take plain values (IRIs, language maps), not catalog objects, so that tracking stays below catalog in the
import order; ``learning`` turns its courses into these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.tracking.vocabulary import (
    COURSE_VERSION_EXTENSION,
    VERB_DISPLAY,
    ActivityType,
    Verb,
    extension_iri,
)


@dataclass(frozen=True)
class Activity:
    """An xAPI Activity: a stable IRI, its type and its name in each language."""

    iri: str
    type: str
    name: dict[str, str]
    definition_extra: dict = field(default_factory=dict)

    def as_object(self) -> dict:
        definition = {"type": self.type, "name": dict(self.name), **self.definition_extra}
        return {"objectType": "Activity", "id": self.iri, "definition": definition}


@dataclass(frozen=True)
class LearningContext:
    """Where an event happens: the enrolment's registration, the enclosing activities, the course version."""

    base_url: str
    registration: str
    course: Activity
    course_version: int
    parent: Activity | None = None
    language: str | None = None

    def as_context(self) -> dict:
        context: dict = {
            "registration": self.registration,
            "contextActivities": {"grouping": [self.course.as_object()]},
            "extensions": {extension_iri(self.base_url, COURSE_VERSION_EXTENSION): self.course_version},
        }
        if self.parent is not None:
            context["contextActivities"]["parent"] = [self.parent.as_object()]
        if self.language:
            context["language"] = self.language
        return context


def agent(base_url: str, public_id: str, display_name: str | None = None) -> dict:
    """The xAPI Agent for an LMS user: an account on the LMS, no e-mail address (privacy)."""
    actor = {"objectType": "Agent", "account": {"homePage": base_url.rstrip("/"), "name": public_id}}
    if display_name:
        actor["name"] = display_name
    return actor


def _verb(verb_id: str) -> dict:
    return {"id": verb_id, "display": {"en-US": VERB_DISPLAY[verb_id]}}


def _statement(actor: dict, verb_id: str, obj: dict, context: dict, result: dict | None = None) -> dict:
    statement = {"actor": actor, "verb": _verb(verb_id), "object": obj, "context": context}
    if result is not None:
        statement["result"] = result
    return statement


def registered(actor: dict, ctx: LearningContext) -> dict:
    """The learner enrolled in a course (one registration per enrolment)."""
    context = ctx.as_context()
    del context["contextActivities"]  # the course is the object itself
    return _statement(actor, Verb.REGISTERED, ctx.course.as_object(), context)


def lesson_experienced(actor: dict, lesson: Activity, ctx: LearningContext) -> dict:
    """The learner read a native lesson; reading it to the end completes it."""
    return _statement(actor, Verb.EXPERIENCED, lesson.as_object(), ctx.as_context(), {"completion": True})


def quiz_attempted(actor: dict, quiz: Activity, ctx: LearningContext) -> dict:
    """The learner started an attempt at a quiz (the attempt count comes from these)."""
    return _statement(actor, Verb.ATTEMPTED, quiz.as_object(), ctx.as_context())


def question_answered(actor: dict, question: Activity, response: str, is_correct: bool, ctx: LearningContext) -> dict:
    """The learner answered one quiz question; ``response`` is in the interaction's response pattern form."""
    result = {"response": response, "success": is_correct}
    return _statement(actor, Verb.ANSWERED, question.as_object(), ctx.as_context(), result)


def quiz_graded(
    actor: dict, quiz: Activity, raw: int, maximum: int, pass_mark: int, ctx: LearningContext
) -> dict:
    """The graded end of a quiz attempt: ``passed`` or ``failed`` with the score, against the pass mark (percent)."""
    scaled = round(raw / maximum, 4) if maximum else 0.0
    is_passed = scaled * 100 >= pass_mark
    result = {
        "score": {"scaled": scaled, "raw": raw, "min": 0, "max": maximum},
        "success": is_passed,
        "completion": True,
    }
    verb_id = Verb.PASSED if is_passed else Verb.FAILED
    return _statement(actor, verb_id, quiz.as_object(), ctx.as_context(), result)


def module_completed(actor: dict, module: Activity, ctx: LearningContext) -> dict:
    """Every item of a module is done (derived from the projection, never set by hand)."""
    return _statement(actor, Verb.COMPLETED, module.as_object(), ctx.as_context(), {"completion": True})


def course_completed(actor: dict, ctx: LearningContext) -> dict:
    """Every module of the course is done (derived from the projection, never set by hand)."""
    context = ctx.as_context()
    del context["contextActivities"]
    return _statement(actor, Verb.COMPLETED, ctx.course.as_object(), context, {"completion": True})


def choice_question(iri: str, name: dict[str, str], interaction: str, choices: list[tuple[str, dict]],
                    correct_pattern: str) -> Activity:
    """A quiz question as an xAPI interaction activity (``choice`` or ``true-false``)."""
    extra: dict = {"interactionType": interaction, "correctResponsesPattern": [correct_pattern]}
    if interaction == "choice":
        extra["choices"] = [{"id": choice_id, "description": dict(text)} for choice_id, text in choices]
    return Activity(iri=iri, type=ActivityType.QUESTION, name=name, definition_extra=extra)
