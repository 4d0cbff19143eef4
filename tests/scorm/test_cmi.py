"""scorm.cmi: the two data-model tables, the one validator, durations, and what a state means for progress."""

from __future__ import annotations

import pytest

from scorm.cmi import (
    MODELS, RO, RW, WO, add_session_time, changes, check_commit, duration_seconds, flatten, initial_state,
    iso_duration, outcome, timespan, to_iso_duration, writable,
)
from scorm.manifest import SCORM_12, SCORM_2004, Item


# --- The tables ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version, name, access", [
    (SCORM_12, "cmi.core.lesson_status", RW), (SCORM_12, "cmi.core.student_id", RO),
    (SCORM_12, "cmi.core.exit", WO), (SCORM_12, "cmi.core.session_time", WO),
    (SCORM_12, "cmi.interactions.n.student_response", WO), (SCORM_12, "cmi.student_data.mastery_score", RO),
    (SCORM_12, "cmi.launch_data", RO), (SCORM_12, "cmi.suspend_data", RW),
    (SCORM_2004, "cmi.completion_status", RW), (SCORM_2004, "cmi.success_status", RW),
    (SCORM_2004, "cmi.scaled_passing_score", RO), (SCORM_2004, "cmi.completion_threshold", RO),
    (SCORM_2004, "cmi.exit", WO), (SCORM_2004, "cmi.session_time", WO),
    (SCORM_2004, "cmi.interactions.n.learner_response", RW), (SCORM_2004, "cmi.progress_measure", RW),
    (SCORM_2004, "cmi.learner_id", RO), (SCORM_2004, "cmi.total_time", RO),
])
def test_each_element_has_its_access(version, name, access):
    assert MODELS[version].elements[name].access == access


def test_every_table_kind_has_a_check():
    from scorm.cmi import _CHECKS
    kinds = {element.kind for model in MODELS.values() for element in model.elements.values()}
    assert kinds <= set(_CHECKS)


def test_the_roles_of_each_model_name_elements_of_its_own_table():
    for model in MODELS.values():
        for name in (model.location, model.suspend_data, model.entry, model.exit, model.credit, model.mode,
                     model.session_time, model.total_time, f"{model.score}.raw", *model.preferences.values(),
                     f"cmi.interactions.n.{model.response}"):
            assert name in model.elements, (model.version, name)


# --- The validator -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version, name, value", [
    (SCORM_12, "cmi.core.lesson_status", "passed"), (SCORM_12, "cmi.core.lesson_status", "browsed"),
    (SCORM_12, "cmi.core.score.raw", "87.5"), (SCORM_12, "cmi.core.score.raw", ""),
    (SCORM_12, "cmi.core.session_time", "0001:30:05.25"), (SCORM_12, "cmi.core.exit", "suspend"),
    (SCORM_12, "cmi.core.lesson_location", "page-4"), (SCORM_12, "cmi.suspend_data", "x" * 4096),
    (SCORM_12, "cmi.student_preference.audio", "-1"), (SCORM_12, "cmi.comments", "Good"),
    (SCORM_2004, "cmi.completion_status", "incomplete"), (SCORM_2004, "cmi.success_status", "failed"),
    (SCORM_2004, "cmi.score.scaled", "-0.25"), (SCORM_2004, "cmi.score.raw", "1234.5"),
    (SCORM_2004, "cmi.session_time", "PT1H5M30.5S"), (SCORM_2004, "cmi.session_time", "P1DT2H"),
    (SCORM_2004, "cmi.exit", "suspend"), (SCORM_2004, "cmi.exit", ""), (SCORM_2004, "cmi.location", "slide=9"),
    (SCORM_2004, "cmi.progress_measure", "0.5"), (SCORM_2004, "cmi.suspend_data", "x" * 64000),
    (SCORM_2004, "cmi.learner_preference.language", "zh-Hans"), (SCORM_2004, "adl.nav.request", "continue"),
    (SCORM_2004, "adl.nav.request", "{target=item_2}choice"),
])
def test_a_valid_value_passes(version, name, value):
    assert check_commit(version, {name: value}) == {}


@pytest.mark.parametrize("version, name, value, code", [
    (SCORM_12, "cmi.core.lesson_status", "done", 405),
    (SCORM_12, "cmi.core.score.raw", "high", 405),
    (SCORM_12, "cmi.core.score.raw", "101", 405),
    (SCORM_12, "cmi.core.session_time", "PT5M", 405),  # a 2004 duration in 1.2
    (SCORM_12, "cmi.core.lesson_location", "x" * 256, 405),
    (SCORM_12, "cmi.suspend_data", "x" * 4097, 405),
    (SCORM_12, "cmi.core.student_id", "someone-else", 403),
    (SCORM_12, "cmi.core.nonsense", "1", 401),
    (SCORM_2004, "cmi.completion_status", "passed", 406),
    (SCORM_2004, "cmi.score.scaled", "1.5", 407),
    (SCORM_2004, "cmi.progress_measure", "-0.1", 407),
    (SCORM_2004, "cmi.session_time", "0000:05:00", 406),  # a 1.2 duration in 2004
    (SCORM_2004, "cmi.session_time", "PT", 406),
    (SCORM_2004, "cmi.exit", "time-out", 406),  # 1.2's spelling
    (SCORM_2004, "cmi.location", "x" * 1001, 406),
    (SCORM_2004, "cmi.learner_name", "Someone Else", 404),
    (SCORM_2004, "cmi.core.lesson_status", "passed", 401),  # a 1.2 element in 2004
    (SCORM_2004, "adl.nav.request", "jump", 406),
])
def test_an_invalid_value_gets_the_versions_error_code(version, name, value, code):
    errors = check_commit(version, {name: value}, current=initial_state(version, learner_id="u-1",
                                                                        learner_name="Ana"))
    assert list(errors) == [name]
    assert errors[name].code == code
    assert name in errors[name].message or value[:20] in errors[name].message


def test_a_read_only_element_echoed_back_unchanged_is_accepted():
    state = initial_state(SCORM_2004, learner_id="u-1", learner_name="Ana")
    assert check_commit(SCORM_2004, dict(state), current=state) == {}


def test_12_content_cannot_set_the_status_back_to_not_attempted():
    current = {**initial_state(SCORM_12, learner_id="u-1", learner_name="Ana"), "cmi.core.lesson_status": "incomplete"}
    errors = check_commit(SCORM_12, {"cmi.core.lesson_status": "not attempted"}, current=current)
    assert errors["cmi.core.lesson_status"].code == 405


def test_a_read_only_default_the_lms_never_set_is_not_an_error_and_not_stored():
    values = {"cmi.time_limit_action": "continue,no message", "cmi.location": "p2", "cmi.interactions._count": "0"}
    assert check_commit(SCORM_2004, values, current={}) == {}
    assert writable(SCORM_2004, values) == {"cmi.location": "p2"}


def test_writable_keeps_write_only_elements_and_drops_unknown_ones():
    values = {"cmi.core.exit": "suspend", "cmi.core.session_time": "0000:01:00", "cmi.core.student_id": "x",
              "cmi.made_up": "1"}
    assert writable(SCORM_12, values) == {"cmi.core.exit": "suspend", "cmi.core.session_time": "0000:01:00"}


def test_an_unchanged_starting_status_echoed_back_is_accepted():
    state = initial_state(SCORM_12, learner_id="u-1", learner_name="Ana")
    assert state["cmi.core.lesson_status"] == "not attempted"
    assert check_commit(SCORM_12, {"cmi.core.lesson_status": "not attempted"}, current=state) == {}


def test_2004_interaction_fields_need_the_interaction_id_first():
    errors = check_commit(SCORM_2004, {"cmi.interactions.0.result": "correct"})
    assert errors["cmi.interactions.0.result"].code == 408


def test_2004_learner_response_needs_the_interaction_type_first():
    errors = check_commit(SCORM_2004, {"cmi.interactions.0.id": "q1", "cmi.interactions.0.learner_response": "a"})
    assert list(errors) == ["cmi.interactions.0.learner_response"]
    assert errors["cmi.interactions.0.learner_response"].code == 408


def test_dependencies_may_be_met_by_the_state_before_the_commit():
    current = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "true-false"}
    assert check_commit(SCORM_2004, {"cmi.interactions.0.learner_response": "true"}, current=current) == {}


def test_a_skipped_collection_index_is_a_general_failure():
    errors = check_commit(SCORM_2004, {"cmi.interactions.0.id": "q1", "cmi.interactions.2.id": "q3"})
    assert list(errors) == ["cmi.interactions.2.id"] and errors["cmi.interactions.2.id"].code == 351


def test_a_skipped_index_in_12_uses_the_12_code():
    errors = check_commit(SCORM_12, {"cmi.objectives.1.id": "obj2"})
    assert errors["cmi.objectives.1.id"].code == 201


@pytest.mark.parametrize("version, interaction_type, field, value, valid", [
    (SCORM_2004, "true-false", "learner_response", "true", True),
    (SCORM_2004, "true-false", "learner_response", "t", False),
    (SCORM_2004, "choice", "learner_response", "a[,]c", True),
    (SCORM_2004, "choice", "learner_response", "a[,][,]c", False),
    (SCORM_2004, "matching", "correct_responses.0.pattern", "1[.]a[,]2[.]b", True),
    (SCORM_2004, "matching", "correct_responses.0.pattern", "1[.]a[,]2", False),
    (SCORM_2004, "numeric", "correct_responses.0.pattern", "4[:]6", True),
    (SCORM_2004, "numeric", "learner_response", "five", False),
    (SCORM_12, "true-false", "student_response", "t", True),
    (SCORM_12, "true-false", "student_response", "yes", False),
    (SCORM_12, "choice", "student_response", "a,c", True),
    (SCORM_12, "matching", "correct_responses.0.pattern", "1.a,2.b", True),
    (SCORM_12, "numeric", "student_response", "7.5", True),
])
def test_responses_follow_their_interaction_types_format(version, interaction_type, field, value, valid):
    values = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": interaction_type,
              f"cmi.interactions.0.{field}": value}
    assert (check_commit(version, values) == {}) is valid


def test_json_numbers_and_booleans_are_checked_as_their_text():
    assert check_commit(SCORM_2004, {"cmi.score.scaled": 0.75, "cmi.score.raw": 75}) == {}


def test_keywords_computed_by_the_api_are_not_errors():
    assert check_commit(SCORM_2004, {"cmi.interactions._count": "2", "cmi._version": "1.0"},
                        current={"cmi._version": "1.0"}) == {}


# --- Durations -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [
    ("PT1H2M3.5S", 3723.5), ("P1DT1S", 86401), ("PT0S", 0), ("P0Y0M0DT0H1M", 60),
    ("0001:02:03.5", 3723.5), ("00:00:07", 7), ("9999:59:59.99", 9999 * 3600 + 3599.99),
])
def test_durations_of_both_versions_read_as_seconds(text, seconds):
    assert duration_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "P", "PT", "1:2:3", "PT1.S", "0001:60:00", "5 minutes"])
def test_a_malformed_duration_is_a_value_error(text):
    with pytest.raises(ValueError):
        duration_seconds(text)


def test_both_formats_convert_to_iso_8601():
    assert to_iso_duration("0000:05:30.25") == "PT5M30.25S"
    assert to_iso_duration("PT90M") == "PT1H30M"


def test_durations_format_both_ways():
    assert (iso_duration(0), iso_duration(61.5), timespan(3723.5)) == ("PT0S", "PT1M1.5S", "0001:02:03.50")


def test_session_time_adds_to_total_time_in_the_versions_format():
    assert add_session_time(SCORM_12, "0000:10:00", "0000:05:00.5") == "0000:15:00.50"
    assert add_session_time(SCORM_2004, "PT10M", "PT5M0.5S") == "PT15M0.5S"
    assert add_session_time(SCORM_2004, "PT10M", "garbage") == "PT10M"


# --- What a state means --------------------------------------------------------------------------------------------

def test_12_failed_is_completed_but_not_successful():
    result = outcome(SCORM_12, {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"})
    assert (result.completion, result.success) == (True, False)


def test_12_passed_is_completed_and_successful():
    result = outcome(SCORM_12, {"cmi.core.lesson_status": "passed"})
    assert (result.completion, result.success) == (True, True)


@pytest.mark.parametrize("raw, success", [("69", False), ("70", True), ("95", True)])
def test_12_completed_with_a_mastery_score_is_decided_by_the_raw_score(raw, success):
    state = {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": raw,
             "cmi.student_data.mastery_score": "70"}
    assert outcome(SCORM_12, state).success is success


def test_12_completed_without_a_score_has_unknown_success():
    result = outcome(SCORM_12, {"cmi.core.lesson_status": "completed", "cmi.student_data.mastery_score": "70"})
    assert (result.completion, result.success) == (True, None)


def test_12_no_credit_attempts_are_not_judged_by_the_mastery_score():
    state = {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "90", "cmi.core.credit": "no-credit",
             "cmi.student_data.mastery_score": "70"}
    assert outcome(SCORM_12, state).success is None


def test_12_scores_scale_on_0_to_100_by_default_and_on_min_max_when_given():
    assert outcome(SCORM_12, {"cmi.core.score.raw": "80"}).score == {"scaled": 0.8, "raw": 80.0}
    state = {"cmi.core.score.raw": "15", "cmi.core.score.min": "0", "cmi.core.score.max": "20"}
    assert outcome(SCORM_12, state).score == {"scaled": 0.75, "raw": 15.0, "min": 0.0, "max": 20.0}


def test_2004_statuses_are_read_as_reported():
    result = outcome(SCORM_2004, {"cmi.completion_status": "completed", "cmi.success_status": "failed"})
    assert (result.completion, result.success) == (True, False)


def test_2004_scaled_passing_score_decides_success_over_the_content():
    state = {"cmi.success_status": "failed", "cmi.score.scaled": "0.85", "cmi.scaled_passing_score": "0.8"}
    assert outcome(SCORM_2004, state).success is True


def test_2004_completion_threshold_decides_completion_over_the_content():
    state = {"cmi.completion_status": "completed", "cmi.progress_measure": "0.5", "cmi.completion_threshold": "0.9"}
    assert outcome(SCORM_2004, state).completion is False


def test_2004_unknown_statuses_stay_unknown():
    result = outcome(SCORM_2004, {"cmi.completion_status": "unknown", "cmi.success_status": "unknown"})
    assert (result.completion, result.success, result.score) == (None, None, None)


def test_a_raw_score_outside_min_and_max_keeps_raw_and_drops_the_bounds():
    state = {"cmi.score.raw": "12", "cmi.score.min": "0", "cmi.score.max": "10"}
    assert outcome(SCORM_2004, state).score == {"raw": 12.0}


# --- States ----------------------------------------------------------------------------------------------------------

def test_initial_state_carries_the_items_manifest_data_for_12():
    item = Item(identifier="quiz", title="Quiz", mastery_score=80, launch_data="mode=test",
                max_time_allowed="00:30:00", time_limit_action="exit,message")
    state = initial_state(SCORM_12, learner_id="u-1", learner_name="Lima, Ana", item=item)
    assert state["cmi.student_data.mastery_score"] == "80" and state["cmi.launch_data"] == "mode=test"
    assert state["cmi.core.total_time"] == "0000:00:00.00" and state["cmi.core.entry"] == "ab-initio"


def test_initial_state_carries_the_items_manifest_data_for_2004():
    item = Item(identifier="quiz", title="Quiz", scaled_passing_score=0.7, completion_threshold=0.5,
                max_time_allowed="PT1H")
    state = initial_state(SCORM_2004, learner_id="u-1", learner_name="Ana", item=item, entry="resume")
    assert (state["cmi.scaled_passing_score"], state["cmi.completion_threshold"]) == ("0.7", "0.5")
    assert (state["cmi.max_time_allowed"], state["cmi.entry"]) == ("PT1H", "resume")


def test_changes_keep_only_what_differs():
    assert changes({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "", "d": "4"}) == {"b": "3", "d": "4"}


def test_a_nested_commit_flattens_to_dotted_names():
    nested = {"cmi": {"core": {"lesson_status": "completed", "score": {"raw": 80}, "_children": "x"},
                      "interactions": [{"id": "q1", "correct_responses": [{"pattern": "a"}]}],
                      "objectives": {"childArray": [{"id": "o1"}]}}}
    assert flatten(nested) == {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "80",
                               "cmi.interactions.0.id": "q1", "cmi.interactions.0.correct_responses.0.pattern": "a",
                               "cmi.objectives.0.id": "o1"}
