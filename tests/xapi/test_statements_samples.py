"""Statements the LRS must accept and give back as sent: realistic LMS statements and unusual-but-valid ones
(SubStatement, Groups, non-ASCII IRIs, nested extensions, every contextActivities list).

The builders here are shared by the other Statement resource tests (tests/xapi/test_statements_*.py).
"""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from tests.conftest import BASE_URL

ADL = "http://adlnet.gov/expapi/verbs/"
COURSE = f"{BASE_URL}/xapi/activities/course/labor-contract-basics"
LESSON = f"{COURSE}/lesson/probation"
QUIZ = f"{COURSE}/quiz/contract-check"
TRACK = f"{BASE_URL}/xapi/activities/track/workers-rights"
SCORM_PROFILE = "https://w3id.org/xapi/scorm"
COURSE_VERSION = "http://lms.test/xapi/extensions/course-version"
# Properties the LRS sets or may set; a statement read back equals the one sent apart from these.
LRS_SET = ("id", "stored", "authority", "version", "timestamp")


def new_id() -> str:
    return str(uuid.uuid4())


def learner(public_id: str = "0f6b1c8e-5a0e-4c0e-9c43-3c1e1b7f2a10", name: str = "Li Na") -> dict:
    """An LMS learner as the LMS names them: an account on the LMS, no e-mail address."""
    return {"objectType": "Agent", "name": name, "account": {"homePage": BASE_URL, "name": public_id}}


def verb(name: str, display: str | None = None) -> dict:
    return {"id": ADL + name, "display": {"en-US": display or name}}


def activity(iri: str, name_en: str, name_zh: str, activity_type: str = "lesson") -> dict:
    return {"objectType": "Activity", "id": iri,
            "definition": {"type": f"http://adlnet.gov/expapi/activities/{activity_type}",
                           "name": {"en": name_en, "zh-Hans": name_zh}}}


def context(registration: str | None = None, **extra) -> dict:
    """The context the LMS puts on a learner's statements: registration, course and track, version."""
    return {"registration": registration or new_id(),
            "contextActivities": {"parent": [{"id": COURSE}], "grouping": [{"id": COURSE}, {"id": TRACK}]},
            "extensions": {COURSE_VERSION: 3}, **extra}


def make_statement(**overrides) -> dict:
    """A learner experiencing a lesson, as the LMS records it; ``overrides`` replace top-level properties."""
    statement = {
        "actor": learner(),
        "verb": verb("experienced"),
        "object": activity(LESSON, "Probation periods", "试用期"),
        "context": context(),
        "timestamp": "2024-05-06T09:15:00.123Z",
    }
    statement.update(overrides)
    return statement


def quiz_answer() -> dict:
    """A multiple-choice answer with a full result."""
    question = {
        "objectType": "Activity", "id": f"{QUIZ}/question/3",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "name": {"en": "How long may probation last on a one-year contract?", "zh-Hans": "一年期合同的试用期最长多久？"},
            "interactionType": "choice",
            "correctResponsesPattern": ["one-month"],
            "choices": [{"id": "one-month", "description": {"en": "One month", "zh-Hans": "一个月"}},
                        {"id": "two-months", "description": {"en": "Two months", "zh-Hans": "两个月"}},
                        {"id": "six-months", "description": {"en": "Six months", "zh-Hans": "六个月"}}],
        },
    }
    return make_statement(
        verb=verb("answered"), object=question,
        result={"response": "one-month", "success": True, "score": {"scaled": 1, "raw": 1, "min": 0, "max": 1},
                "duration": "PT42.5S"},
        context=context(contextActivities={"parent": [{"id": QUIZ}], "grouping": [{"id": COURSE}, {"id": TRACK}]}),
    )


def scorm_completion() -> dict:
    """A SCORM SCO's completion as the SCORM profile maps it, with a negative-to-positive scaled score."""
    return make_statement(
        verb=verb("completed"), object=activity(f"{COURSE}/sco/intro", "Introduction", "导论", "lesson"),
        result={"completion": True, "success": False, "score": {"scaled": -0.25, "raw": -5, "min": -20, "max": 20},
                "duration": "P0DT1H2M3.04S"},
        context=context(contextActivities={"category": [{"id": SCORM_PROFILE, "definition": {
            "type": "http://adlnet.gov/expapi/activities/profile"}}], "parent": [{"id": COURSE}]}),
    )


def substatement() -> dict:
    """An instructor planning that a learner will attend a session: a SubStatement object."""
    return make_statement(
        actor={"objectType": "Agent", "name": "Wang Fang", "mbox": "mailto:wang.fang@example.org"},
        verb={"id": "http://adlnet.gov/expapi/verbs/planned", "display": {"en-US": "planned"}},
        object={"objectType": "SubStatement", "actor": learner(),
                "verb": {"id": ADL + "attended", "display": {"en-US": "attended"}},
                "object": activity(f"{COURSE}/session/2024-06", "Consultation session", "协商会", "meeting"),
                "result": {"completion": False},
                "context": {"contextActivities": {"parent": [{"id": COURSE}]},
                            "instructor": {"mbox": "mailto:wang.fang@example.org"}},
                "timestamp": "2024-06-01T10:00:00+08:00"},
        context={"registration": new_id()},
    )


def group_actor() -> dict:
    """A team (an anonymous Group) completing a case study; each member with a different identifier."""
    return make_statement(
        actor={"objectType": "Group", "name": "Shift B union committee", "member": [
            {"mbox": "mailto:chen.jie@example.org", "name": "Chen Jie"},
            {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
            {"openid": "https://openid.example.org/zhao-lei"},
            {"account": {"homePage": BASE_URL, "name": "a81bc81b-dead-4e5d-abff-90865d1e13b1"}}]},
        verb=verb("completed"),
        object=activity(f"{COURSE}/case/overtime-dispute", "Overtime dispute case", "加班争议案例", "simulation"),
    )


def identified_group_object() -> dict:
    """A learner joining an identified Group: a Group with an identifier and members as the object."""
    return make_statement(
        verb={"id": "http://activitystrea.ms/schema/1.0/join", "display": {"en-US": "joined"}},
        object={"objectType": "Group", "name": "Worker representatives",
                "account": {"homePage": BASE_URL, "name": "group:worker-reps"},
                "member": [{"objectType": "Agent", "mbox": "mailto:liu.yang@example.org"}]},
        context={"registration": new_id(), "language": "zh-Hans"},
    )


def non_ascii_iris() -> dict:
    """IRIs with Chinese characters in host and path, a non-ASCII extension key, a zh-Hans display."""
    return make_statement(
        actor={"name": "张伟", "mbox": "mailto:zhang.wei@例子.中国"},
        verb={"id": "https://词汇.例子.中国/动词/学习了", "display": {"zh-Hans": "学习了", "en": "studied"}},
        object={"id": "https://例子.中国/课程/劳动合同法/第三章?节=试用期#要点",
                "definition": {"name": {"zh-Hans": "试用期要点"}, "moreInfo": "https://例子.中国/课程/劳动合同法"}},
        context={"extensions": {"https://例子.中国/扩展/地区": "广东省"}},
    )


def nested_extensions() -> dict:
    """Extensions holding any JSON: nested objects, arrays, numbers, booleans and null."""
    return make_statement(
        verb=verb("progressed"),
        result={"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 60,
                               "http://lms.test/xapi/extensions/answers": {
                                   "sections": [{"id": 1, "correct": [True, False, None]},
                                                {"id": 2, "notes": {"zh-Hans": "第二节", "depth": {"a": {"b": [1.5]}}}}],
                                   "empty": {}, "nothing": None}}},
        context=context(extensions={COURSE_VERSION: 3, "http://lms.test/xapi/extensions/device": {
            "kind": "phone", "screen": [390, 844], "offline": False}}),
        object={"id": LESSON, "definition": {"extensions": {"http://lms.test/xapi/extensions/reading-minutes": 7}}},
    )


def full_context() -> dict:
    """Every context property: instructor, team, all four contextActivities (as lists and as one object),
    revision, platform, language, a StatementRef and extensions."""
    return make_statement(
        verb=verb("attended"),
        object=activity(f"{COURSE}/workshop/1", "Contract workshop", "合同研讨会", "meeting"),
        context={
            "registration": new_id(),
            "instructor": {"name": "Wang Fang", "mbox": "mailto:wang.fang@example.org"},
            "team": {"objectType": "Group", "name": "Workshop group 4",
                     "member": [{"mbox": "mailto:chen.jie@example.org"}, {"mbox": "mailto:liu.yang@example.org"}]},
            "contextActivities": {"parent": {"id": COURSE},
                                  "grouping": [{"id": COURSE}, {"id": TRACK}],
                                  "category": [{"id": SCORM_PROFILE}],
                                  "other": [{"id": f"{BASE_URL}/xapi/activities/venue/guangzhou"},
                                            {"id": f"{BASE_URL}/xapi/activities/cohort/2024-spring"}]},
            "revision": "v3", "platform": "Labor Rights LMS", "language": "zh-Hans",
            "statement": {"objectType": "StatementRef", "id": new_id()},
            "extensions": {COURSE_VERSION: 3},
        },
    )


def statement_ref_object() -> dict:
    """A supervisor confirming a statement: the object is a StatementRef to a statement the LRS may not have."""
    return make_statement(
        actor={"mbox": "mailto:supervisor@example.org"},
        verb={"id": "http://activitystrea.ms/schema/1.0/confirm", "display": {"en-US": "confirmed"}},
        object={"objectType": "StatementRef", "id": new_id()},
        context={"registration": new_id()},
    )


def agent_object() -> dict:
    """A mentor assigned to a learner: an Agent object (objectType is required there)."""
    return make_statement(
        actor={"openid": "https://openid.example.org/wang-fang"},
        verb={"id": "http://id.tincanapi.com/verb/mentored", "display": {"en-US": "mentored"}},
        object={"objectType": "Agent", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
        context={"registration": new_id()},
    )


def file_url_attachment() -> dict:
    """A certificate as an attachment that lives elsewhere (fileUrl): fine as application/json."""
    return make_statement(
        verb={"id": "http://id.tincanapi.com/verb/earned", "display": {"en-US": "earned"}},
        object=activity(TRACK, "Workers' rights", "劳动者权利", "course"),
        attachments=[{"usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
                      "display": {"en": "Certificate", "zh-Hans": "证书"},
                      "contentType": "application/pdf", "length": 48213,
                      "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
                      "fileUrl": f"{BASE_URL}/certificates/7c3f.pdf"}],
    )


def minimal_with_version_and_offset() -> dict:
    """The smallest statement, with a version and a timestamp in another time zone."""
    return {"actor": {"mbox": "mailto:xu.min@example.org"}, "verb": {"id": ADL + "registered"},
            "object": {"id": COURSE}, "version": "1.0.0", "timestamp": "2024-05-06T17:15:00.5+08:00"}


SAMPLES = {
    "lesson": make_statement,
    "quiz answer": quiz_answer,
    "scorm completion": scorm_completion,
    "substatement": substatement,
    "group actor": group_actor,
    "identified group object": identified_group_object,
    "non-ascii iris": non_ascii_iris,
    "nested extensions": nested_extensions,
    "full context": full_context,
    "statement ref object": statement_ref_object,
    "agent object": agent_object,
    "file url attachment": file_url_attachment,
    "minimal": minimal_with_version_and_offset,
}


# --- helpers the other modules use ----------------------------------------------------------------------------

def post(lrs, body) -> list[str]:
    """POST statements and return their ids, asserting the LRS accepted them."""
    response = lrs.post("/statements", json_body=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def fetch(lrs, statement_id: str, **params) -> dict:
    """GET one statement by id, asserting it is there."""
    response = lrs.get("/statements", query_string={"statementId": statement_id, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def void(lrs, target_id: str, voiding_id: str | None = None) -> str:
    """Void a statement; returns the voiding statement's id."""
    voiding = {"actor": {"mbox": "mailto:admin@example.org"}, "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": target_id}}
    if voiding_id:
        voiding["id"] = voiding_id
    [statement_id] = post(lrs, voiding)
    return statement_id


def without_lrs_properties(statement: dict) -> dict:
    return {key: value for key, value in statement.items() if key not in LRS_SET}


# --- the samples are accepted and given back as sent ----------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLES)
def test_a_valid_statement_is_accepted_by_post_and_read_back_exactly(lrs, name):
    sent = SAMPLES[name]()
    [statement_id] = post(lrs, copy.deepcopy(sent))
    assert without_lrs_properties(fetch(lrs, statement_id)) == without_lrs_properties(sent)


@pytest.mark.parametrize("name", SAMPLES)
def test_a_valid_statement_is_accepted_by_put(lrs, name):
    statement_id = new_id()
    response = lrs.put("/statements", query_string={"statementId": statement_id}, json_body=SAMPLES[name]())
    assert response.status_code == 204, response.get_data(as_text=True)
    assert fetch(lrs, statement_id)["id"] == statement_id


def test_a_batch_of_every_sample_is_stored_in_one_request_and_ids_come_back_in_order(lrs):
    batch = [dict(build(), id=new_id()) for build in SAMPLES.values()]
    assert post(lrs, batch) == [statement["id"] for statement in batch]


def test_non_ascii_text_comes_back_as_the_same_utf8_characters(lrs):
    sent = non_ascii_iris()
    [statement_id] = post(lrs, sent)
    response = lrs.get("/statements", query_string={"statementId": statement_id})
    assert json.loads(response.get_data().decode("utf-8"))["verb"]["display"]["zh-Hans"] == "学习了"
    assert fetch(lrs, statement_id)["object"]["id"] == sent["object"]["id"]


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_is_also_valid_for_ralph_an_independent_validator(name):
    from ralph.models.xapi.base.statements import BaseXapiStatement

    BaseXapiStatement(**SAMPLES[name]())
