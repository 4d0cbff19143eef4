"""The statements the LMS itself makes in cmi5 sessions (cmi5 9.3): launched, satisfied, abandoned and waived.

One builder per verb, like ``tracking.statements`` for native lessons; these carry the cmi5 context instead (the
session id, the publisher id in ``grouping``, the cmi5 category), which native statements never have.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.tracking.vocabulary import CMI5, VERB_DISPLAY, Verb

CATEGORY = {"objectType": "Activity", "id": CMI5.CATEGORY}
MOVE_ON_CATEGORY = {"objectType": "Activity", "id": CMI5.MOVE_ON_CATEGORY}
WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")


@dataclass(frozen=True)
class Target:
    """What a statement is about: an AU (its LMS activity id), a block or a course, with its publisher id."""

    iri: str
    publisher_id: str
    name: dict[str, str]
    type: str | None = None

    def as_object(self) -> dict:
        definition = {"name": dict(self.name)}
        if self.type:
            definition["type"] = self.type
        return {"objectType": "Activity", "id": self.iri, "definition": definition}


def context_template(session_id: str, publisher_id: str) -> dict:
    """The contextTemplate of LMS.LaunchData (cmi5 10.0): the session id and the publisher id activity, which every
    statement of the session must carry."""
    return {"contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
            "extensions": {CMI5.SESSION_ID: session_id}}


def _context(registration: str, session_id: str, target: Target, extensions: dict | None = None,
             move_on: bool = False) -> dict:
    context = context_template(session_id, target.publisher_id)
    context["registration"] = registration
    context["contextActivities"]["category"] = [CATEGORY] + ([MOVE_ON_CATEGORY] if move_on else [])
    context["extensions"].update(extensions or {})
    return context


def _statement(actor: dict, verb_id: str, target: Target, context: dict, result: dict | None = None) -> dict:
    statement = {"actor": actor, "verb": {"id": verb_id, "display": {"en-US": VERB_DISPLAY[verb_id]}},
                 "object": target.as_object(), "context": context}
    if result is not None:
        statement["result"] = result
    return statement


def launched(actor: dict, au: Target, registration: str, session_id: str, *, launch_mode: str, launch_url: str,
             move_on: str, mastery_score: float | None, launch_parameters: str | None) -> dict:
    """The LMS launched an AU (9.3.1), with launchMode, launchURL, moveOn and, when set, masteryScore and
    launchParameters in the context (9.6.3)."""
    extensions = {CMI5.LAUNCH_MODE: launch_mode, CMI5.LAUNCH_URL: launch_url, CMI5.MOVE_ON: move_on}
    if mastery_score is not None:
        extensions[CMI5.MASTERY_SCORE] = mastery_score
    if launch_parameters is not None:
        extensions[CMI5.LAUNCH_PARAMETERS] = launch_parameters
    return _statement(actor, Verb.LAUNCHED, au, _context(registration, session_id, au, extensions))


def satisfied(actor: dict, target: Target, registration: str, session_id: str) -> dict:
    """The learner met the moveOn criteria of an AU, of every AU of a block, or of the whole course (9.3.9)."""
    return _statement(actor, Verb.SATISFIED, target, _context(registration, session_id, target))


def abandoned(actor: dict, au: Target, registration: str, session_id: str, duration: str) -> dict:
    """A session ended without ``terminated`` (9.3.6); ``duration`` is launch to the AU's last statement."""
    return _statement(actor, Verb.ABANDONED, au, _context(registration, session_id, au), {"duration": duration})


def waived(actor: dict, au: Target, registration: str, session_id: str, reason: str) -> dict:
    """The AU's requirements were met by other means (9.3.7): success and completion, with the reason (9.5.5.2)."""
    result = {"success": True, "completion": True, "extensions": {CMI5.REASON: reason}}
    return _statement(actor, Verb.WAIVED, au, _context(registration, session_id, au, move_on=True), result)


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration in hours, minutes and seconds (to the hundredth)."""
    seconds = max(0.0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"PT{int(hours)}H{int(minutes)}M{round(rest, 2):g}S"
