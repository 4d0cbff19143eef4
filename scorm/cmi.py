"""The SCORM run-time data models (CMI) as tables: one for 1.2, one for 2004, read by one validator.

A table row is an ``Element``: its dotted name (``n`` standing for an index), its type, its access and the
type's limits. ``check_commit`` checks what content committed against the version's table and returns per-element
errors with the version's own error codes (2004: 401/404/406/407/408/351; 1.2: 401/403/405/201). The same
``DataModel`` names the elements that mean the same thing in both versions (location, suspend data, exit, the
score), so ``outcome`` and ``scorm.events`` work on either without copies.

Values are strings, as the run-time API has them; a committed dict maps flat dotted names to values
(``flatten`` turns a nested JSON commit into that form).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scorm.manifest import SCORM_12, SCORM_2004, Item

RW, RO, WO = "rw", "ro", "wo"


@dataclass(frozen=True)
class Element:
    """One data-model element: ``kind`` names its type check (see ``_CHECKS``); the rest are that type's limits."""

    name: str
    kind: str
    access: str = RW
    vocabulary: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class ErrorCodes:
    undefined: int
    read_only: int
    type_mismatch: int
    out_of_range: int
    dependency: int
    general: int


@dataclass(frozen=True)
class CmiError:
    element: str
    code: int
    message: str


@dataclass(frozen=True)
class DataModel:
    """A version's table, its error codes, and which element plays each common role."""

    version: str
    elements: dict[str, Element]
    codes: ErrorCodes
    location: str
    suspend_data: str
    entry: str
    exit: str
    credit: str
    mode: str
    session_time: str
    total_time: str
    score: str  # prefix of raw/min/max (and scaled in 2004)
    response: str  # the interaction field holding the learner's answer
    timestamp: str | None  # the interaction field with a date and time (1.2 has a clock time only)
    preferences: dict[str, str]  # xAPI SCORM Profile preference name -> element
    # (element pattern prefix, sibling that must be set first): 2004's "dependency not established" (408)
    dependencies: tuple[tuple[str, str], ...]
    format_duration: Callable[[float], str]

    def element(self, name: str) -> Element | None:
        return self.elements.get(_pattern(name))


# --- Durations -------------------------------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"^P(?=\d|T\d)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_ISO_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)  # years and months as SCORM engines count
_TIMESPAN = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d(?:\.\d{1,2})?)$")


def duration_seconds(text: str) -> float:
    """Seconds in a SCORM duration: 2004's ISO 8601 (``PT1H2M3.5S``) or 1.2's ``HHHH:MM:SS.SS``.

    Raises ValueError for anything else.
    """
    text = (text or "").strip()
    match = _ISO_DURATION.match(text)
    if match:
        return sum(float(part) * unit for part, unit in zip(match.groups(), _ISO_UNITS) if part)
    match = _TIMESPAN.match(text)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    raise ValueError(f"not a SCORM duration: {text!r}")


def iso_duration(seconds: float) -> str:
    """Seconds as an ISO 8601 duration to the hundredth of a second, as xAPI and SCORM 2004 want it."""
    centiseconds = max(0, round(seconds * 100))
    hours, rest = divmod(centiseconds, 360000)
    minutes, rest = divmod(rest, 6000)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if rest or text == "PT":
        text += f"{rest // 100}" + (f".{rest % 100:02d}".rstrip("0") if rest % 100 else "") + "S"
    return text


def timespan(seconds: float) -> str:
    """Seconds as SCORM 1.2's CMITimespan, ``HHHH:MM:SS.SS`` (hours capped at 9999)."""
    centiseconds = min(max(0, round(seconds * 100)), 9999 * 360000 + 359999)
    hours, rest = divmod(centiseconds, 360000)
    minutes, rest = divmod(rest, 6000)
    return f"{hours:04d}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def to_iso_duration(text: str) -> str:
    """Either version's duration as ISO 8601. Raises ValueError when it is not a duration."""
    return iso_duration(duration_seconds(text))


def add_session_time(version: str, total_time: str | None, session_time: str | None) -> str:
    """The new cmi total time after a session, in the version's own format.

    An empty or unreadable session time adds nothing (content often never sets it).
    """
    model = MODELS[version]
    total = _seconds_or_zero(total_time)
    return model.format_duration(total + _seconds_or_zero(session_time))


def _seconds_or_zero(text: str | None) -> float:
    try:
        return duration_seconds(text or "")
    except ValueError:
        return 0.0


# --- Type checks: each returns None, or "type" / "range" ---------------------------------------------------------

_REAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")
_TIMESTAMP = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2})?)?)?(Z|[+-]\d{2}(:\d{2})?)?)?)?)?$")
_IDENTIFIER_12 = re.compile(r"^[\x21-\x7e]{1,255}$")
_LONG_IDENTIFIER = re.compile(r"^(?:(?!urn:)\S{1,4000}|urn:[A-Za-z0-9-]{1,31}:\S{1,4000})$")
_LANGUAGE = re.compile(r"^(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)?$")
_LOCALIZED = re.compile(r"^\{lang=[A-Za-z0-9-]*\}")
_NAV_REQUEST = re.compile(r"^(?:continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_|"
                          r"\{target=[^}]+\}(?:choice|jump))$")


def _real_in_range(value: str, element: Element) -> str | None:
    if not _REAL.match(value):
        return "type"
    number = float(value)
    if (element.minimum is not None and number < element.minimum) or \
            (element.maximum is not None and number > element.maximum):
        return "range"
    return None


def _length(value: str, element: Element) -> str | None:
    return "type" if element.max_length is not None and len(value) > element.max_length else None


def _check_string(value: str, element: Element, _: str | None) -> str | None:
    return _length(value, element)


def _check_localized(value: str, element: Element, _: str | None) -> str | None:
    return _length(_LOCALIZED.sub("", value, count=1), element)


def _check_vocabulary(value: str, element: Element, _: str | None) -> str | None:
    return None if value in element.vocabulary else "type"


def _check_real(value: str, element: Element, _: str | None) -> str | None:
    return _real_in_range(value, element)


def _check_decimal_or_blank(value: str, element: Element, _: str | None) -> str | None:
    return None if value == "" else _real_in_range(value, element)


def _check_integer(value: str, element: Element, _: str | None) -> str | None:
    return "type" if not _INTEGER.match(value) else _real_in_range(value, element)


def _check_result(value: str, element: Element, _: str | None) -> str | None:
    return None if value in element.vocabulary else _real_in_range(value, element)


def _matcher(pattern: re.Pattern) -> Callable[[str, Element, str | None], str | None]:
    def check(value: str, element: Element, _: str | None) -> str | None:
        return None if pattern.match(value) else "type"
    return check


def _response_check(items: str, pair: str, true_false: tuple[str, ...]
                    ) -> Callable[[str, Element, str | None], str | None]:
    """A check for learner responses and correct-response patterns in the format their interaction type
    prescribes; 1.2 and 2004 differ only in delimiters and true-false words."""
    def check(value: str, element: Element, interaction_type: str | None) -> str | None:
        if _length(value, element):
            return "type"
        if interaction_type == "true-false":
            return None if value in true_false else "type"
        if interaction_type == "numeric":
            parts = value.split("[:]") if element.name.endswith(".pattern") else [value]
            return None if len(parts) <= 2 and all(p == "" or _REAL.match(p) for p in parts) else "type"
        if interaction_type in ("choice", "sequencing") and value:
            entries = value.strip("{}").split(items)
            return None if all(entry.strip() for entry in entries) else "type"
        if interaction_type == "matching" and value:
            return None if all(len(entry.split(pair)) == 2 for entry in value.split(items)) else "type"
        return None
    return check


def _check_duration(value: str, element: Element, _: str | None) -> str | None:
    return None if _ISO_DURATION.match(value) else "type"


_CHECKS: dict[str, Callable[[str, Element, str | None], str | None]] = {
    "string": _check_string,
    "localized": _check_localized,
    "vocabulary": _check_vocabulary,
    "real": _check_real,
    "decimal_or_blank": _check_decimal_or_blank,
    "integer": _check_integer,
    "result": _check_result,
    "response": _response_check("[,]", "[.]", ("true", "false")),
    "response_12": _response_check(",", ".", ("0", "1", "t", "f", "true", "false")),
    "duration": _check_duration,
    "timespan": _matcher(_TIMESPAN),
    "clock": _matcher(_CLOCK),
    "timestamp": _matcher(_TIMESTAMP),
    "identifier": _matcher(_IDENTIFIER_12),
    "long_identifier": _matcher(_LONG_IDENTIFIER),
    "language": _matcher(_LANGUAGE),
    "nav_request": _matcher(_NAV_REQUEST),
}


# --- The tables ----------------------------------------------------------------------------------------------------

def _table(*elements: Element) -> dict[str, Element]:
    return {element.name: element for element in elements}


E = Element
_STATUS_12 = ("passed", "completed", "failed", "incomplete", "browsed")
_INTERACTION_TYPES_12 = ("true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert",
                         "numeric")
_INTERACTION_TYPES_2004 = _INTERACTION_TYPES_12 + ("long-fill-in", "other")
_TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")

SCORM_12_ELEMENTS = _table(
    E("cmi.core.student_id", "identifier", RO),
    E("cmi.core.student_name", "string", RO, max_length=255),
    E("cmi.core.lesson_location", "string", max_length=255),
    E("cmi.core.credit", "vocabulary", RO, ("credit", "no-credit")),
    # "not attempted" is the LMS's starting value; content may not set it (the 1.2 RTE says so).
    E("cmi.core.lesson_status", "vocabulary", RW, _STATUS_12),
    E("cmi.core.entry", "vocabulary", RO, ("ab-initio", "resume", "")),
    E("cmi.core.score.raw", "decimal_or_blank", minimum=0, maximum=100),
    E("cmi.core.score.min", "decimal_or_blank", minimum=0, maximum=100),
    E("cmi.core.score.max", "decimal_or_blank", minimum=0, maximum=100),
    E("cmi.core.total_time", "timespan", RO),
    E("cmi.core.lesson_mode", "vocabulary", RO, ("browse", "normal", "review")),
    E("cmi.core.exit", "vocabulary", WO, ("time-out", "suspend", "logout", "")),
    E("cmi.core.session_time", "timespan", WO),
    E("cmi.suspend_data", "string", max_length=4096),
    E("cmi.launch_data", "string", RO, max_length=4096),
    E("cmi.comments", "string", max_length=4096),
    E("cmi.comments_from_lms", "string", RO, max_length=4096),
    E("cmi.objectives.n.id", "identifier"),
    E("cmi.objectives.n.score.raw", "decimal_or_blank", minimum=0, maximum=100),
    E("cmi.objectives.n.score.min", "decimal_or_blank", minimum=0, maximum=100),
    E("cmi.objectives.n.score.max", "decimal_or_blank", minimum=0, maximum=100),
    E("cmi.objectives.n.status", "vocabulary", RW, _STATUS_12 + ("not attempted",)),
    E("cmi.student_data.mastery_score", "decimal_or_blank", RO, minimum=0, maximum=100),
    E("cmi.student_data.max_time_allowed", "timespan", RO),
    E("cmi.student_data.time_limit_action", "vocabulary", RO, _TIME_LIMIT_ACTIONS),
    E("cmi.student_preference.audio", "integer", minimum=-1, maximum=100),
    E("cmi.student_preference.language", "string", max_length=255),
    E("cmi.student_preference.speed", "integer", minimum=-100, maximum=100),
    E("cmi.student_preference.text", "integer", minimum=-1, maximum=1),
    E("cmi.interactions.n.id", "identifier", WO),
    E("cmi.interactions.n.objectives.n.id", "identifier", WO),
    E("cmi.interactions.n.time", "clock", WO),
    E("cmi.interactions.n.type", "vocabulary", WO, _INTERACTION_TYPES_12),
    E("cmi.interactions.n.correct_responses.n.pattern", "response_12", WO, max_length=255),
    E("cmi.interactions.n.weighting", "decimal_or_blank", WO),
    E("cmi.interactions.n.student_response", "response_12", WO, max_length=255),
    E("cmi.interactions.n.result", "result", WO, ("correct", "wrong", "unanticipated", "neutral")),
    E("cmi.interactions.n.latency", "timespan", WO),
)

_COMPLETION = ("completed", "incomplete", "not attempted", "unknown")
_SUCCESS = ("passed", "failed", "unknown")

SCORM_2004_ELEMENTS = _table(
    E("cmi._version", "string", RO),
    E("cmi.comments_from_learner.n.comment", "localized", max_length=4000),
    E("cmi.comments_from_learner.n.location", "string", max_length=250),
    E("cmi.comments_from_learner.n.timestamp", "timestamp"),
    E("cmi.comments_from_lms.n.comment", "localized", RO, max_length=4000),
    E("cmi.comments_from_lms.n.location", "string", RO, max_length=250),
    E("cmi.comments_from_lms.n.timestamp", "timestamp", RO),
    E("cmi.completion_status", "vocabulary", RW, _COMPLETION),
    E("cmi.completion_threshold", "real", RO, minimum=0, maximum=1),
    E("cmi.credit", "vocabulary", RO, ("credit", "no-credit")),
    E("cmi.entry", "vocabulary", RO, ("ab-initio", "resume", "")),
    E("cmi.exit", "vocabulary", WO, ("timeout", "suspend", "logout", "normal", "")),
    E("cmi.interactions.n.id", "long_identifier"),
    E("cmi.interactions.n.type", "vocabulary", RW, _INTERACTION_TYPES_2004),
    E("cmi.interactions.n.objectives.n.id", "long_identifier"),
    E("cmi.interactions.n.timestamp", "timestamp"),
    E("cmi.interactions.n.correct_responses.n.pattern", "response", max_length=4000),
    E("cmi.interactions.n.weighting", "real"),
    E("cmi.interactions.n.learner_response", "response", max_length=4000),
    E("cmi.interactions.n.result", "result", RW, ("correct", "incorrect", "unanticipated", "neutral")),
    E("cmi.interactions.n.latency", "duration"),
    E("cmi.interactions.n.description", "localized", max_length=250),
    E("cmi.launch_data", "string", RO, max_length=4000),
    E("cmi.learner_id", "long_identifier", RO),
    E("cmi.learner_name", "localized", RO, max_length=250),
    E("cmi.learner_preference.audio_level", "real", minimum=0),
    E("cmi.learner_preference.language", "language"),
    E("cmi.learner_preference.delivery_speed", "real", minimum=0),
    E("cmi.learner_preference.audio_captioning", "vocabulary", RW, ("-1", "0", "1")),
    E("cmi.location", "string", max_length=1000),
    E("cmi.max_time_allowed", "duration", RO),
    E("cmi.mode", "vocabulary", RO, ("browse", "normal", "review")),
    E("cmi.objectives.n.id", "long_identifier"),
    E("cmi.objectives.n.score.scaled", "real", minimum=-1, maximum=1),
    E("cmi.objectives.n.score.raw", "real"),
    E("cmi.objectives.n.score.min", "real"),
    E("cmi.objectives.n.score.max", "real"),
    E("cmi.objectives.n.success_status", "vocabulary", RW, _SUCCESS),
    E("cmi.objectives.n.completion_status", "vocabulary", RW, _COMPLETION),
    E("cmi.objectives.n.progress_measure", "real", minimum=0, maximum=1),
    E("cmi.objectives.n.description", "localized", max_length=250),
    E("cmi.progress_measure", "real", minimum=0, maximum=1),
    E("cmi.scaled_passing_score", "real", RO, minimum=-1, maximum=1),
    E("cmi.score.scaled", "real", minimum=-1, maximum=1),
    E("cmi.score.raw", "real"),
    E("cmi.score.min", "real"),
    E("cmi.score.max", "real"),
    E("cmi.session_time", "duration", WO),
    E("cmi.success_status", "vocabulary", RW, _SUCCESS),
    E("cmi.suspend_data", "string", max_length=64000),
    E("cmi.time_limit_action", "vocabulary", RO, _TIME_LIMIT_ACTIONS),
    E("cmi.total_time", "duration", RO),
    E("adl.nav.request", "nav_request"),
)

MODELS: dict[str, DataModel] = {
    SCORM_12: DataModel(
        version=SCORM_12, elements=SCORM_12_ELEMENTS,
        codes=ErrorCodes(undefined=401, read_only=403, type_mismatch=405, out_of_range=405, dependency=201,
                         general=201),
        location="cmi.core.lesson_location", suspend_data="cmi.suspend_data", entry="cmi.core.entry",
        exit="cmi.core.exit", credit="cmi.core.credit", mode="cmi.core.lesson_mode",
        session_time="cmi.core.session_time", total_time="cmi.core.total_time", score="cmi.core.score",
        response="student_response", timestamp=None,
        preferences={"audio_level": "cmi.student_preference.audio", "language": "cmi.student_preference.language",
                     "delivery_speed": "cmi.student_preference.speed",
                     "audio_captioning": "cmi.student_preference.text"},
        dependencies=(), format_duration=timespan),
    SCORM_2004: DataModel(
        version=SCORM_2004, elements=SCORM_2004_ELEMENTS,
        codes=ErrorCodes(undefined=401, read_only=404, type_mismatch=406, out_of_range=407, dependency=408,
                         general=351),
        location="cmi.location", suspend_data="cmi.suspend_data", entry="cmi.entry", exit="cmi.exit",
        credit="cmi.credit", mode="cmi.mode", session_time="cmi.session_time", total_time="cmi.total_time",
        score="cmi.score", response="learner_response", timestamp="timestamp",
        preferences={name: f"cmi.learner_preference.{name}"
                     for name in ("audio_level", "language", "delivery_speed", "audio_captioning")},
        dependencies=(("cmi.interactions.n.", "id"), ("cmi.objectives.n.", "id"),
                      ("cmi.interactions.n.learner_response", "type"),
                      ("cmi.interactions.n.correct_responses.n.pattern", "type")),
        format_duration=iso_duration),
}


# --- Checking a commit -------------------------------------------------------------------------------------------

def check_commit(version: str, values: Mapping[str, Any], current: Mapping[str, Any] | None = None
                 ) -> dict[str, CmiError]:
    """Check committed element values against the version's table; return the errors by element name.

    ``current`` is the state before the commit (the LMS's own values included): a read-only element is an error
    only when it differs from the value there, and index and dependency rules look at both. An empty result means
    every value is acceptable; store ``writable(version, values)``. Raises KeyError for an unknown version.
    """
    model = MODELS[version]
    current = {name: as_text(value) for name, value in (current or {}).items()}
    values = {name: as_text(value) for name, value in values.items()}
    merged = {**current, **values}
    errors: dict[str, CmiError] = {}
    for name, value in values.items():
        if _is_keyword(name):  # _count, _children, _version: the API computes them
            continue
        if name in current and value == current[name]:  # echoed back unchanged: accepted before
            continue
        error = _check_element(model, name, value, current, merged)
        if error is not None:
            errors[name] = error
    for name, error in _index_errors(model, values, merged).items():
        errors.setdefault(name, error)
    return errors


def writable(version: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The values content may set (read-write and write-only elements of the version's table), as text: what the
    LMS stores from a commit. Read-only elements, keywords and unknown names are left out."""
    model = MODELS[version]
    return {name: as_text(value) for name, value in values.items()
            if not _is_keyword(name) and (element := model.element(name)) is not None and element.access != RO}


def _check_element(model: DataModel, name: str, value: str, current: dict[str, str],
                   merged: dict[str, str]) -> CmiError | None:
    codes = model.codes
    element = model.element(name)
    if element is None:
        return CmiError(name, codes.undefined, f"{name} is not an element of the SCORM {model.version} data model.")
    if element.access == RO:
        # Players echo the whole data model back, defaults included: only a change to a value the LMS supplied
        # is an attempt to write. ``writable`` keeps every read-only element out of what is stored.
        if name not in current or value == current[name]:
            return None
        return CmiError(name, codes.read_only, f"{name} is read-only; content cannot set it.")
    for prefix, sibling in model.dependencies:
        required = _entry_field(name, sibling)
        if _pattern(name).startswith(prefix) and name != required and not merged.get(required):
            return CmiError(name, codes.dependency, f"{name} needs {required} to be set first.")
    interaction_type = merged.get(_entry_field(name, "type")) if name.startswith("cmi.interactions.") else None
    problem = _CHECKS[element.kind](value, element, interaction_type)
    if problem == "range":
        bounds = f"from {_number(element.minimum)}" if element.minimum is not None else ""
        bounds += f" to {_number(element.maximum)}" if element.maximum is not None else ""
        return CmiError(name, codes.out_of_range, f"{name} must be {bounds.strip()}; “{value}” is out of range.")
    if problem == "type":
        return CmiError(name, codes.type_mismatch, f"“{_shown(value)}” is not a valid value for {name}"
                                                   f"{_expected(element)}.")
    return None


def _index_errors(model: DataModel, values: dict[str, str], merged: dict[str, str]) -> dict[str, CmiError]:
    """Collections are filled in order: index n exists only once 0..n-1 do."""
    indices: dict[str, set[int]] = {}
    for name in merged:
        for prefix, index in _indexed_prefixes(name):
            indices.setdefault(prefix, set()).add(index)
    errors = {}
    for name in values:
        for prefix, index in _indexed_prefixes(name):
            if any(lower not in indices[prefix] for lower in range(index)):
                errors[name] = CmiError(name, model.codes.general,
                                        f"{name} skips an index: {prefix}.{index - 1} has not been set.")
                break
    return errors


def _indexed_prefixes(name: str) -> list[tuple[str, int]]:
    parts = name.split(".")
    return [(".".join(parts[:position]), int(part)) for position, part in enumerate(parts) if part.isdigit()]


def _entry_field(name: str, field: str) -> str:
    """A field of the collection entry a name belongs to: ``cmi.interactions.3.result`` + ``id`` ->
    ``cmi.interactions.3.id``."""
    parts = name.split(".")
    first_index = next((position for position, part in enumerate(parts) if part.isdigit()), len(parts) - 1)
    return ".".join(parts[:first_index + 1] + [field])


def _expected(element: Element) -> str:
    if element.kind == "vocabulary":
        return " (expected one of: " + ", ".join(f"“{word}”" for word in element.vocabulary) + ")"
    if element.max_length is not None and element.kind in ("string", "localized"):
        return f" (at most {element.max_length} characters)"
    hints = {"duration": "an ISO 8601 duration such as PT1H5M30S", "timespan": "HHHH:MM:SS.SS",
             "clock": "HH:MM:SS", "timestamp": "a date and time such as 2024-05-01T09:30:00Z",
             "real": "a number", "decimal_or_blank": "a number or nothing", "integer": "a whole number"}
    return f" (expected {hints[element.kind]})" if element.kind in hints else ""


# --- Reading a state ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What a state means for progress: completion and success (None when unknown) and an xAPI score."""

    completion: bool | None
    success: bool | None
    score: dict | None


def outcome(version: str, state: Mapping[str, Any]) -> Outcome:
    """Completion, success and score of a SCO's state, as the LMS must judge them.

    SCORM 1.2: ``passed`` is completed and successful; ``failed`` is completed but not successful (a failed test
    is never 100%); ``completed`` with a mastery score and a raw score is passed or failed by the score.
    SCORM 2004: a completion threshold with a progress measure, and a scaled passing score with a scaled score,
    decide over what the content said (RTE 4.2.4.1 and 4.2.22.1).
    """
    state = {name: as_text(value) for name, value in state.items()}
    model = MODELS[version]
    score = _score(state, model.score, (0.0, 100.0) if version == SCORM_12 else None)
    if version == SCORM_12:
        return _outcome_12(state, score)
    return _outcome_2004(state, score)


def _outcome_12(state: dict[str, str], score: dict | None) -> Outcome:
    status = state.get("cmi.core.lesson_status", "")
    completion = True if status in ("passed", "failed", "completed") else \
        False if status in ("incomplete", "browsed") else None
    success = True if status == "passed" else False if status == "failed" else None
    mastery = _float(state.get("cmi.student_data.mastery_score"))
    raw = score.get("raw") if score else None
    if status == "completed" and mastery is not None and raw is not None and \
            state.get("cmi.core.credit", "credit") != "no-credit":
        success = raw >= mastery
    return Outcome(completion, success, score)


def _outcome_2004(state: dict[str, str], score: dict | None) -> Outcome:
    threshold, progress = _float(state.get("cmi.completion_threshold")), _float(state.get("cmi.progress_measure"))
    if threshold is not None and progress is not None:
        completion = progress >= threshold
    else:
        status = state.get("cmi.completion_status", "")
        completion = True if status == "completed" else False if status == "incomplete" else None
    passing, scaled = _float(state.get("cmi.scaled_passing_score")), score.get("scaled") if score else None
    if passing is not None and scaled is not None:
        success = scaled >= passing
    else:
        status = state.get("cmi.success_status", "")
        success = True if status == "passed" else False if status == "failed" else None
    return Outcome(completion, success, score)


def _score(state: dict[str, str], prefix: str, default_range: tuple[float, float] | None) -> dict | None:
    """An xAPI result.score from raw/min/max/scaled: scaled computed when absent, inconsistent parts dropped.

    ``default_range`` is the scale raw is on when min and max are not given (0-100 in SCORM 1.2).
    """
    raw, low, high = (_float(state.get(f"{prefix}.{part}")) for part in ("raw", "min", "max"))
    scaled = _float(state.get(f"{prefix}.scaled"))
    if raw is not None and low is not None and high is not None and not low <= raw <= high:
        low = high = None  # xAPI requires min <= raw <= max; keep the learner's raw score
    bottom, top = (low, high) if low is not None and high is not None else default_range or (None, None)
    if scaled is None and raw is not None and bottom is not None:
        if top > bottom and bottom <= raw <= top:
            scaled = round((raw - bottom) / (top - bottom), 7)
    if scaled is not None and not -1 <= scaled <= 1:
        scaled = None
    score = {key: value for key, value in (("scaled", scaled), ("raw", raw), ("min", low), ("max", high))
             if value is not None}
    return score or None


# --- Building and comparing states -------------------------------------------------------------------------------

def initial_state(version: str, *, learner_id: str, learner_name: str, item: Item | None = None,
                  entry: str = "ab-initio", credit: str = "credit", mode: str = "normal",
                  total_time: str | None = None) -> dict[str, str]:
    """The values the LMS supplies when a SCO starts: the learner, the attempt, and the item's manifest data
    (mastery score, scaled passing score, completion threshold, launch data, time limit)."""
    model = MODELS[version]
    state = {model.entry: entry, model.credit: credit, model.mode: mode,
             model.total_time: total_time or model.format_duration(0)}
    if version == SCORM_12:
        state.update({"cmi.core.student_id": learner_id, "cmi.core.student_name": learner_name,
                      "cmi.core.lesson_status": "not attempted"})
        limits = {"cmi.student_data.mastery_score": _number(item.mastery_score) if item else None,
                  "cmi.student_data.max_time_allowed": item.max_time_allowed if item else None,
                  "cmi.student_data.time_limit_action": item.time_limit_action if item else None}
    else:
        state.update({"cmi.learner_id": learner_id, "cmi.learner_name": learner_name,
                      "cmi.completion_status": "unknown", "cmi.success_status": "unknown"})
        limits = {"cmi.scaled_passing_score": _number(item.scaled_passing_score) if item else None,
                  "cmi.completion_threshold": _number(item.completion_threshold) if item else None,
                  "cmi.max_time_allowed": _duration_or_none(item.max_time_allowed) if item else None,
                  "cmi.time_limit_action": item.time_limit_action if item else None}
    if item is not None and item.launch_data:
        state["cmi.launch_data"] = item.launch_data
    state.update({name: value for name, value in limits.items() if value not in (None, "")})
    return state


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, str]:
    """The elements whose value differs between two states (a missing element counts as empty)."""
    return {name: as_text(value) for name, value in new.items()
            if as_text(value) != as_text(old.get(name, ""))}


def flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """A nested JSON commit (``{"cmi": {"core": {...}, "interactions": [...]}}``) as flat dotted names.

    Lists and objects keyed by index both become ``.n.``; keys starting with "_" (``_count``, ``_children``) are
    dropped: the API computes them.
    """
    flat: dict[str, str] = {}
    entries = enumerate(nested) if isinstance(nested, list) else nested.items()
    for key, value in entries:
        key = str(key)
        if key.startswith("_"):
            continue
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, (dict, list)):
            if isinstance(value, dict) and "childArray" in value:  # scorm-again's array wrapper
                value = value["childArray"]
            flat.update(flatten(value, name))
        else:
            flat[name] = as_text(value)
    return flat


def as_text(value: Any) -> str:
    """A committed value as the run-time API's string (JSON numbers and booleans arrive from some players)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Small helpers -----------------------------------------------------------------------------------------------

def _pattern(name: str) -> str:
    return ".".join("n" if part.isdigit() else part for part in name.split("."))


def _is_keyword(name: str) -> bool:
    return name.rsplit(".", 1)[-1].startswith("_") and name != "cmi._version"


def _float(text: str | None) -> float | None:
    if text is None or not _REAL.match(text.strip()):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _number(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _duration_or_none(text: str | None) -> str | None:
    try:
        return to_iso_duration(text) if text else None
    except ValueError:
        return None


def _shown(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."
