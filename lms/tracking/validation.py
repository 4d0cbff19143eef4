"""Exact validation of xAPI 1.0.3 statements (Part Two, "Statements").

Pure Python, no third-party imports: every rule is a plain type check, a table lookup
or a precompiled regular expression, so it is cheap enough for the request path.

Public API
    StatementInvalid        ValueError carrying ``path`` and ``message``.
    validate_statement()    Validate one statement dict, raise on the first problem.
    validate_statements()   Validate a batch and reject duplicate ids within it.

Rules implemented (section numbers of xAPI-Data.md, 1.0.3):
    2.2.s4   no unknown properties, no nulls outside extensions, strict JSON types,
             case-sensitive keys and enumerations, formatted strings (IRI, UUID, mailto,
             language tag, timestamp, duration) must follow their format.
    2.3.2    a statement with the "voided" verb has a StatementRef object.
    2.4.1    id is a UUID in standard string form.
    2.4.2    Agents and Groups, inverse functional identifiers, Account objects.
    2.4.3    Verb.
    2.4.4    Object: Activity (with interaction activities), Agent/Group, StatementRef,
             SubStatement.
    2.4.5    Result and Score.
    2.4.6    Context and contextActivities.
    2.4.7/8  timestamp and stored.
    2.4.9    authority: an Agent, or a Group of two Agents (3-legged OAuth).
    2.4.10   version starts with "1.0.".
    2.4.11   Attachments.
    4.1-4.6  Extensions, Language Maps, IRIs, UUIDs, Timestamps, Durations.

Deliberate choices beyond the letter of the spec are marked "Choice:" in comments.
"""

from __future__ import annotations

import functools
import json
import math
import re
from decimal import Decimal
from typing import Any, Callable, Mapping

__all__ = ["StatementInvalid", "validate_statement", "validate_statements"]

Check = Callable[[Any, str], None]

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

# Choice: the spec says a Timestamp SHOULD* include a time zone (4.5.s1.b4); this project
# requires one so that stored points in time are never ambiguous.
REQUIRE_TIMEZONE = True


class StatementInvalid(ValueError):
    """A statement breaks an xAPI 1.0.3 rule.

    ``path`` locates the offending value (``statement.actor.mbox``,
    ``statements[2].result.score.scaled``); ``message`` says what is wrong.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --------------------------------------------------------------------------- formats
# IRI grammar of RFC 3987 (absolute IRI, scheme required), transcribed rule by rule.
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
    "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_IUNRESERVED = r"A-Za-z0-9\-._~" + _UCSCHAR
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_IPCHAR = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_IUSERINFO = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IREG_NAME = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]"
_IAUTHORITY = rf"(?:{_IUSERINFO}@)?(?:{_IP_LITERAL}|{_IREG_NAME})(?::[0-9]*)?"
_ISEGMENT = rf"{_IPCHAR}*"
_ISEGMENT_NZ = rf"{_IPCHAR}+"
_IHIER_PART = (
    rf"(?://{_IAUTHORITY}(?:/{_ISEGMENT})*"  # "//" authority path-abempty
    rf"|/(?:{_ISEGMENT_NZ}(?:/{_ISEGMENT})*)?"  # path-absolute
    rf"|{_ISEGMENT_NZ}(?:/{_ISEGMENT})*"  # path-rootless
    r"|)"  # path-empty
)
_IQUERY = rf"(?:{_IPCHAR}|[{_IPRIVATE}/?])*"
_IFRAGMENT = rf"(?:{_IPCHAR}|[/?])*"
_IRI_RE = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:{_IHIER_PART}(?:\?{_IQUERY})?(?:#{_IFRAGMENT})?"
)

# "Standard string form" (4.4): 8-4-4-4-12 hex digits; any version/variant, any case.
_UUID_RE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

# RFC 5646 "Language-Tag" ABNF (well-formedness; 2.2.s4.b2 asks for at least that).
_LANGTAG_RE = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language [-extlang]
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions (singleton != x)
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"  # private use
    r"|[xX](?:-[A-Za-z0-9]{1,8})+"  # private-use-only tag
)
_GRANDFATHERED_TAGS = frozenset(
    {
        "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon",
        "i-lux", "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr",
        "sgn-be-nl", "sgn-ch-de", "art-lojban", "cel-gaulish", "no-bok", "no-nyn",
        "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang",
    }
)

# "mailto:" + an RFC 5322 addr-spec (dot-atom or quoted local part; internationalised
# characters allowed as in RFC 6531).
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff"
_DOMAIN_CHAR = r"A-Za-z0-9\u0080-\U0010ffff"
_DOMAIN_LABEL = rf"[{_DOMAIN_CHAR}](?:[{_DOMAIN_CHAR}\-]*[{_DOMAIN_CHAR}])?"
_MBOX_RE = re.compile(
    rf"mailto:(?:[{_ATEXT}]+(?:\.[{_ATEXT}]+)*|\"(?:[^\"\\\r\n]|\\.)*\")"
    rf"@(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[^\[\]\\\s]+\])"
)
_SHA1_RE = re.compile(r"[0-9A-Fa-f]{40}")

# Internet Media Type (RFC 2046/6838): type "/" subtype, optional parameters.
_MEDIA_TYPE_RE = re.compile(
    r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:[ \t]*;[ \t]*[^;]+)*[ \t]*"
)

# Semantic Versioning with the 1.0. prefix that 2.4.10.s3.b2 demands; a bare "1.0" is the version header's form
# of 1.0.0, which 2.4.10.s2.b1 allows.
_VERSION_RE = re.compile(
    r"1\.0(?:\.[0-9]+)?(?:-[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?(?:\+[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*)?"
)

# ISO 8601 combined date and time, extended format (RFC 3339 profile, lower-case t/z too).
_TIMESTAMP_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]+)?)?"
    r"(?P<tz>[Zz]|[+\-](?P<tzh>[0-9]{2})(?::?(?P<tzm>[0-9]{2}))?)?"
)

# ISO 8601:2004 4.4.3.2 durations: PnW, or PnYnMnDTnHnMnS. Only the lowest-order
# component present may carry a decimal fraction; that is checked in code.
_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION_RE = re.compile(
    rf"P(?:(?P<W>{_NUM})W|(?:(?P<Y>{_NUM})Y)?(?:(?P<Mo>{_NUM})M)?(?:(?P<D>{_NUM})D)?"
    rf"(?:(?P<T>T)(?:(?P<H>{_NUM})H)?(?:(?P<Mi>{_NUM})M)?(?:(?P<S>{_NUM})S)?)?)"
)
_DURATION_PARTS = ("W", "Y", "Mo", "D", "H", "Mi", "S")

_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --------------------------------------------------------------------------- helpers
def _fail(path: str, message: str) -> None:
    raise StatementInvalid(path, message)


def _key_path(path: str, key: str) -> str:
    """Path of a property; odd keys (language tags, IRIs) are quoted."""
    if isinstance(key, str) and _IDENTIFIER_RE.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _entry_path(path: str, key: Any) -> str:
    """Path of a map entry (language map, extensions): the key is data, so always quoted."""
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _describe(value: Any) -> str:
    """JSON type name of a value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expect(kind: str, value: Any, path: str) -> None:
    _fail(path, f"must be {kind}, got {_describe(value)}")


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python but a distinct JSON type (2.2.s4.b1.b2/b3).
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return False
    return not isinstance(value, (float, Decimal)) or math.isfinite(value)


def _check_fields(
    obj: Any,
    path: str,
    fields: Mapping[str, Check],
    required: tuple[str, ...] = (),
    what: str = "an object",
) -> None:
    """Check ``obj`` is a JSON object whose properties are all in ``fields``.

    Unknown properties (2.2.s4.b1.b7, case-sensitive per b5), missing required ones and
    nulls (b1) are rejected; each present property is then handed to its own check.
    """
    if not isinstance(obj, dict):
        _expect(what, obj, path)
    if "objectType" in obj and "objectType" in fields:
        # A wrong objectType explains the other surprises, so report it first.
        object_type_path = _key_path(path, "objectType")
        if obj["objectType"] is None:
            _fail(object_type_path, "must not be null")
        fields["objectType"](obj["objectType"], object_type_path)
    for key in obj:
        if key not in fields:
            _fail(_key_path(path, key), "unknown property (property names are case-sensitive)")
    for key in required:
        if key not in obj:
            _fail(_key_path(path, key), "is required")
    for key, check in fields.items():
        if key in obj:
            value = obj[key]
            # Field names in the tables are plain identifiers: their path needs no quoting (a hot path).
            key_path = f"{path}.{key}"
            if value is None:
                _fail(key_path, "must not be null")
            check(value, key_path)


def _array_of(check: Check, what: str = "an array") -> Check:
    """Build a check for a JSON array whose items all pass ``check``."""

    def check_array(value: Any, path: str) -> None:
        if not isinstance(value, list):
            _expect(what, value, path)
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if item is None:
                _fail(item_path, "must not be null")
            check(item, item_path)

    return check_array


def _constant(expected: str) -> Check:
    """Build a check for an enumerated string that must match exactly (2.2.s4.b1.b6)."""

    def check_constant(value: Any, path: str) -> None:
        if value != expected or not isinstance(value, str):
            _fail(path, f"must be {expected!r}, got {value!r}")

    return check_constant


# --------------------------------------------------------------------------- scalars
def _check_string(value: Any, path: str) -> None:
    if not isinstance(value, str):
        _expect("a string", value, path)


def _check_bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        _expect("a boolean", value, path)


def _check_number(value: Any, path: str) -> None:
    if not _is_number(value):
        _expect("a number", value, path)


def _check_length(value: Any, path: str) -> None:
    # JSON has one number type, so 12.0 is the integer 12.
    integral = _is_number(value) and (isinstance(value, int) or value == int(value))
    if not integral:
        _expect("an integer", value, path)
    if value < 0:
        _fail(path, "must not be negative")


KNOWN_VALUES_LIMIT = 20_000


def _formatted(regex: re.Pattern[str], description: str, remember: bool = False) -> Check:
    """Build a check for a string that must fully match ``regex`` (2.2.s4.b1.b4).

    ``remember``: keep the values that matched and skip the regex for them next time. For IRIs, which repeat from
    statement to statement (verbs, activities, types, extension keys, home pages); the set is emptied when it holds
    ``KNOWN_VALUES_LIMIT`` values, so a stream of distinct IRIs cannot grow it without bound.
    """
    known: set[str] = set()

    def check_format(value: Any, path: str) -> None:
        if not isinstance(value, str):
            _expect(description, value, path)
        if value in known:
            return
        if not regex.fullmatch(value):
            _fail(path, f"must be {description}, got {value!r}")
        if remember:
            if len(known) >= KNOWN_VALUES_LIMIT:
                known.clear()
            known.add(value)

    return check_format


_check_iri = _formatted(_IRI_RE, "an absolute IRI with a scheme", remember=True)
# An IRL is an IRI that resolves; resolvability is not checkable offline, so the syntax
# check is the IRI one (2.2.s4.b6 allows best-effort validation).
_check_irl = _formatted(_IRI_RE, "an absolute IRL with a scheme", remember=True)
_check_uuid = _formatted(_UUID_RE, "a UUID in standard string form")
_check_mbox = _formatted(_MBOX_RE, "a 'mailto:' IRI with an email address")
_check_sha1 = _formatted(_SHA1_RE, "a hex-encoded SHA1 hash (40 hex digits)")
_check_media_type = _formatted(_MEDIA_TYPE_RE, "an Internet Media Type")


def _check_version(value: Any, path: str) -> None:
    if not isinstance(value, str):
        _expect("a string", value, path)
    if not _VERSION_RE.fullmatch(value):
        _fail(path, f"must be a 1.0.x semantic version, got {value!r}")


@functools.lru_cache(maxsize=4096)  # a handful of tags (en-US, zh-Hans...) recur in almost every statement
def _is_language_tag(value: str) -> bool:
    return bool(_LANGTAG_RE.fullmatch(value)) or value.lower() in _GRANDFATHERED_TAGS


def _check_language_tag(value: Any, path: str) -> None:
    if not isinstance(value, str):
        _expect("an RFC 5646 language tag", value, path)
    if not _is_language_tag(value):
        _fail(path, f"must be an RFC 5646 language tag, got {value!r}")


def _check_language_map(value: Any, path: str) -> None:
    """Language map (4.2): RFC 5646 tags to strings."""
    if not isinstance(value, dict):
        _expect("a language map object", value, path)
    for tag, text in value.items():
        # The entry's path is built only for an error: valid maps are the common case.
        if not isinstance(tag, str) or not _is_language_tag(tag):
            _fail(_entry_path(path, tag), f"key must be an RFC 5646 language tag, got {tag!r}")
        if text is None:
            _fail(_entry_path(path, tag), "must not be null")
        if not isinstance(text, str):
            _expect("a string", text, _entry_path(path, tag))


def _check_extensions(value: Any, path: str) -> None:
    """Extensions (4.1): IRI keys; values are any JSON, including null (2.2.s4.b1.b1)."""
    if not isinstance(value, dict):
        _expect("an extensions object", value, path)
    for key in value:
        if not isinstance(key, str) or not _IRI_RE.fullmatch(key):
            _fail(_entry_path(path, key), f"extension key must be an absolute IRI, got {key!r}")


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _check_timestamp(value: Any, path: str) -> None:
    """ISO 8601 timestamp (4.5), calendar-valid, with a time zone (see REQUIRE_TIMEZONE)."""
    if not isinstance(value, str):
        _expect("an ISO 8601 timestamp string", value, path)
    match = _TIMESTAMP_RE.fullmatch(value)
    if not match:
        _fail(path, f"must be an ISO 8601 date-time (YYYY-MM-DDThh:mm:ss...), got {value!r}")
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    in_range = (
        1 <= month <= 12
        and 1 <= day <= _days_in_month(year, month)
        and int(match["hour"]) <= 23
        and int(match["minute"]) <= 59
        and int(match["second"] or 0) <= 60  # 60: leap second
        and int(match["tzh"] or 0) <= 23
        and int(match["tzm"] or 0) <= 59
    )
    if not in_range:
        _fail(path, f"is not a valid date and time: {value!r}")
    if REQUIRE_TIMEZONE and not match["tz"]:
        _fail(path, f"must include a time zone ('Z' or an offset such as +02:00), got {value!r}")


def _check_duration(value: Any, path: str) -> None:
    """ISO 8601:2004 4.4.3.2 duration (4.6); the alternative format is not accepted."""
    if not isinstance(value, str):
        _expect("an ISO 8601 duration string", value, path)
    match = _DURATION_RE.fullmatch(value)
    parts = [match[name] for name in _DURATION_PARTS if match and match[name]] if match else []
    time_parts = [match[name] for name in ("H", "Mi", "S") if match[name]] if match else []
    well_formed = (
        match is not None
        and bool(parts)
        and (not match["T"] or bool(time_parts))
        # Only the lowest-order component present may have a fraction.
        and not any("." in part or "," in part for part in parts[:-1])
    )
    if not well_formed:
        _fail(path, f"must be an ISO 8601 duration such as PT1H30M or P4W, got {value!r}")


# --------------------------------------------------------------------------- actors
_IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")

_ACCOUNT_FIELDS: dict[str, Check] = {"homePage": _check_irl, "name": _check_string}


def _check_account(value: Any, path: str) -> None:
    _check_fields(value, path, _ACCOUNT_FIELDS, required=("homePage", "name"))


_IFI_FIELDS: dict[str, Check] = {
    "mbox": _check_mbox,
    "mbox_sha1sum": _check_sha1,
    "openid": _check_iri,  # a URI (2.4.2.3); every URI is an IRI
    "account": _check_account,
}

_AGENT_FIELDS: dict[str, Check] = {
    "objectType": _constant("Agent"),
    "name": _check_string,
    **_IFI_FIELDS,
}


def _ifis_present(obj: dict) -> list[str]:
    return [name for name in _IFI_PROPERTIES if name in obj]


def _check_agent(value: Any, path: str) -> None:
    """Agent (2.4.2.1): exactly one inverse functional identifier."""
    _check_fields(value, path, _AGENT_FIELDS, what="an Agent object")
    ifis = _ifis_present(value)
    if len(ifis) != 1:
        found = ", ".join(ifis) if ifis else "none"
        _fail(
            path,
            "an Agent must have exactly one inverse functional identifier "
            f"(mbox, mbox_sha1sum, openid or account); found {found}",
        )


def _check_member(value: Any, path: str) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        _fail(path, "a Group must not contain Groups; members must be Agents")
    _check_agent(value, path)


_GROUP_FIELDS: dict[str, Check] = {
    "objectType": _constant("Group"),
    "name": _check_string,
    "member": _array_of(_check_member, "an array of Agents"),
    **_IFI_FIELDS,
}


def _check_group(value: Any, path: str) -> None:
    """Group (2.4.2.2): anonymous (member, no IFI) or identified (exactly one IFI)."""
    _check_fields(value, path, _GROUP_FIELDS, required=("objectType",), what="a Group object")
    ifis = _ifis_present(value)
    if len(ifis) > 1:
        _fail(
            path,
            f"an identified Group must have exactly one inverse functional identifier; "
            f"found {', '.join(ifis)}",
        )
    if not ifis and "member" not in value:
        _fail(_key_path(path, "member"), "is required for an anonymous Group (one without an identifier)")


def _check_actor(value: Any, path: str) -> None:
    """Agent or Group; objectType defaults to Agent (2.4.2)."""
    if not isinstance(value, dict):
        _expect("an Agent or Group object", value, path)
    object_type = value.get("objectType", "Agent")
    if object_type is None:
        _fail(_key_path(path, "objectType"), "must not be null")
    if object_type == "Group":
        _check_group(value, path)
    elif object_type == "Agent":
        _check_agent(value, path)
    else:
        _fail(_key_path(path, "objectType"), f"must be 'Agent' or 'Group', got {object_type!r}")


def _check_team(value: Any, path: str) -> None:
    """context.team is a Group (2.4.6)."""
    if isinstance(value, dict) and value.get("objectType") != "Group":
        _fail(_key_path(path, "objectType"), "must be 'Group': a team is a Group")
    _check_group(value, path)


def _check_authority(value: Any, path: str) -> None:
    """Authority (2.4.9.s3.b1): an Agent, or for 3-legged OAuth a Group of two Agents."""
    _check_actor(value, path)
    if value.get("objectType") == "Group":
        if _ifis_present(value):
            _fail(path, "an authority Group must be anonymous (3-legged OAuth: application and user)")
        if len(value["member"]) != 2:
            _fail(
                _key_path(path, "member"),
                f"an authority Group must have exactly two Agents, got {len(value['member'])}",
            )


# --------------------------------------------------------------------------- activities
_INTERACTION_COMPONENT_LISTS: dict[str, frozenset[str]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}
_COMPONENT_LIST_NAMES = ("choices", "scale", "source", "target", "steps")
_INTERACTION_PROPERTIES = ("interactionType", "correctResponsesPattern", *_COMPONENT_LIST_NAMES)

_COMPONENT_FIELDS: dict[str, Check] = {"id": _check_string, "description": _check_language_map}


def _check_component(value: Any, path: str) -> None:
    _check_fields(value, path, _COMPONENT_FIELDS, required=("id",), what="an interaction component object")


def _check_component_list(value: Any, path: str) -> None:
    """Interaction component list (2.4.4.1.s15): ids distinct within the list (s16.b1)."""
    _array_of(_check_component, "an array of interaction components")(value, path)
    seen: set[str] = set()
    for index, component in enumerate(value):
        if component["id"] in seen:
            _fail(f"{path}[{index}].id", f"duplicate interaction component id {component['id']!r}")
        seen.add(component["id"])


def _check_interaction_type(value: Any, path: str) -> None:
    if not isinstance(value, str) or value not in _INTERACTION_COMPONENT_LISTS:
        allowed = ", ".join(_INTERACTION_COMPONENT_LISTS)
        _fail(path, f"must be one of {allowed}; got {value!r}")


_DEFINITION_FIELDS: dict[str, Check] = {
    "name": _check_language_map,
    "description": _check_language_map,
    "type": _check_iri,
    "moreInfo": _check_irl,
    "extensions": _check_extensions,
    "interactionType": _check_interaction_type,
    "correctResponsesPattern": _array_of(_check_string, "an array of strings"),
    **{name: _check_component_list for name in _COMPONENT_LIST_NAMES},
}


def _check_definition(value: Any, path: str) -> None:
    """Activity definition (2.4.4.1), including interaction activities."""
    _check_fields(value, path, _DEFINITION_FIELDS, what="an Activity definition object")
    interaction_type = value.get("interactionType")
    if interaction_type is None:
        # Interaction properties make this an interaction activity, which MUST have a
        # valid interactionType (2.4.4.1.s13.b1).
        for name in _INTERACTION_PROPERTIES:
            if name in value:
                _fail(_key_path(path, name), "is only allowed with an interactionType")
        return
    supported = _INTERACTION_COMPONENT_LISTS[interaction_type]
    for name in _COMPONENT_LIST_NAMES:
        if name in value and name not in supported:
            # 2.4.4.1.s13.b3 lets the LRS reject properties not valid for the type.
            allowed = ", ".join(sorted(supported)) or "none"
            _fail(
                _key_path(path, name),
                f"is not supported for interactionType {interaction_type!r} (supported: {allowed})",
            )


_ACTIVITY_FIELDS: dict[str, Check] = {
    "objectType": _constant("Activity"),
    "id": _check_iri,
    "definition": _check_definition,
}


def _check_activity(value: Any, path: str) -> None:
    """Activity (2.4.4.1): id IRI required, objectType 'Activity' when present."""
    _check_fields(value, path, _ACTIVITY_FIELDS, required=("id",), what="an Activity object")


def _check_context_activity_value(value: Any, path: str) -> None:
    """A single Activity or an array of Activities (2.4.6.2.s4.b2)."""
    if isinstance(value, list):
        _array_of(_check_activity)(value, path)
    elif isinstance(value, dict):
        _check_activity(value, path)
    else:
        _expect("an Activity object or an array of Activity objects", value, path)


_CONTEXT_ACTIVITIES_FIELDS: dict[str, Check] = {
    name: _check_context_activity_value for name in ("parent", "grouping", "category", "other")
}


def _check_context_activities(value: Any, path: str) -> None:
    _check_fields(value, path, _CONTEXT_ACTIVITIES_FIELDS, what="a contextActivities object")


_STATEMENT_REF_FIELDS: dict[str, Check] = {"objectType": _constant("StatementRef"), "id": _check_uuid}


def _check_statement_ref(value: Any, path: str) -> None:
    """Statement Reference (2.4.4.3.s4): objectType 'StatementRef' and a UUID id."""
    _check_fields(
        value, path, _STATEMENT_REF_FIELDS, required=("objectType", "id"), what="a StatementRef object"
    )


# --------------------------------------------------------------------------- result/context
_SCORE_FIELDS: dict[str, Check] = {
    "scaled": _check_number,
    "raw": _check_number,
    "min": _check_number,
    "max": _check_number,
}


def _check_score(value: Any, path: str) -> None:
    """Score (2.4.5.1): scaled in [-1, 1]; raw within [min, max]; min <= max."""
    _check_fields(value, path, _SCORE_FIELDS, what="a score object")
    scaled, raw = value.get("scaled"), value.get("raw")
    low, high = value.get("min"), value.get("max")
    if scaled is not None and not -1 <= scaled <= 1:
        _fail(_key_path(path, "scaled"), f"must be between -1 and 1 inclusive, got {scaled}")
    if low is not None and high is not None and low > high:
        _fail(_key_path(path, "min"), f"must not be greater than max ({low} > {high})")
    if raw is not None and low is not None and raw < low:
        _fail(_key_path(path, "raw"), f"must not be less than min ({raw} < {low})")
    if raw is not None and high is not None and raw > high:
        _fail(_key_path(path, "raw"), f"must not be greater than max ({raw} > {high})")


_RESULT_FIELDS: dict[str, Check] = {
    "score": _check_score,
    "success": _check_bool,
    "completion": _check_bool,
    "response": _check_string,
    "duration": _check_duration,
    "extensions": _check_extensions,
}


def _check_result(value: Any, path: str) -> None:
    _check_fields(value, path, _RESULT_FIELDS, what="a result object")


_CONTEXT_FIELDS: dict[str, Check] = {
    "registration": _check_uuid,
    "instructor": _check_actor,  # "Agent (MAY be a Group)"
    "team": _check_team,
    "contextActivities": _check_context_activities,
    "revision": _check_string,
    "platform": _check_string,
    "language": _check_language_tag,
    "statement": _check_statement_ref,
    "extensions": _check_extensions,
}


def _check_context(value: Any, path: str) -> None:
    _check_fields(value, path, _CONTEXT_FIELDS, what="a context object")


_VERB_FIELDS: dict[str, Check] = {"id": _check_iri, "display": _check_language_map}


def _check_verb(value: Any, path: str) -> None:
    _check_fields(value, path, _VERB_FIELDS, required=("id",), what="a Verb object")


_ATTACHMENT_FIELDS: dict[str, Check] = {
    "usageType": _check_iri,
    "display": _check_language_map,
    "description": _check_language_map,
    "contentType": _check_media_type,
    "length": _check_length,
    "sha2": _check_string,
    "fileUrl": _check_irl,
}


def _check_attachment(value: Any, path: str) -> None:
    """Attachment (2.4.11)."""
    _check_fields(
        value,
        path,
        _ATTACHMENT_FIELDS,
        required=("usageType", "display", "contentType", "length", "sha2"),
        what="an Attachment object",
    )


# --------------------------------------------------------------------------- statements
def _object_type(obj: dict) -> str:
    return obj.get("objectType", "Activity")


def _check_object(value: Any, path: str, *, nested: bool) -> None:
    """Statement object (2.4.4); ``nested`` is True inside a SubStatement."""
    if not isinstance(value, dict):
        _expect("an object", value, path)
    object_type = value.get("objectType")
    if object_type is None:
        if "objectType" in value:
            _fail(_key_path(path, "objectType"), "must not be null")
        if _ifis_present(value) or "member" in value:
            # 2.4.4.2.s1.b1: without objectType this would be read as an Activity.
            _fail(_key_path(path, "objectType"), "is required when the object is an Agent or Group")
        _check_activity(value, path)
    elif object_type == "Activity":
        _check_activity(value, path)
    elif object_type == "Agent":
        _check_agent(value, path)
    elif object_type == "Group":
        _check_group(value, path)
    elif object_type == "StatementRef":
        _check_statement_ref(value, path)
    elif object_type == "SubStatement":
        if nested:
            _fail(_key_path(path, "objectType"), "a SubStatement must not contain a SubStatement")
        _check_substatement(value, path)
    else:
        _fail(
            _key_path(path, "objectType"),
            "must be one of Activity, Agent, Group, StatementRef, SubStatement; "
            f"got {object_type!r}",
        )


def _check_top_object(value: Any, path: str) -> None:
    _check_object(value, path, nested=False)


def _check_nested_object(value: Any, path: str) -> None:
    _check_object(value, path, nested=True)


_STATEMENT_FIELDS: dict[str, Check] = {
    "id": _check_uuid,
    "actor": _check_actor,
    "verb": _check_verb,
    "object": _check_top_object,
    "result": _check_result,
    "context": _check_context,
    "timestamp": _check_timestamp,
    "stored": _check_timestamp,
    "authority": _check_authority,
    "version": _check_version,
    "attachments": _array_of(_check_attachment, "an array of Attachments"),
}
_REQUIRED = ("actor", "verb", "object")

# 2.4.4.3.s8.b3: a SubStatement MUST NOT have these.
_SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")
_SUBSTATEMENT_FIELDS: dict[str, Check] = {
    "objectType": _constant("SubStatement"),
    **{key: check for key, check in _STATEMENT_FIELDS.items() if key not in _SUBSTATEMENT_FORBIDDEN},
    "object": _check_nested_object,
}


def _check_statement_rules(statement: dict, path: str) -> None:
    """Rules that relate several properties of an already type-checked statement."""
    obj = statement["object"]
    if statement["verb"]["id"] == VOIDED_VERB and _object_type(obj) != "StatementRef":
        _fail(_key_path(path, "object"), "a statement with the 'voided' verb must have a StatementRef object")
    context = statement.get("context")
    if context is not None and _object_type(obj) != "Activity":
        # 2.4.6.s4.b1/b2: revision and platform only describe an Activity object.
        for key in ("revision", "platform"):
            if key in context:
                _fail(
                    _key_path(_key_path(path, "context"), key),
                    "is only allowed when the statement's object is an Activity",
                )


def _check_substatement(value: Any, path: str) -> None:
    """SubStatement (2.4.4.3.s8): validated as a statement, minus four properties."""
    for key in _SUBSTATEMENT_FORBIDDEN:
        if key in value:
            _fail(_key_path(path, key), "must not be present in a SubStatement")
    _check_fields(value, path, _SUBSTATEMENT_FIELDS, required=("objectType", *_REQUIRED))
    _check_statement_rules(value, path)


def validate_statement(statement: dict, path: str = "statement") -> None:
    """Validate one xAPI 1.0.3 statement.

    Checks every MUST / MUST NOT of the spec's Part Two data rules: property names and
    types, required properties, formats (IRI, UUID, mailto, language tags, timestamps,
    durations, versions) and cross-property rules (voiding, SubStatement nesting,
    revision/platform, authority shape). Returns None when the statement is valid.

    Raises:
        StatementInvalid: for the first problem found; ``path`` starts with ``path``
            (e.g. ``statement.result.score.scaled``).
    """
    _check_fields(statement, path, _STATEMENT_FIELDS, required=_REQUIRED, what="a statement object")
    _check_statement_rules(statement, path)


def validate_statements(statements: list[dict]) -> None:
    """Validate a batch of statements, as POSTed to the Statement Resource.

    Each statement is validated with :func:`validate_statement` under the path
    ``statements[i]``; in addition no two statements of the batch may share an id
    (UUIDs compare case-insensitively).

    Raises:
        StatementInvalid: for the first problem found, e.g. at ``statements[3].verb.id``,
            or at ``statements[i].id`` for a duplicate id.
    """
    if not isinstance(statements, list):
        _expect("an array of statements", statements, "statements")
    first_index: dict[str, int] = {}
    for index, statement in enumerate(statements):
        path = f"statements[{index}]"
        validate_statement(statement, path)
        statement_id = statement.get("id")
        if statement_id is None:
            continue
        key = statement_id.lower()
        if key in first_index:
            _fail(f"{path}.id", f"duplicate statement id (same as statements[{first_index[key]}].id)")
        first_index[key] = index
