"""Tests for lms.tracking.validation: the xAPI 1.0.3 statement validator.

One test function per rule family, each driven by a table of (case id, edits, expected
error path or None when the edited statement stays valid). A final cross-check compares
verdicts with ralph-malph's pydantic model on a deterministic mutation corpus.
"""

from __future__ import annotations

import copy
import json
import random
import re
from typing import Any, Callable

import pytest

from lms.tracking.validation import StatementInvalid, validate_statement, validate_statements


# --------------------------------------------------------------------------- fixtures
UUID_1 = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
UUID_2 = "8f87ccde-bb56-4c2e-ab83-44982ef22df0"
UUID_3 = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
SHA1 = "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"
SHA256 = "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

AGENT = {"objectType": "Agent", "name": "Ana Lima", "mbox": "mailto:ana@example.com"}
AGENT_2 = {"name": "Ben", "account": {"homePage": "https://lms.example.org", "name": "ben-7"}}
AGENT_3 = {"openid": "http://toby.openid.example.org/"}
ACTIVITY = {
    "objectType": "Activity",
    "id": "https://lms.example.org/courses/wage-theft/quiz-1",
    "definition": {
        "name": {"en": "Wage theft quiz", "pt-BR": "Questionário"},
        "description": {"en-US": "A short quiz."},
        "type": "http://adlnet.gov/expapi/activities/assessment",
        "moreInfo": "https://lms.example.org/courses/wage-theft",
        "extensions": {"https://lms.example.org/ext/difficulty": 3},
    },
}


def full_statement() -> dict:
    """A valid statement using every top-level property."""
    return copy.deepcopy(
        {
            "id": UUID_1,
            "actor": AGENT,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
            "object": ACTIVITY,
            "result": {
                "score": {"scaled": 0.8, "raw": 8, "min": 1, "max": 10},
                "success": True,
                "completion": True,
                "response": "b",
                "duration": "PT4H35M59.14S",
                "extensions": {"https://lms.example.org/ext/attempt": 2},
            },
            "context": {
                "registration": UUID_3,
                "instructor": AGENT_2,
                "team": {"objectType": "Group", "name": "Union local", "member": [AGENT_3]},
                "contextActivities": {
                    "parent": [{"id": "https://lms.example.org/courses/wage-theft"}],
                    "grouping": {"id": "https://lms.example.org/programs/labor-law", "objectType": "Activity"},
                },
                "revision": "r2",
                "platform": "Labor Rights LMS",
                "language": "en-US",
                "statement": {"objectType": "StatementRef", "id": UUID_2},
                "extensions": {"https://lms.example.org/ext/cohort": "spring"},
            },
            "timestamp": "2015-11-18T12:17:00+00:00",
            "stored": "2015-11-18T12:17:00.123Z",
            "authority": {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "lrs"}},
            "version": "1.0.0",
            "attachments": [
                {
                    "usageType": "http://adlnet.gov/expapi/attachments/certificate",
                    "display": {"en": "Certificate"},
                    "description": {"en": "Completion certificate"},
                    "contentType": "application/pdf",
                    "length": 1024,
                    "sha2": SHA256,
                    "fileUrl": "https://lms.example.org/certificates/1.pdf",
                }
            ],
        }
    )


def minimal_statement() -> dict:
    """The spec's simplest statement (2.4.s2)."""
    return {
        "actor": {"mbox": "mailto:xapi@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/created"},
        "object": {"id": "http://example.adlnet.gov/xapi/example/activity"},
    }


DROP = object()  # edit value meaning "delete this property"


def edited(base: dict, edits: dict[str, Any]) -> dict:
    """Copy ``base`` and apply ``{"a.b.0.c": value}`` edits (DROP deletes the key)."""
    statement = copy.deepcopy(base)
    for dotted, value in edits.items():
        *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
        target = statement
        for part in parents:
            target = target[part]
        if value is DROP:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    return statement


def verdict(statement: Any) -> str | None:
    """Error path from validate_statement, or None when valid."""
    try:
        validate_statement(statement)
    except StatementInvalid as error:
        assert str(error) == f"{error.path}: {error.message}"
        assert error.message
        return error.path
    return None


def assert_case(base: dict, edits: dict[str, Any], expected_path: str | None) -> None:
    statement = edited(base, edits)
    path = verdict(statement)
    assert path == expected_path, f"edits {edits}: expected {expected_path}, got {path}"


def cases(*rows):
    """pytest.param rows: (id, edits, expected path)."""
    return [pytest.param(edits, path, id=case_id) for case_id, edits, path in rows]


# --------------------------------------------------------------------------- baselines
def test_example_statements_are_valid():
    validate_statement(full_statement())
    validate_statement(minimal_statement())


def test_statement_invalid_carries_path_and_message():
    with pytest.raises(StatementInvalid) as info:
        validate_statement(edited(minimal_statement(), {"actor.mbox": "ana@example.com"}))
    error = info.value
    assert isinstance(error, ValueError)
    assert error.path == "statement.actor.mbox"
    assert "mailto" in error.message
    assert str(error) == f"statement.actor.mbox: {error.message}"


def test_custom_root_path_is_used():
    with pytest.raises(StatementInvalid) as info:
        validate_statement(edited(minimal_statement(), {"verb.id": "nope"}), path="payload")
    assert info.value.path == "payload.verb.id"


# --------------------------------------------------------------------------- statement
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("unknown-top-level", {"foo": 1}, "statement.foo"),
        ("key-case-sensitive", {"Actor": AGENT}, "statement.Actor"),
        ("missing-actor", {"actor": DROP}, "statement.actor"),
        ("missing-verb", {"verb": DROP}, "statement.verb"),
        ("missing-object", {"object": DROP}, "statement.object"),
        ("null-property", {"result": None}, "statement.result"),
        ("null-nested", {"result.response": None}, "statement.result.response"),
        ("uuid-lowercase", {"id": UUID_1}, None),
        ("uuid-uppercase", {"id": UUID_1.upper()}, None),
        ("uuid-nil", {"id": "00000000-0000-0000-0000-000000000000"}, None),
        ("uuid-other-variant", {"id": "fd41c918-b88b-4b20-c0a5-a4c32391aaa0"}, None),
        ("uuid-no-hyphens", {"id": UUID_1.replace("-", "")}, "statement.id"),
        ("uuid-urn", {"id": "urn:uuid:" + UUID_1}, "statement.id"),
        ("uuid-braces", {"id": "{" + UUID_1 + "}"}, "statement.id"),
        ("uuid-empty", {"id": ""}, "statement.id"),
        ("uuid-not-hex", {"id": UUID_1[:-1] + "g"}, "statement.id"),
        ("uuid-number", {"id": 12}, "statement.id"),
    ),
)
def test_statement_properties(edits, path):
    assert_case(full_statement(), edits, path)


@pytest.mark.parametrize("value", ["a statement", [], 5, None])
def test_statement_must_be_an_object(value):
    with pytest.raises(StatementInvalid) as info:
        validate_statement(value)
    assert info.value.path == "statement"


# --------------------------------------------------------------------------- agents
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("objectType-optional", {"actor.objectType": DROP}, None),
        ("objectType-case", {"actor.objectType": "agent"}, "statement.actor.objectType"),
        ("objectType-other", {"actor.objectType": "Person"}, "statement.actor.objectType"),
        ("objectType-null", {"actor.objectType": None}, "statement.actor.objectType"),
        ("name-optional", {"actor.name": DROP}, None),
        ("name-not-string", {"actor.name": 7}, "statement.actor.name"),
        ("mbox-no-scheme", {"actor.mbox": "ana@example.com"}, "statement.actor.mbox"),
        ("mbox-no-address", {"actor.mbox": "mailto:"}, "statement.actor.mbox"),
        ("mbox-no-at", {"actor.mbox": "mailto:ana"}, "statement.actor.mbox"),
        ("mbox-scheme-case", {"actor.mbox": "MAILTO:ana@example.com"}, "statement.actor.mbox"),
        ("mbox-space", {"actor.mbox": "mailto:ana lima@example.com"}, "statement.actor.mbox"),
        ("mbox-idn", {"actor.mbox": "mailto:josé@exemplo.com.br"}, None),
        ("mbox-plus", {"actor.mbox": "mailto:ana+lrs@mail.example.com"}, None),
        ("sha1", {"actor.mbox": DROP, "actor.mbox_sha1sum": SHA1}, None),
        ("sha1-uppercase", {"actor.mbox": DROP, "actor.mbox_sha1sum": SHA1.upper()}, None),
        ("sha1-short", {"actor.mbox": DROP, "actor.mbox_sha1sum": SHA1[:-1]}, "statement.actor.mbox_sha1sum"),
        ("sha1-not-hex", {"actor.mbox": DROP, "actor.mbox_sha1sum": "z" * 40}, "statement.actor.mbox_sha1sum"),
        ("openid", {"actor.mbox": DROP, "actor.openid": "https://openid.example.org/ana"}, None),
        ("openid-no-scheme", {"actor.mbox": DROP, "actor.openid": "openid.example.org/ana"}, "statement.actor.openid"),
        ("account", {"actor.mbox": DROP, "actor.account": {"homePage": "https://x.example", "name": "a"}}, None),
        (
            "account-missing-name",
            {"actor.mbox": DROP, "actor.account": {"homePage": "https://x.example"}},
            "statement.actor.account.name",
        ),
        (
            "account-homepage-no-scheme",
            {"actor.mbox": DROP, "actor.account": {"homePage": "x.example", "name": "a"}},
            "statement.actor.account.homePage",
        ),
        (
            "account-name-number",
            {"actor.mbox": DROP, "actor.account": {"homePage": "https://x.example", "name": 17}},
            "statement.actor.account.name",
        ),
        (
            "account-extra",
            {"actor.mbox": DROP, "actor.account": {"homePage": "https://x.example", "name": "a", "id": 1}},
            "statement.actor.account.id",
        ),
        ("account-string", {"actor.mbox": DROP, "actor.account": "ana"}, "statement.actor.account"),
        ("no-ifi", {"actor.mbox": DROP}, "statement.actor"),
        ("two-ifis", {"actor.mbox_sha1sum": SHA1}, "statement.actor"),
        ("member-on-agent", {"actor.member": [AGENT_2]}, "statement.actor.member"),
        ("actor-string", {"actor": "ana@example.com"}, "statement.actor"),
        ("actor-array", {"actor": [AGENT]}, "statement.actor"),
    ),
)
def test_agents(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- groups
ANON_GROUP = {"objectType": "Group", "member": [AGENT, AGENT_2]}
IDENTIFIED_GROUP = {"objectType": "Group", "name": "Local 12", "account": {"homePage": "https://u.example", "name": "l12"}}


@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("anonymous", {"actor": ANON_GROUP}, None),
        ("anonymous-empty-member", {"actor": {"objectType": "Group", "member": []}}, None),
        ("anonymous-without-member", {"actor": {"objectType": "Group", "name": "x"}}, "statement.actor.member"),
        ("identified", {"actor": IDENTIFIED_GROUP}, None),
        ("identified-with-members", {"actor": {**IDENTIFIED_GROUP, "member": [AGENT]}}, None),
        (
            "identified-two-ifis",
            {"actor": {**IDENTIFIED_GROUP, "mbox": "mailto:l12@u.example"}},
            "statement.actor",
        ),
        (
            "group-in-group",
            {"actor": {"objectType": "Group", "member": [AGENT, ANON_GROUP]}},
            "statement.actor.member[1]",
        ),
        (
            "member-without-ifi",
            {"actor": {"objectType": "Group", "member": [{"name": "x"}]}},
            "statement.actor.member[0]",
        ),
        ("member-null", {"actor": {"objectType": "Group", "member": [None]}}, "statement.actor.member[0]"),
        ("member-not-array", {"actor": {"objectType": "Group", "member": AGENT}}, "statement.actor.member"),
        ("member-string", {"actor": {"objectType": "Group", "member": ["ana"]}}, "statement.actor.member[0]"),
        # Without objectType a Group reads as an Agent, which has no "member".
        ("group-without-objectType", {"actor": {"member": [AGENT]}}, "statement.actor.member"),
        ("group-unknown-property", {"actor": {**ANON_GROUP, "members": []}}, "statement.actor.members"),
    ),
)
def test_groups(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- verbs
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("display-optional", {"verb.display": DROP}, None),
        ("id-required", {"verb.id": DROP}, "statement.verb.id"),
        ("id-not-iri", {"verb.id": "answered"}, "statement.verb.id"),
        ("id-empty", {"verb.id": ""}, "statement.verb.id"),
        ("id-non-ascii", {"verb.id": "http://example.com/فعل/خواندن"}, None),
        ("display-bad-tag", {"verb.display": {"en_US": "answered"}}, 'statement.verb.display["en_US"]'),
        ("display-value-number", {"verb.display": {"en": 1}}, 'statement.verb.display["en"]'),
        ("display-value-null", {"verb.display": {"en": None}}, 'statement.verb.display["en"]'),
        ("display-array", {"verb.display": ["answered"]}, "statement.verb.display"),
        ("unknown-property", {"verb.name": "x"}, "statement.verb.name"),
        ("verb-string", {"verb": "http://adlnet.gov/expapi/verbs/answered"}, "statement.verb"),
    ),
)
def test_verbs(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- activities
def interaction(interaction_type: str, **props) -> dict:
    return {
        "id": "https://lms.example.org/q/1",
        "definition": {"interactionType": interaction_type, **props},
    }


CHOICES = [{"id": "a", "description": {"en": "A"}}, {"id": "b"}]


@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("objectType-optional", {"object.objectType": DROP}, None),
        ("objectType-case", {"object.objectType": "activity"}, "statement.object.objectType"),
        ("objectType-unknown", {"object.objectType": "Course"}, "statement.object.objectType"),
        ("id-required", {"object.id": DROP}, "statement.object.id"),
        ("id-relative", {"object.id": "/courses/1"}, "statement.object.id"),
        ("id-fragment-only", {"object.id": "#quiz"}, "statement.object.id"),
        ("definition-optional", {"object.definition": DROP}, None),
        ("definition-string", {"object.definition": "quiz"}, "statement.object.definition"),
        ("name-bad-tag", {"object.definition.name": {"en_US": "x"}}, 'statement.object.definition.name["en_US"]'),
        ("description-not-map", {"object.definition.description": "x"}, "statement.object.definition.description"),
        ("type-not-iri", {"object.definition.type": "assessment"}, "statement.object.definition.type"),
        ("moreInfo-not-irl", {"object.definition.moreInfo": "lms.example.org"}, "statement.object.definition.moreInfo"),
        ("unknown-definition-property", {"object.definition.title": "x"}, "statement.object.definition.title"),
        ("choice", {"object": interaction("choice", choices=CHOICES, correctResponsesPattern=["a[,]b"])}, None),
        ("sequencing", {"object": interaction("sequencing", choices=CHOICES)}, None),
        ("likert", {"object": interaction("likert", scale=CHOICES, correctResponsesPattern=["a"])}, None),
        ("matching", {"object": interaction("matching", source=CHOICES, target=CHOICES)}, None),
        ("performance", {"object": interaction("performance", steps=CHOICES)}, None),
        ("true-false", {"object": interaction("true-false", correctResponsesPattern=["true"])}, None),
        ("fill-in", {"object": interaction("fill-in", correctResponsesPattern=[])}, None),
        ("long-fill-in", {"object": interaction("long-fill-in")}, None),
        ("numeric", {"object": interaction("numeric", correctResponsesPattern=["1[:]4"])}, None),
        ("other", {"object": interaction("other")}, None),
        ("component-id-whitespace", {"object": interaction("choice", choices=[{"id": "a b"}])}, None),
        (
            "interactionType-unknown",
            {"object": interaction("multiple-choice")},
            "statement.object.definition.interactionType",
        ),
        (
            "interactionType-case",
            {"object": interaction("Choice")},
            "statement.object.definition.interactionType",
        ),
        (
            "choices-without-interactionType",
            {"object.definition.choices": CHOICES},
            "statement.object.definition.choices",
        ),
        (
            "pattern-without-interactionType",
            {"object.definition.correctResponsesPattern": ["a"]},
            "statement.object.definition.correctResponsesPattern",
        ),
        (
            "list-not-supported-for-type",
            {"object": interaction("true-false", choices=CHOICES)},
            "statement.object.definition.choices",
        ),
        (
            "scale-on-choice",
            {"object": interaction("choice", scale=CHOICES)},
            "statement.object.definition.scale",
        ),
        (
            "duplicate-component-id",
            {"object": interaction("choice", choices=[{"id": "a"}, {"id": "a"}])},
            "statement.object.definition.choices[1].id",
        ),
        (
            "component-without-id",
            {"object": interaction("choice", choices=[{"description": {"en": "A"}}])},
            "statement.object.definition.choices[0].id",
        ),
        (
            "component-id-number",
            {"object": interaction("choice", choices=[{"id": 1}])},
            "statement.object.definition.choices[0].id",
        ),
        (
            "component-unknown-property",
            {"object": interaction("choice", choices=[{"id": "a", "text": "A"}])},
            "statement.object.definition.choices[0].text",
        ),
        (
            "components-not-array",
            {"object": interaction("choice", choices={"id": "a"})},
            "statement.object.definition.choices",
        ),
        (
            "pattern-not-strings",
            {"object": interaction("numeric", correctResponsesPattern=[4])},
            "statement.object.definition.correctResponsesPattern[0]",
        ),
        (
            "pattern-string",
            {"object": interaction("numeric", correctResponsesPattern="4")},
            "statement.object.definition.correctResponsesPattern",
        ),
    ),
)
def test_activities(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- other objects
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("agent", {"object": AGENT, "context.revision": DROP, "context.platform": DROP}, None),
        ("group", {"object": ANON_GROUP, "context.revision": DROP, "context.platform": DROP}, None),
        ("agent-without-objectType", {"object": AGENT_2}, "statement.object.objectType"),
        ("group-without-objectType", {"object": {"member": [AGENT]}}, "statement.object.objectType"),
        ("objectType-null", {"object.objectType": None}, "statement.object.objectType"),
        ("object-string", {"object": "https://lms.example.org/q/1"}, "statement.object"),
        (
            "statement-ref",
            {"object": {"objectType": "StatementRef", "id": UUID_2}, "context.revision": DROP, "context.platform": DROP},
            None,
        ),
        (
            "statement-ref-bad-id",
            {"object": {"objectType": "StatementRef", "id": "https://x.example/s/1"}},
            "statement.object.id",
        ),
        ("statement-ref-missing-id", {"object": {"objectType": "StatementRef"}}, "statement.object.id"),
        (
            "statement-ref-extra",
            {"object": {"objectType": "StatementRef", "id": UUID_2, "definition": {}}},
            "statement.object.definition",
        ),
        # Without objectType a StatementRef reads as an Activity, and a UUID is no IRI.
        ("statement-ref-without-objectType", {"object": {"id": UUID_2}}, "statement.object.id"),
    ),
)
def test_agent_group_and_statement_ref_objects(edits, path):
    assert_case(full_statement(), edits, path)


def substatement(**overrides) -> dict:
    sub = {
        "objectType": "SubStatement",
        "actor": AGENT_2,
        "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
        "object": {"objectType": "Activity", "id": "http://example.com/website"},
        "result": {"completion": True},
        "context": {"platform": "web"},
        "timestamp": "2030-01-01T00:00:00Z",
    }
    return {**sub, **overrides}


@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("substatement", {"object": substatement()}, None),
        ("agent-object", {"object": substatement(object=AGENT, context={"language": "en"})}, None),
        ("statement-ref-object", {"object": substatement(object={"objectType": "StatementRef", "id": UUID_2}, context={})}, None),
        ("with-id", {"object": substatement(id=UUID_2)}, "statement.object.id"),
        ("with-stored", {"object": substatement(stored="2015-11-18T12:17:00Z")}, "statement.object.stored"),
        ("with-version", {"object": substatement(version="1.0.0")}, "statement.object.version"),
        ("with-authority", {"object": substatement(authority=AGENT)}, "statement.object.authority"),
        ("nested", {"object": substatement(object=substatement())}, "statement.object.object.objectType"),
        ("missing-actor", {"object": {k: v for k, v in substatement().items() if k != "actor"}}, "statement.object.actor"),
        ("bad-verb", {"object": substatement(verb={"id": "visited"})}, "statement.object.verb.id"),
        (
            "revision-with-agent-object",
            {"object": substatement(object=AGENT, context={"revision": "1"})},
            "statement.object.context.revision",
        ),
        ("unknown-property", {"object": substatement(foo=1)}, "statement.object.foo"),
        (
            "without-objectType",
            {"object": {k: v for k, v in substatement().items() if k != "objectType"}},
            "statement.object.actor",
        ),
    ),
)
def test_substatements(edits, path):
    # The base context carries revision/platform, which only an Activity object allows.
    assert_case(edited(full_statement(), {"context": DROP}), edits, path)


# --------------------------------------------------------------------------- result
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("scaled-bounds-low", {"result.score": {"scaled": -1}}, None),
        ("scaled-bounds-high", {"result.score": {"scaled": 1.0}}, None),
        ("scaled-too-high", {"result.score": {"scaled": 1.01}}, "statement.result.score.scaled"),
        ("scaled-too-low", {"result.score": {"scaled": -1.5}}, "statement.result.score.scaled"),
        ("scaled-string", {"result.score": {"scaled": "0.5"}}, "statement.result.score.scaled"),
        ("scaled-bool", {"result.score": {"scaled": True}}, "statement.result.score.scaled"),
        ("scaled-nan", {"result.score": {"scaled": float("nan")}}, "statement.result.score.scaled"),
        ("raw-unbounded", {"result.score": {"raw": -50}}, None),
        ("raw-at-bounds", {"result.score": {"raw": 10, "min": 10, "max": 10}}, None),
        ("raw-below-min", {"result.score": {"raw": 0, "min": 1}}, "statement.result.score.raw"),
        ("raw-above-max", {"result.score": {"raw": 11, "max": 10}}, "statement.result.score.raw"),
        ("raw-below-zero-min", {"result.score": {"raw": -1, "min": 0, "max": 10}}, "statement.result.score.raw"),
        ("min-above-max", {"result.score": {"min": 5, "max": 1}}, "statement.result.score.min"),
        ("score-unknown", {"result.score": {"percent": 5}}, "statement.result.score.percent"),
        ("score-array", {"result.score": [0.5]}, "statement.result.score"),
        ("success-string", {"result.success": "true"}, "statement.result.success"),
        ("completion-number", {"result.completion": 1}, "statement.result.completion"),
        ("response-number", {"result.response": 2}, "statement.result.response"),
        ("response-empty", {"result.response": ""}, None),
        ("extensions-bad-key", {"result.extensions": {"attempt": 2}}, 'statement.result.extensions["attempt"]'),
        ("extensions-null-value", {"result.extensions": {"https://x.example/e": None}}, None),
        ("extensions-array", {"result.extensions": []}, "statement.result.extensions"),
        ("result-string", {"result": "passed"}, "statement.result"),
        ("result-unknown", {"result.passed": True}, "statement.result.passed"),
    ),
)
def test_results(edits, path):
    assert_case(full_statement(), edits, path)


@pytest.mark.parametrize(
    "duration, valid",
    [
        ("PT4H35M59.14S", True),
        ("PT1234S", True),
        ("P3Y1M29DT4H35M59.14S", True),
        ("P3Y", True),
        ("P4W", True),
        ("P1.5W", True),
        ("PT0.5H", True),
        ("PT1H30,5M", True),
        ("P0D", True),
        ("P", False),
        ("PT", False),
        ("P1DT", False),
        ("P4W1D", False),
        ("P16559.14S", False),  # seconds need the T designator
        ("PT1.5H30M", False),  # fraction only on the last component
        ("P0003-01-29T04:35:59", False),  # the alternative format MUST NOT be used
        ("1234", False),
        ("pt1h", False),
        ("PT1H ", False),
        (1234, False),
    ],
)
def test_durations(duration, valid):
    assert_case(full_statement(), {"result.duration": duration}, None if valid else "statement.result.duration")


# --------------------------------------------------------------------------- context
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("registration-bad", {"context.registration": "reg-1"}, "statement.context.registration"),
        ("instructor-group", {"context.instructor": ANON_GROUP}, None),
        ("instructor-bad", {"context.instructor": {"name": "x"}}, "statement.context.instructor"),
        ("team-agent", {"context.team": AGENT}, "statement.context.team.objectType"),
        ("team-without-objectType", {"context.team": {"member": [AGENT]}}, "statement.context.team.objectType"),
        ("team-identified", {"context.team": IDENTIFIED_GROUP}, None),
        ("contextActivities-single", {"context.contextActivities.parent": {"id": "https://x.example/a"}}, None),
        ("contextActivities-empty-list", {"context.contextActivities.other": []}, None),
        ("contextActivities-all-keys", {"context.contextActivities.category": [{"id": "https://x.example/p"}], "context.contextActivities.other": {"id": "https://x.example/o"}}, None),
        (
            "contextActivities-unknown-key",
            {"context.contextActivities.parents": []},
            "statement.context.contextActivities.parents",
        ),
        (
            "contextActivities-string",
            {"context.contextActivities.parent": "https://x.example/a"},
            "statement.context.contextActivities.parent",
        ),
        (
            "contextActivities-not-activity",
            {"context.contextActivities.parent": [AGENT]},
            "statement.context.contextActivities.parent[0].objectType",
        ),
        (
            "contextActivities-bad-id",
            {"context.contextActivities.grouping": [{"id": "x"}]},
            "statement.context.contextActivities.grouping[0].id",
        ),
        (
            "revision-with-statement-ref",
            {"object": {"objectType": "StatementRef", "id": UUID_2}},
            "statement.context.revision",
        ),
        (
            "platform-with-agent",
            {"object": AGENT, "context.revision": DROP},
            "statement.context.platform",
        ),
        ("revision-number", {"context.revision": 2}, "statement.context.revision"),
        ("language-tag", {"context.language": "zh-Hant-TW"}, None),
        ("language-bad", {"context.language": "en_GB"}, "statement.context.language"),
        ("language-map", {"context.language": {"en": "English"}}, "statement.context.language"),
        ("statement-ref", {"context.statement": {"objectType": "StatementRef", "id": UUID_1}}, None),
        ("statement-without-objectType", {"context.statement": {"id": UUID_1}}, "statement.context.statement.objectType"),
        ("statement-activity", {"context.statement": {"objectType": "Activity", "id": "https://x.example"}}, "statement.context.statement.objectType"),
        ("extensions-bad-key", {"context.extensions": {"cohort": 1}}, 'statement.context.extensions["cohort"]'),
        ("unknown", {"context.course": "x"}, "statement.context.course"),
        ("context-array", {"context": []}, "statement.context"),
    ),
)
def test_contexts(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- timestamps, version
@pytest.mark.parametrize(
    "value, valid",
    [
        ("2015-11-18T12:17:00+00:00", True),
        ("2015-11-18T12:17:00Z", True),
        ("2015-11-18T12:17:00.123456789-05:30", True),
        ("2015-11-18T12:17Z", True),
        ("2015-11-18T12:17:00+0100", True),
        ("2016-02-29T23:59:60Z", True),
        ("2015-11-18t12:17:00z", True),
        ("2015-11-18T12:17:00", False),  # time zone required (project choice)
        ("2015-11-18", False),
        ("2015-11-18 12:17:00Z", False),
        ("2015-02-29T00:00:00Z", False),
        ("2015-13-01T00:00:00Z", False),
        ("2015-11-18T25:00:00Z", False),
        ("2015-11-18T12:17:00+25:00", False),
        ("20151118T121700Z", False),
        ("", False),
        (1447849020, False),
    ],
)
@pytest.mark.parametrize("field", ["timestamp", "stored"])
def test_timestamps(field, value, valid):
    assert_case(full_statement(), {field: value}, None if valid else f"statement.{field}")


@pytest.mark.parametrize(
    "value, valid",
    [
        ("1.0.0", True),
        ("1.0.3", True),
        ("1.0.42", True),
        ("1.0.3-rc.1", True),
        ("1.0", True),  # the version header's form of 1.0.0 (2.4.10.s2.b1)
        ("1.1.0", False),
        ("2.0.0", False),
        ("1.0.", False),
        ("v1.0.0", False),
        (1.0, False),
    ],
)
def test_version(value, valid):
    assert_case(full_statement(), {"version": value}, None if valid else "statement.version")


# --------------------------------------------------------------------------- authority, voiding
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("agent", {"authority": AGENT}, None),
        ("oauth-group", {"authority": {"objectType": "Group", "member": [AGENT_2, AGENT]}}, None),
        ("group-of-three", {"authority": {"objectType": "Group", "member": [AGENT_2, AGENT, AGENT_3]}}, "statement.authority.member"),
        ("group-of-one", {"authority": {"objectType": "Group", "member": [AGENT]}}, "statement.authority.member"),
        ("identified-group", {"authority": {**IDENTIFIED_GROUP, "member": [AGENT, AGENT_2]}}, "statement.authority"),
        ("bad-agent", {"authority": {"name": "lrs"}}, "statement.authority"),
        ("string", {"authority": "lrs"}, "statement.authority"),
    ),
)
def test_authority(edits, path):
    assert_case(full_statement(), edits, path)


@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("voiding-statement-ref", {"verb.id": VOIDED, "object": {"objectType": "StatementRef", "id": UUID_2}, "context": DROP}, None),
        ("voiding-activity", {"verb.id": VOIDED}, "statement.object"),
        ("voiding-agent", {"verb.id": VOIDED, "object": AGENT, "context": DROP}, "statement.object"),
        ("voiding-substatement", {"verb.id": VOIDED, "object": substatement(), "context": DROP}, "statement.object"),
    ),
)
def test_voiding(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- attachments
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("fileUrl-optional", {"attachments.0.fileUrl": DROP}, None),
        ("description-optional", {"attachments.0.description": DROP}, None),
        ("empty-list", {"attachments": []}, None),
        ("length-integral-float", {"attachments.0.length": 1024.0}, None),
        ("content-type-params", {"attachments.0.contentType": "text/plain; charset=utf-8"}, None),
        ("missing-usageType", {"attachments.0.usageType": DROP}, "statement.attachments[0].usageType"),
        ("missing-display", {"attachments.0.display": DROP}, "statement.attachments[0].display"),
        ("missing-contentType", {"attachments.0.contentType": DROP}, "statement.attachments[0].contentType"),
        ("missing-length", {"attachments.0.length": DROP}, "statement.attachments[0].length"),
        ("missing-sha2", {"attachments.0.sha2": DROP}, "statement.attachments[0].sha2"),
        ("usageType-not-iri", {"attachments.0.usageType": "certificate"}, "statement.attachments[0].usageType"),
        ("display-bad", {"attachments.0.display": "Certificate"}, "statement.attachments[0].display"),
        ("contentType-bad", {"attachments.0.contentType": "pdf"}, "statement.attachments[0].contentType"),
        ("length-string", {"attachments.0.length": "1024"}, "statement.attachments[0].length"),
        ("length-fraction", {"attachments.0.length": 10.5}, "statement.attachments[0].length"),
        ("length-negative", {"attachments.0.length": -1}, "statement.attachments[0].length"),
        ("length-bool", {"attachments.0.length": True}, "statement.attachments[0].length"),
        ("sha2-number", {"attachments.0.sha2": 5}, "statement.attachments[0].sha2"),
        ("fileUrl-relative", {"attachments.0.fileUrl": "/c/1.pdf"}, "statement.attachments[0].fileUrl"),
        ("unknown", {"attachments.0.data": "x"}, "statement.attachments[0].data"),
        ("not-array", {"attachments": {"usageType": "http://x.example"}}, "statement.attachments"),
        ("item-string", {"attachments": ["cert.pdf"]}, "statement.attachments[0]"),
    ),
)
def test_attachments(edits, path):
    assert_case(full_statement(), edits, path)


# --------------------------------------------------------------------------- IRIs, language tags
@pytest.mark.parametrize(
    "iri, valid",
    [
        ("http://example.com/xapi/verbs#defenestrated", True),
        ("https://lms.example.org/a?b=c&d=%20e#f", True),
        ("urn:uuid:" + UUID_1, True),
        ("tag:example.com,2024:quiz", True),
        ("http://例え.jp/パス", True),
        ("http://[2001:db8::1]:8080/x", True),
        ("http://user:pw@host.example:80/", True),
        ("mailto:ana@example.com", True),
        ("example.com/verbs/answered", False),
        ("//example.com/x", False),
        ("answered", False),
        ("", False),
        ("http://exa mple.com", False),
        ("http://x.example/%zz", False),
        ("http://x.example:port/", False),
        ("http://x.example/a#b#c", False),
        ("http://x.example/<a>", False),
        ("1http://x.example", False),
        (42, False),
    ],
)
def test_iris(iri, valid):
    assert_case(full_statement(), {"verb.id": iri}, None if valid else "statement.verb.id")


@pytest.mark.parametrize(
    "tag, valid",
    [
        ("en", True),
        ("en-US", True),
        ("EN-us", True),
        ("zh-Hant-TW", True),
        ("es-419", True),
        ("de-DE-1996", True),
        ("sl-rozaj-biske", True),
        ("zh-yue-HK", True),
        ("en-US-u-islamcal", True),
        ("x-whatever", True),
        ("en-x-private", True),
        ("i-klingon", True),
        ("en-GB-oed", True),
        # Well-formed (5-8 letter language subtag) though unregistered: RFC 5646
        # well-formedness is the check 2.2.s4.b2 requires and b7 allows as best effort.
        ("english", True),
        ("en-US-x", False),
        ("en_US", False),
        ("e", False),
        ("en-", False),
        ("-en", False),
        ("en--US", False),
        ("123", False),
        ("abcdefghi", False),
        ("en-a", False),
        ("", False),
    ],
)
def test_language_map_keys(tag, valid):
    expected = None if valid else f"statement.verb.display[{json.dumps(tag)}]"
    assert_case(full_statement(), {"verb.display": {tag: "answered"}}, expected)


# --------------------------------------------------------------------------- type errors name the path
@pytest.mark.parametrize(
    "edits, path",
    cases(
        ("verb-string", {"verb": "answered"}, "statement.verb"),
        ("object-number", {"object": 3}, "statement.object"),
        ("result-array", {"result": []}, "statement.result"),
        ("score-string", {"result.score": "8/10"}, "statement.result.score"),
        ("context-string", {"context": "course"}, "statement.context"),
        ("context-activities-string", {"context.contextActivities": "x"}, "statement.context.contextActivities"),
        ("definition-array", {"object.definition": []}, "statement.object.definition"),
        ("account-array", {"actor": {"account": []}}, "statement.actor.account"),
        ("attachment-display-number", {"attachments.0.display": 1}, "statement.attachments[0].display"),
    ),
)
def test_type_errors_name_the_path(edits, path):
    statement = edited(full_statement(), edits)
    with pytest.raises(StatementInvalid) as info:
        validate_statement(statement)
    assert info.value.path == path
    assert str(info.value).startswith(path + ": ")


# --------------------------------------------------------------------------- batches
def test_batch_paths_are_indexed():
    batch = [full_statement(), minimal_statement(), edited(minimal_statement(), {"verb.id": "nope"})]
    batch[1]["id"] = UUID_2
    with pytest.raises(StatementInvalid) as info:
        validate_statements(batch)
    assert info.value.path == "statements[2].verb.id"


def test_batch_rejects_duplicate_ids_case_insensitively():
    second = edited(minimal_statement(), {})
    second["id"] = UUID_1.upper()
    with pytest.raises(StatementInvalid) as info:
        validate_statements([full_statement(), minimal_statement(), second])
    assert info.value.path == "statements[2].id"
    assert "statements[0].id" in info.value.message


def test_batch_accepts_distinct_and_missing_ids():
    validate_statements([])
    validate_statements([full_statement(), minimal_statement(), minimal_statement()])


@pytest.mark.parametrize("batch", [full_statement(), "[]", None])
def test_batch_must_be_an_array(batch):
    with pytest.raises(StatementInvalid) as info:
        validate_statements(batch)
    assert info.value.path == "statements"


def test_batch_item_must_be_an_object():
    with pytest.raises(StatementInvalid) as info:
        validate_statements([full_statement(), "x"])
    assert info.value.path == "statements[1]"


# --------------------------------------------------------------------------- cross-check with ralph
# Valid statements (for us and for ralph) that the corpus mutates.
def corpus_bases() -> list[dict]:
    no_context = edited(full_statement(), {"context": DROP})
    return [
        full_statement(),
        minimal_statement(),
        edited(
            no_context,
            {
                "actor": {**IDENTIFIED_GROUP, "member": [AGENT, AGENT_2]},
                "object": {"objectType": "StatementRef", "id": UUID_2},
            },
        ),
        edited(
            minimal_statement(),
            {
                "object": interaction("choice", choices=CHOICES, correctResponsesPattern=["a"]),
                "result": {"response": "a", "success": True, "score": {"raw": 3, "min": 1, "max": 5}},
                "context": {"contextActivities": {"category": [{"id": "https://lms.example.org/profile"}]}},
            },
        ),
        edited(no_context, {"object": substatement(context={"language": "fr-CA"})}),
        edited(no_context, {"object": AGENT_2 | {"objectType": "Agent"}, "version": "1.0.3"}),
        edited(
            minimal_statement(),
            {"id": UUID_3, "verb": {"id": VOIDED}, "object": {"objectType": "StatementRef", "id": UUID_1}},
        ),
    ]


# Replacement values for "wrong type / wrong value" mutations.
JUNK = [None, "", "not an iri", 42, 3.5, True, [], {}, "http://example.com/x", UUID_2, "mailto:x@example.com"]
SCORES = [
    {"scaled": 0.5},
    {"scaled": -1},
    {"scaled": 1},
    {"scaled": 1.5},
    {"scaled": -1.01},
    {"raw": 7, "min": 1, "max": 10},
    {"raw": 1, "min": 1, "max": 1},
    {"raw": 12, "min": 1, "max": 10},
    {"raw": -3, "min": 2},
    {"raw": 30, "max": 20},
    {"min": 9, "max": 3},
    {"raw": "7"},
    {"scaled": False},
    {"scaled": [0.5]},
    {"grade": "A"},
]
ACTORS = [
    {"mbox": "mailto:rita@example.org"},
    {"mbox": "rita@example.org"},
    {"mbox": "mailto:"},
    {"mbox": "mailto:rita"},
    {"mbox_sha1sum": SHA1},
    {"mbox_sha1sum": SHA1[:39]},
    {"mbox_sha1sum": SHA1[:39] + "g"},
    {"openid": "https://openid.example.org/rita"},
    {"account": {"homePage": "https://lms.example.org", "name": "rita"}},
    {"account": {"homePage": "lms.example.org", "name": "rita"}},
    {"account": {"homePage": "https://lms.example.org"}},
    {"account": {"name": "rita"}},
    {"mbox": "mailto:rita@example.org", "openid": "https://openid.example.org/rita"},
    {"name": "Rita"},
    {"objectType": "Group", "member": [AGENT, AGENT_2]},
    {"objectType": "Group", "name": "No members"},
    {"objectType": "Group", "member": [{"objectType": "Group", "member": [AGENT]}]},
    {"objectType": "agent", "mbox": "mailto:rita@example.org"},
    "mailto:rita@example.org",
]
FORMAT_EDITS = [
    ("id", UUID_1.upper()),
    ("id", UUID_1.replace("-", "")),
    ("id", "not-a-uuid"),
    ("verb.id", "answered"),
    ("verb.id", "http://example.com/verbs/ответил"),
    ("verb.display", {"en_US": "answered"}),
    ("verb.display", {"fr-CA": "répondu", "en": "answered"}),
    ("verb.display", {"en": 5}),
    ("object.id", "/relative/activity"),
    ("object.id", "urn:example:activity:1"),
    ("object.objectType", "activity"),
    ("object.objectType", "StatementRef"),
    ("timestamp", "2015-11-18T12:17:00.5+02:00"),
    ("timestamp", "2015-11-18T25:17:00Z"),
    ("timestamp", "2015-02-30T10:00:00Z"),
    ("timestamp", "18/11/2015 12:17"),
    ("stored", "2015-11-18T12:17:00Z"),
    ("version", "1.0.0"),
    ("version", "1.0.9"),
    ("version", "2.0.0"),
    ("version", "1.0"),
    ("result", {"duration": "PT1H30M"}),
    ("result", {"duration": "1:30:00"}),
    ("result", {"duration": "P1Y2M"}),
    ("result", {"success": "yes"}),
    ("result", {"extensions": {"not-an-iri": 1}}),
    ("context", {"registration": "abc"}),
    ("context", {"language": "en-GB"}),
    ("context", {"contextActivities": {"parents": [{"id": "https://x.example"}]}}),
    ("context", {"contextActivities": {"parent": {"id": "https://x.example"}}}),
    ("context", {"statement": {"id": UUID_2}}),
    ("context", {"team": {"objectType": "Group", "member": [AGENT]}}),
    ("authority", {"mbox": "mailto:lrs@example.org"}),
    ("attachments", [{"usageType": "http://x.example/u", "display": {"en": "x"}, "contentType": "text/plain", "length": 3, "sha2": SHA256}]),
    ("attachments", [{"usageType": "http://x.example/u", "display": {"en": "x"}, "contentType": "text/plain", "sha2": SHA256}]),
]
UNKNOWN_KEYS = ["foo", "ID", "Verb", "objecttype", "extension"]


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair below ``node``; extension values are left alone."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found.append((node, key))
        if key != "extensions":
            found.extend(_slots(child))
    return found


def _set_dotted(statement: dict, dotted: str, value: Any) -> bool:
    """Set a dotted path if its parent exists; report whether it did."""
    *parents, last = dotted.split(".")
    target = statement
    for part in parents:
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    if not isinstance(target, dict):
        return False
    target[last] = copy.deepcopy(value)
    return True


def _mutate(statement: dict, rng: random.Random) -> str:
    """Apply one random mutation in place; return a label describing it."""
    operation = rng.choice(["drop", "retype", "score", "actor", "format", "unknown"])
    if operation in ("drop", "retype"):
        container, key = rng.choice(_slots(statement))
        if operation == "drop":
            container.pop(key)
            return f"drop {key!r}"
        container[key] = copy.deepcopy(rng.choice(JUNK))
        return f"retype {key!r}={container[key]!r}"
    if operation == "score":
        statement.setdefault("result", {})["score"] = copy.deepcopy(rng.choice(SCORES))
        return f"score {statement['result']['score']}"
    if operation == "actor":
        where = rng.choice(["actor", "actor", "authority", "context.instructor"])
        value = rng.choice(ACTORS)
        return f"{where}={value}" if _set_dotted(statement, where, value) else "noop"
    if operation == "format":
        dotted, value = rng.choice(FORMAT_EDITS)
        return f"{dotted}={value}" if _set_dotted(statement, dotted, value) else "noop"
    dicts = [statement] + [c[k] for c, k in _slots(statement) if isinstance(c[k], dict)]
    target = rng.choice(dicts)
    key = rng.choice(UNKNOWN_KEYS)
    target[key] = 1
    return f"unknown {key!r}"


def build_corpus(size: int = 320) -> list[tuple[str, dict]]:
    """Deterministic corpus: the bases, then mutants with one to three mutations each."""
    rng = random.Random(1)
    bases = corpus_bases()
    corpus = [(f"base {i}", copy.deepcopy(base)) for i, base in enumerate(bases)]
    while len(corpus) < size:
        statement = copy.deepcopy(rng.choice(bases))
        labels = [_mutate(statement, rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        corpus.append(("; ".join(labels), statement))
    return corpus


def _walk_dicts(node: Any):
    """Yield (key, value) of every dict entry, descending through dicts only, skipping
    extensions: exactly where ralph's "no empty values" rule looks."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            if key != "extensions":
                yield from _walk_dicts(value)


_PATH_TOKEN = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _path_keys(path: str) -> list[Any]:
    """Keys of an error path: 'statement.a[0]["en_US"]' -> ['a', 0, 'en_US']."""
    keys = []
    for name, index, quoted in _PATH_TOKEN.findall(path[len("statement"):]):
        keys.append(name or (int(index) if index else json.loads(quoted)))
    return keys


def _value_at(statement: Any, path: str) -> Any:
    """The value an error path points at (None when it points at a missing key)."""
    node = statement
    for key in _path_keys(path):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _last_key(path: str) -> str:
    keys = _path_keys(path)
    return str(keys[-1]) if keys else ""


def _has_empty_value(statement: dict, path: str | None) -> bool:
    return any(value in ("", {}) for _, value in _walk_dicts(statement))


def _is_string_score(statement: dict, path: str) -> bool:
    return path.startswith("statement.result.score.") and isinstance(_value_at(statement, path), str)


def _is_simple_form_uuid(statement: dict, path: str) -> bool:
    return bool(re.fullmatch(r"[0-9A-Fa-f]{32}", str(_value_at(statement, path))))


def _is_clock_duration(statement: dict, path: str) -> bool:
    duration = _value_at(statement, path)
    return path == "statement.result.duration" and (
        isinstance(duration, (int, float)) or ":" in str(duration)
    )


def _is_underscore_tag(statement: dict, path: str) -> bool:
    return "_" in _last_key(path) or "_" in str(_value_at(statement, path))


def _is_untyped_agent_object(statement: dict, path: str) -> bool:
    obj = statement.get("object")
    ifis = ("mbox", "mbox_sha1sum", "openid", "account", "member")
    return path == "statement.object.objectType" and any(key in obj for key in ifis)


# Known places where ralph-malph 5.1 (BaseXapiStatement) and xAPI 1.0.3 part ways.
#   (name, ralph_is_stricter, explains(statement, our_error_path), reason)
# A disagreement on a corpus statement must be explained by one of these, in the stated
# direction: where ralph is looser, our error must sit exactly on the quirk's value.
# Each quirk must also actually occur, which keeps the list short and honest.
def _is_short_version(statement: dict, path: str | None) -> bool:
    return statement.get("version") == "1.0"


RALPH_QUIRKS: list[tuple[str, bool, Callable[[dict, Any], bool], str]] = [
    (
        "short-version",
        True,
        _is_short_version,
        # 2.4.10.s2.b1: the version is formatted as in the X-Experience-API-Version header, where "1.0" means
        # 1.0.0 (ADL's XAPI-00101 accepts it); ralph demands three parts.
        "ralph rejects the version '1.0'; the spec allows it",
    ),
    (
        "empty-values",
        True,
        _has_empty_value,
        # ralph's check_absence_of_empty_values rejects "" and {} outside extensions;
        # the spec only says empty objects SHOULD NOT be sent (2.2.s2.b1), and free-text
        # strings (name, response, revision...) may be empty.
        "ralph rejects empty strings and objects; the spec does not",
    ),
    (
        "numeric-strings-in-score",
        False,
        _is_string_score,
        # pydantic's lax Decimal parses "7"; 2.2.s4.b1.b2: the LRS MUST reject strings
        # where numbers are required.
        "ralph accepts numeric strings as score numbers",
    ),
    (
        "uuid-without-hyphens",
        False,
        _is_simple_form_uuid,
        # pydantic's UUID accepts the 32-digit "simple" form; 4.4: UUIDs MUST be in the
        # standard 8-4-4-4-12 string form.
        "ralph accepts UUIDs without hyphens",
    ),
    (
        "clock-durations",
        False,
        _is_clock_duration,
        # pydantic's timedelta accepts "1:30:00" and plain seconds; 4.6: durations MUST
        # use the ISO 8601:2004 4.4.3.2 format (PnYnMnDTnHnMnS or PnW).
        "ralph accepts clock-style and numeric durations",
    ),
    (
        "underscore-language-tag",
        False,
        _is_underscore_tag,
        # langcodes normalises "en_US" to "en-US"; RFC 5646 subtags are joined by "-"
        # only, and 2.2.s4.b2 requires checking the tag's token structure.
        "ralph accepts '_' as a language tag separator",
    ),
    (
        "agent-object-without-objectType",
        False,
        _is_untyped_agent_object,
        # ralph's object union falls back to its Agent model, whose objectType defaults
        # to "Agent"; 2.4.4.2.s1.b1: an Agent or Group object MUST specify objectType.
        "ralph accepts an Agent/Group object without objectType",
    ),
]


@pytest.fixture(scope="module")
def ralph_statement_model():
    try:
        from ralph.models.xapi.base.statements import BaseXapiStatement
    except ImportError as error:  # ralph-malph is a test extra, not a runtime dependency
        pytest.skip(f"ralph-malph is not importable ({error}); cross-check needs the 'test' extra")
    return BaseXapiStatement


def _ralph_accepts(model, statement: dict) -> bool:
    try:
        model.model_validate(copy.deepcopy(statement))
    # ralph's before-validator indexes values["object"] and calls dict() on values, so a
    # malformed statement can surface as KeyError/TypeError rather than ValidationError.
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    return True


def test_verdicts_agree_with_ralph(ralph_statement_model):
    corpus = build_corpus()
    assert len(corpus) >= 200
    verdicts = [(label, s, verdict(s) is None, _ralph_accepts(ralph_statement_model, s)) for label, s in corpus]
    ours_valid = sum(ours for _, _, ours, _ in verdicts)
    assert ours_valid >= 40 and len(corpus) - ours_valid >= 100, "corpus lost its balance"

    unexplained, quirks_seen = [], set()
    for label, statement, ours, theirs in verdicts:
        if ours == theirs:
            continue
        ralph_stricter = ours and not theirs
        our_path = None if ours else verdict(statement)
        explained = [
            name
            for name, stricter, explains, _ in RALPH_QUIRKS
            if stricter == ralph_stricter and explains(statement, our_path)
        ]
        quirks_seen.update(explained)
        if not explained:
            unexplained.append(f"{label}: ours={our_path or 'valid'}, ralph accepts={theirs}")
    assert not unexplained, "unexplained disagreements with ralph:\n" + "\n".join(unexplained)
    unused = [name for name, *_ in RALPH_QUIRKS if name not in quirks_seen]
    assert not unused, f"quirks no longer needed, drop them: {unused}"


def test_remembered_iris_never_let_an_invalid_one_through(monkeypatch):
    # IRIs that passed are remembered (they repeat from statement to statement); only those, and only up to a limit.
    from lms.tracking import validation

    monkeypatch.setattr(validation, "KNOWN_VALUES_LIMIT", 3)
    for number in range(10):  # more distinct IRIs than the limit: the remembered set is emptied and refilled
        statement = {"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": f"http://example.com/verbs/{number}"},
                     "object": {"id": "http://example.com/a"}}
        validate_statement(statement)
        validate_statement(statement)
    for bad in ("completed", "http://example.com/with space", ""):
        with pytest.raises(StatementInvalid) as error:
            validate_statement({"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": bad},
                                "object": {"id": "http://example.com/a"}})
        assert error.value.path == "statement.verb.id"
