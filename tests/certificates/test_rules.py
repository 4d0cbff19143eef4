"""The one rule function, on plain facts: no database, no app."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lms.certificates.rules import CourseFacts, TrackRules, evaluate

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def done(slug: str, score: float | None = 1.0, at: datetime = T0, minutes: float = 0) -> CourseFacts:
    quizzes = {"quiz": score} if score is not None else {}
    return CourseFacts(slug, is_enrolled=True, is_completed=True, completed_at=at, quiz_scores=quizzes,
                       study_seconds=minutes * 60, fraction=1.0)


def started(slug: str, fraction: float = 0.5) -> CourseFacts:
    return CourseFacts(slug, is_enrolled=True, quiz_scores={"quiz": None}, fraction=fraction)


def facts(*items: CourseFacts) -> dict:
    return {item.slug: item for item in items}


def test_a_required_course_not_completed_keeps_the_track_unmet():
    result = evaluate(TrackRules(("a", "b"), 80), facts(done("a"), started("b")))
    assert not result.is_met
    assert [(r.kind, r.course) for r in result.requirements if not r.is_met] == [("course", "b"), ("quizzes", "b")]


def test_every_required_course_completed_and_passed_meets_the_track():
    assert evaluate(TrackRules(("a", "b"), 80), facts(done("a"), done("b", 0.8))).is_met


def test_a_quiz_below_the_track_pass_mark_is_named_as_missing():
    result = evaluate(TrackRules(("a",), 80), facts(done("a", 0.79)))
    quizzes = next(r for r in result.requirements if r.kind == "quizzes")
    assert not result.is_met and quizzes.missing == ("quiz",)


def test_a_score_exactly_at_the_pass_mark_passes_despite_floating_point():
    assert evaluate(TrackRules(("a",), 57), facts(done("a", 0.57))).is_met


def test_a_quiz_never_scored_does_not_pass():
    completed_without_score = CourseFacts("a", is_completed=True, completed_at=T0, quiz_scores={"quiz": None})
    assert not evaluate(TrackRules(("a",), 0), facts(completed_without_score)).is_met


def test_a_course_without_quizzes_needs_only_completion():
    result = evaluate(TrackRules(("a",), 80), facts(done("a", score=None)))
    assert result.is_met and [r.kind for r in result.requirements] == ["course"]


def test_n_of_m_electives_are_enough():
    rules = TrackRules(("a",), 70, electives=("x", "y", "z"), electives_required=2)
    assert not evaluate(rules, facts(done("a"), done("x"))).is_met
    assert evaluate(rules, facts(done("a"), done("x"), done("z"))).is_met


def test_an_elective_below_the_pass_mark_does_not_count():
    rules = TrackRules(("a",), 70, electives=("x", "y"), electives_required=1)
    result = evaluate(rules, facts(done("a"), done("x", 0.5)))
    electives = next(r for r in result.requirements if r.kind == "electives")
    assert not result.is_met and electives.done == 0 and set(electives.missing) == {"x", "y"}


def test_counted_courses_are_the_required_ones_and_the_electives_that_count():
    rules = TrackRules(("a",), 70, electives=("x", "y"), electives_required=1)
    assert evaluate(rules, facts(done("a"), done("y"), started("x"))).counted_courses == ("a", "y")


def test_a_minimum_study_time_not_reached_keeps_the_track_unmet():
    rules = TrackRules(("a", "b"), 70, min_study_minutes=90)
    result = evaluate(rules, facts(done("a", minutes=30), done("b", minutes=59)))
    study = next(r for r in result.requirements if r.kind == "study_time")
    assert not result.is_met and study.done == 89 and study.needed == 90


def test_a_minimum_study_time_reached_across_courses_is_met():
    rules = TrackRules(("a", "b"), 70, min_study_minutes=90)
    assert evaluate(rules, facts(done("a", minutes=30), done("b", minutes=60))).is_met


def test_no_minimum_study_time_adds_no_requirement():
    result = evaluate(TrackRules(("a",), 70), facts(done("a")))
    assert "study_time" not in [r.kind for r in result.requirements]


def test_a_course_is_locked_until_the_course_it_requires_is_completed():
    rules = TrackRules(("a", "b"), 70, prerequisites={"b": ("a",)})
    result = evaluate(rules, facts(started("a"), started("b")))
    assert [s.is_unlocked for s in result.courses] == [True, False]
    assert evaluate(rules, facts(done("a"), started("b"))).courses[1].is_unlocked


def test_courses_completed_in_the_required_order_meet_the_track():
    rules = TrackRules(("a", "b"), 70, prerequisites={"b": ("a",)})
    assert evaluate(rules, facts(done("a", at=T0), done("b", at=T0 + timedelta(days=1)))).is_met


def test_a_course_completed_before_the_course_it_requires_breaks_the_order():
    rules = TrackRules(("a", "b"), 70, prerequisites={"b": ("a",)})
    result = evaluate(rules, facts(done("a", at=T0 + timedelta(days=1)), done("b", at=T0)))
    order = next(r for r in result.requirements if r.kind == "order")
    assert not result.is_met and order.missing == ("a",)


def test_the_fraction_is_the_mean_progress_of_the_requirements():
    result = evaluate(TrackRules(("a", "b"), 70), facts(done("a"), started("b", fraction=0.5)))
    # a: course 1, quizzes 1; b: course 0.5, quizzes 0 of 1
    assert result.fraction == (1 + 1 + 0.5 + 0) / 4


def test_a_track_with_nothing_started_is_at_zero():
    assert evaluate(TrackRules(("a",), 70), {}).fraction == 0.0
