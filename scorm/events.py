"""What a SCO's commit means, as the abstract events of ADL's xAPI SCORM Profile.

``commit_events(version, old, new)`` compares the state before and after a commit and returns plain dicts, in
order: ``initialized`` or ``resumed`` (on Initialize), ``responded`` (one per changed interaction, with an
interaction activity definition), ``scored``, ``completed``, ``passed`` or ``failed``, a ``state`` document (the
attempt state: location, suspend data, preferences) and, on Terminate, ``suspended`` (exit = suspend: the attempt
stays open) or ``terminated`` (with the result). The LMS turns each into an xAPI statement; nothing here knows
actors, IRIs or the database.

Every event has ``event`` (its name) and, except the state document, ``verb`` (the ADL verb IRI); most have a
``result`` in xAPI form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scorm.cmi import MODELS, DataModel, as_text, outcome, to_iso_duration
from scorm.manifest import SCORM_12

PROFILE = "https://w3id.org/xapi/scorm"
ATTEMPT_STATE = "https://w3id.org/xapi/scorm/attempt-state"
INTERACTION_ACTIVITY = "http://adlnet.gov/expapi/activities/cmi.interaction"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VERBS = {name: ADL_VERBS + name for name in ("initialized", "resumed", "responded", "scored", "completed", "passed",
                                             "failed", "suspended", "terminated")}
# Which SCORM words mean a right or wrong answer, in either version.
_RESULT_SUCCESS = {"correct": True, "wrong": False, "incorrect": False}


def commit_events(version: str, old: Mapping[str, Any], new: Mapping[str, Any], *, initialized: bool = False,
                  terminated: bool = False) -> list[dict]:
    """The xAPI SCORM Profile events of one commit, from the state before (``old``) and the values after.

    ``new`` may be the whole new state or only what the commit changed (it is laid over ``old``).
    ``initialized``/``terminated`` say that the commit came with the content's Initialize/Terminate call.
    Raises KeyError for an unknown version.
    """
    model = MODELS[version]
    before = {name: as_text(value) for name, value in old.items()}
    after = {**before, **{name: as_text(value) for name, value in new.items()}}
    events: list[dict] = []
    if initialized:
        events.append(_event("resumed" if after.get(model.entry) == "resume" else "initialized"))
    events += _responded(model, before, after)
    was, now = outcome(version, before), outcome(version, after)
    if now.score and now.score != was.score:
        events.append(_event("scored", {"score": now.score}))
    if now.completion and not was.completion:
        events.append(_event("completed", {"completion": True}))
    if now.success is not None and now.success != was.success:
        result = {"success": now.success, "completion": now.completion, "score": now.score}
        events.append(_event("passed" if now.success else "failed", result))
    document = attempt_state(model, after)
    if document != attempt_state(model, before):
        events.append({"event": "state", "state_id": ATTEMPT_STATE, "document": document})
    if terminated:
        duration = _duration(after.get(model.session_time))
        if after.get(model.exit) == "suspend":
            events.append(_event("suspended", {"duration": duration}))
        else:
            result = {"duration": duration, "completion": now.completion, "success": now.success,
                      "score": now.score}
            events.append(_event("terminated", result))
    return events


def attempt_state(model: DataModel, state: Mapping[str, str]) -> dict:
    """The profile's Attempt State document: location, suspend data, credit, mode, total time, preferences."""
    document = {"location": state.get(model.location, ""), "suspend_data": state.get(model.suspend_data, ""),
                "credit": state.get(model.credit, ""), "mode": state.get(model.mode, "")}
    total = _duration(state.get(model.total_time))
    if total:
        document["total_time"] = total
    preferences = {name: state[element] for name, element in model.preferences.items() if state.get(element)}
    if preferences:
        document["preferences"] = preferences
    return document


def interaction_definition(version: str, fields: Mapping[str, str]) -> dict:
    """An xAPI interaction activity definition from one SCORM interaction's fields (``type``, ``description``,
    ``correct_responses.N.pattern``), with the choices, scale, source/target or steps named in its answers."""
    interaction_type = fields.get("type") or "other"
    definition: dict = {"type": INTERACTION_ACTIVITY, "interactionType": interaction_type}
    description = fields.get("description")
    if description:
        language, text = _localized(description)
        definition["description"] = {language: text}
    patterns = [xapi_response(version, interaction_type, fields[name], pattern=True)
                for name in sorted((name for name in fields if name.startswith("correct_responses.")),
                                   key=lambda name: int(name.split(".")[1]))]
    if patterns:
        definition["correctResponsesPattern"] = patterns
    response = xapi_response(version, interaction_type, fields.get(_response_field(version), ""))
    definition.update(_components(interaction_type, patterns + ([response] if response else [])))
    return definition


def xapi_response(version: str, interaction_type: str, value: str, *, pattern: bool = False) -> str:
    """A SCORM response or correct-response pattern in xAPI's format (2004's already is; 1.2's is converted)."""
    if version != SCORM_12:
        return value
    if interaction_type == "true-false":
        return {"t": "true", "1": "true", "f": "false", "0": "false"}.get(value.lower(), value.lower())
    if interaction_type in ("choice", "sequencing"):
        return "[,]".join(part.strip() for part in value.strip("{}").split(",") if part.strip())
    if interaction_type == "matching":
        return "[,]".join(pair.strip().replace(".", "[.]", 1) for pair in value.strip("{}").split(",")
                          if pair.strip())
    if interaction_type == "numeric" and pattern and value:
        return f"{value}[:]{value}"
    return value


def _responded(model: DataModel, before: dict[str, str], after: dict[str, str]) -> list[dict]:
    events = []
    previous = _interactions(before)
    for index, fields in sorted(_interactions(after).items()):
        if fields == previous.get(index) or not fields.get("id"):
            continue
        response, result_word = fields.get(model.response, ""), fields.get("result", "")
        if not response and not result_word:
            continue
        result: dict = {"response": xapi_response(model.version, fields.get("type") or "other", response)}
        if result_word in _RESULT_SUCCESS:
            result["success"] = _RESULT_SUCCESS[result_word]
        latency = _duration(fields.get("latency"))
        if latency:
            result["duration"] = latency
        event = _event("responded", result)
        event["interaction"] = {"id": fields["id"], "definition": interaction_definition(model.version, fields)}
        if model.timestamp and fields.get(model.timestamp):
            event["timestamp"] = fields[model.timestamp]
        events.append(event)
    return events


def _interactions(state: Mapping[str, str]) -> dict[int, dict[str, str]]:
    """``cmi.interactions.N.field`` values grouped by N, field names relative to the interaction."""
    grouped: dict[int, dict[str, str]] = {}
    for name, value in state.items():
        parts = name.split(".", 3)
        if len(parts) == 4 and parts[:2] == ["cmi", "interactions"] and parts[2].isdigit():
            grouped.setdefault(int(parts[2]), {})[parts[3]] = value
    return grouped


def _components(interaction_type: str, answers: list[str]) -> dict:
    def listed(ids: list[str]) -> list[dict]:
        unique = list(dict.fromkeys(part for part in ids if part))
        return [{"id": part, "description": {"und": part}} for part in unique]

    entries = [entry for answer in answers for entry in answer.split("[,]")]
    if interaction_type in ("choice", "sequencing"):
        return {"choices": listed(entries)}
    if interaction_type == "likert":
        return {"scale": listed(entries)}
    if interaction_type in ("matching", "performance"):
        pairs = [entry.split("[.]", 1) for entry in entries if "[.]" in entry]
        if interaction_type == "performance":
            return {"steps": listed([pair[0] for pair in pairs])}
        return {"source": listed([pair[0] for pair in pairs]), "target": listed([pair[1] for pair in pairs])}
    return {}


def _event(name: str, result: dict | None = None) -> dict:
    event: dict = {"event": name, "verb": VERBS[name]}
    result = {key: value for key, value in (result or {}).items() if value is not None and value != ""}
    if result:
        event["result"] = result
    return event


def _duration(text: str | None) -> str | None:
    try:
        return to_iso_duration(text) if text else None
    except ValueError:  # content wrote a malformed time; check_commit reports it, the event leaves it out
        return None


def _localized(text: str) -> tuple[str, str]:
    """2004's ``{lang=en}text`` as (language, text); "und" (undetermined) when no language is given."""
    if text.startswith("{lang=") and "}" in text:
        language, _, rest = text[6:].partition("}")
        return language or "und", rest
    return "und", text


def _response_field(version: str) -> str:
    return MODELS[version].response
