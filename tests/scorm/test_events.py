"""scorm.events: a commit's changes as ADL xAPI SCORM Profile events, for both versions."""

from __future__ import annotations

from scorm.cmi import initial_state
from scorm.events import ATTEMPT_STATE, INTERACTION_ACTIVITY, VERBS, commit_events, interaction_definition
from scorm.manifest import SCORM_12, SCORM_2004


def _names(events: list[dict]) -> list[str]:
    return [event["event"] for event in events]


def _one(events: list[dict], name: str) -> dict:
    [found] = [event for event in events if event["event"] == name]
    return found


def _start(version: str, **options) -> dict:
    return initial_state(version, learner_id="u-1", learner_name="Ana", **options)


def test_initialize_of_a_new_attempt_is_initialized():
    assert _names(commit_events(SCORM_2004, _start(SCORM_2004), {}, initialized=True)) == ["initialized"]


def test_initialize_of_a_suspended_attempt_is_resumed():
    events = commit_events(SCORM_12, _start(SCORM_12, entry="resume"), {}, initialized=True)
    assert _names(events) == ["resumed"] and events[0]["verb"] == VERBS["resumed"]


def test_a_commit_that_changes_nothing_has_no_events():
    state = _start(SCORM_2004)
    assert commit_events(SCORM_2004, state, dict(state)) == []


def test_12_failed_is_completed_and_failed_never_passed():
    old = _start(SCORM_12)
    events = commit_events(SCORM_12, old, {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"})
    assert _names(events) == ["scored", "completed", "failed"]
    assert _one(events, "failed")["result"] == {"success": False, "completion": True,
                                                "score": {"scaled": 0.4, "raw": 40.0}}


def test_12_passed_is_completed_and_passed():
    events = commit_events(SCORM_12, _start(SCORM_12), {"cmi.core.lesson_status": "passed"})
    assert _names(events) == ["completed", "passed"]


def test_12_completed_with_mastery_score_and_raw_score_is_judged_by_the_score():
    old = {**_start(SCORM_12), "cmi.student_data.mastery_score": "70"}
    events = commit_events(SCORM_12, old, {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "65"})
    assert _names(events) == ["scored", "completed", "failed"]


def test_12_completed_without_mastery_score_is_only_completed():
    events = commit_events(SCORM_12, _start(SCORM_12), {"cmi.core.lesson_status": "completed"})
    assert _names(events) == ["completed"]


def test_completion_is_reported_once():
    old = {**_start(SCORM_12), "cmi.core.lesson_status": "completed"}
    assert commit_events(SCORM_12, old, {"cmi.core.lesson_status": "passed"}) == [
        {"event": "passed", "verb": VERBS["passed"], "result": {"success": True, "completion": True}}]


def test_2004_score_is_scored_with_the_xapi_score():
    events = commit_events(SCORM_2004, _start(SCORM_2004), {"cmi.score.scaled": "0.9", "cmi.score.raw": "9",
                                                            "cmi.score.min": "0", "cmi.score.max": "10"})
    assert events == [{"event": "scored", "verb": VERBS["scored"],
                       "result": {"score": {"scaled": 0.9, "raw": 9.0, "min": 0.0, "max": 10.0}}}]


def test_2004_passing_score_turns_a_low_score_into_failed():
    old = {**_start(SCORM_2004), "cmi.scaled_passing_score": "0.8"}
    events = commit_events(SCORM_2004, old, {"cmi.score.scaled": "0.5", "cmi.success_status": "passed",
                                             "cmi.completion_status": "completed"})
    assert _names(events) == ["scored", "completed", "failed"]


def test_2004_suspend_on_terminate_is_suspended_with_the_session_duration():
    events = commit_events(SCORM_2004, _start(SCORM_2004), {"cmi.exit": "suspend", "cmi.session_time": "PT2M"},
                           terminated=True)
    assert events == [{"event": "suspended", "verb": VERBS["suspended"], "result": {"duration": "PT2M"}}]


def test_terminate_without_suspend_is_terminated_with_the_result():
    old = {**_start(SCORM_12), "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90"}
    events = commit_events(SCORM_12, old, {"cmi.core.exit": "", "cmi.core.session_time": "0000:03:30"},
                           terminated=True)
    assert events == [{"event": "terminated", "verb": VERBS["terminated"],
                       "result": {"duration": "PT3M30S", "completion": True, "success": True,
                                  "score": {"scaled": 0.9, "raw": 90.0}}}]


def test_suspend_data_changes_the_attempt_state_document():
    events = commit_events(SCORM_2004, _start(SCORM_2004), {"cmi.suspend_data": "p=4", "cmi.location": "slide-4"})
    state = _one(events, "state")
    assert state["state_id"] == ATTEMPT_STATE
    assert state["document"] == {"location": "slide-4", "suspend_data": "p=4", "credit": "credit",
                                 "mode": "normal", "total_time": "PT0S"}


def test_12_state_document_uses_the_profiles_names():
    events = commit_events(SCORM_12, _start(SCORM_12), {"cmi.core.lesson_location": "3",
                                                        "cmi.student_preference.language": "zh"})
    document = _one(events, "state")["document"]
    assert document["location"] == "3" and document["preferences"] == {"language": "zh"}


def test_a_2004_interaction_is_responded_with_a_definition():
    values = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
              "cmi.interactions.0.description": "{lang=en}Which are rights?",
              "cmi.interactions.0.correct_responses.0.pattern": "a[,]c",
              "cmi.interactions.0.learner_response": "a[,]b", "cmi.interactions.0.result": "incorrect",
              "cmi.interactions.0.latency": "PT12S", "cmi.interactions.0.timestamp": "2024-05-01T09:30:00Z"}
    [event] = commit_events(SCORM_2004, _start(SCORM_2004), values)
    assert event["event"] == "responded" and event["verb"] == VERBS["responded"]
    assert event["result"] == {"response": "a[,]b", "success": False, "duration": "PT12S"}
    assert event["timestamp"] == "2024-05-01T09:30:00Z"
    assert event["interaction"] == {"id": "q1", "definition": {
        "type": INTERACTION_ACTIVITY, "interactionType": "choice", "description": {"en": "Which are rights?"},
        "correctResponsesPattern": ["a[,]c"],
        "choices": [{"id": "a", "description": {"und": "a"}}, {"id": "c", "description": {"und": "c"}},
                    {"id": "b", "description": {"und": "b"}}]}}


def test_a_12_interaction_response_is_converted_to_xapi_format():
    values = {"cmi.interactions.0.id": "q2", "cmi.interactions.0.type": "true-false",
              "cmi.interactions.0.correct_responses.0.pattern": "f", "cmi.interactions.0.student_response": "t",
              "cmi.interactions.0.result": "wrong"}
    [event] = commit_events(SCORM_12, _start(SCORM_12), values)
    assert event["result"] == {"response": "true", "success": False}
    assert event["interaction"]["definition"]["correctResponsesPattern"] == ["false"]
    assert "timestamp" not in event  # 1.2 has a clock time only


def test_only_new_or_changed_interactions_are_responded():
    old = {**_start(SCORM_2004), "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "true-false",
           "cmi.interactions.0.learner_response": "true"}
    new = {"cmi.interactions.1.id": "q2", "cmi.interactions.1.type": "true-false",
           "cmi.interactions.1.learner_response": "false"}
    events = commit_events(SCORM_2004, old, new)
    assert [event["interaction"]["id"] for event in events] == ["q2"]


def test_events_come_in_the_profiles_order():
    values = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "numeric",
              "cmi.interactions.0.learner_response": "5", "cmi.score.scaled": "1", "cmi.success_status": "passed",
              "cmi.completion_status": "completed", "cmi.suspend_data": "x", "cmi.exit": "normal",
              "cmi.session_time": "PT1M"}
    events = commit_events(SCORM_2004, _start(SCORM_2004), values, initialized=True, terminated=True)
    assert _names(events) == ["initialized", "responded", "scored", "completed", "passed", "state", "terminated"]


def test_matching_definitions_name_sources_and_targets():
    definition = interaction_definition(SCORM_12, {"type": "matching", "correct_responses.0.pattern": "1.a,2.b"})
    assert definition["correctResponsesPattern"] == ["1[.]a[,]2[.]b"]
    assert [part["id"] for part in definition["source"]] == ["1", "2"]
    assert [part["id"] for part in definition["target"]] == ["a", "b"]


def test_a_12_numeric_pattern_becomes_an_exact_range():
    definition = interaction_definition(SCORM_12, {"type": "numeric", "correct_responses.0.pattern": "42"})
    assert definition["correctResponsesPattern"] == ["42[:]42"]


def test_every_event_makes_a_valid_xapi_statement():
    """Cross-check with the LMS's own xAPI validator: the results and interaction definitions are valid as-is."""
    from lms.tracking.validation import validate_statement

    values = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "matching",
              "cmi.interactions.0.correct_responses.0.pattern": "1[.]a[,]2[.]b",
              "cmi.interactions.0.learner_response": "1[.]b[,]2[.]a", "cmi.interactions.0.result": "incorrect",
              "cmi.interactions.0.latency": "PT3S", "cmi.interactions.0.description": "Match them",
              "cmi.interactions.1.id": "q2", "cmi.interactions.1.type": "likert",
              "cmi.interactions.1.learner_response": "agree", "cmi.score.raw": "3", "cmi.score.min": "0",
              "cmi.score.max": "4", "cmi.success_status": "failed", "cmi.completion_status": "completed",
              "cmi.exit": "normal", "cmi.session_time": "PT1H0.5S"}
    events = commit_events(SCORM_2004, _start(SCORM_2004), values, initialized=True, terminated=True)
    sco = "http://lms.test/xapi/activities/course/c/sco/item_1"
    for event in events:
        if event["event"] == "state":
            continue
        definition = event["interaction"]["definition"] if "interaction" in event else {
            "type": "http://adlnet.gov/expapi/activities/lesson"}
        activity_id = f"{sco}/interaction/{event['interaction']['id']}" if "interaction" in event else sco
        statement = {"actor": {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": "u-1"}},
                     "verb": {"id": event["verb"], "display": {"en-US": event["event"]}},
                     "object": {"objectType": "Activity", "id": activity_id, "definition": definition}}
        if "result" in event:
            statement["result"] = event["result"]
        validate_statement(statement)
