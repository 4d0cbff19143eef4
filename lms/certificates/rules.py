"""A track's rules, evaluated by one pure function (STYLE rule 8) against plain facts about a learner's courses.

Nothing here reads the database or the request: ``services`` gathers ``CourseFacts`` from the progress projection
and passes them in, with the track's rules as ``TrackRules``. The same function decides issuing, draws the track
page and serves ``reconcile``, so what a learner sees is what the issuer checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CourseFacts:
    """What the projection says about one course in the learner's current enrolment.

    ``quiz_scores`` maps each quiz of the learner's version to its best scaled score (0 to 1), None while unscored;
    ``fraction`` is the share of the course's items done, for the progress bar.
    """

    slug: str
    is_enrolled: bool = False
    is_completed: bool = False
    completed_at: datetime | None = None
    quiz_scores: Mapping[str, float | None] = field(default_factory=dict)
    study_seconds: float = 0.0
    fraction: float = 0.0


@dataclass(frozen=True)
class TrackRules:
    """A track's requirements.

    ``pass_mark`` is a percentage every quiz of a counted course must reach; ``prerequisites`` maps a course to the
    courses that must be completed before it (its unlock order); ``min_study_minutes`` is the least total time
    recorded in the track's courses, or None for no minimum.
    """

    required: tuple[str, ...]
    pass_mark: int
    electives: tuple[str, ...] = ()
    electives_required: int = 0
    min_study_minutes: int | None = None
    prerequisites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# Requirement kinds, in the order a track page lists them for a course.
COURSE, QUIZZES, ORDER, ELECTIVES, STUDY_TIME = "course", "quizzes", "order", "electives", "study_time"


@dataclass(frozen=True)
class Requirement:
    """One line of a track's requirements: what, about which course (None: the whole track), met or not.

    ``done`` and ``needed`` count in the requirement's own unit (items are fractions for a course, quizzes
    passed, electives counted, minutes studied); ``missing`` names what is still lacking (quiz or course slugs).
    """

    kind: str
    course: str | None
    is_met: bool
    done: float
    needed: float
    missing: tuple[str, ...] = ()

    @property
    def progress(self) -> float:
        if self.is_met:
            return 1.0
        return max(0.0, min(1.0, self.done / self.needed)) if self.needed else 0.0


@dataclass(frozen=True)
class CourseStatus:
    """A course of the track as the rules see it: whether it is open to start and whether it counts."""

    slug: str
    is_required: bool
    is_unlocked: bool
    is_completed: bool
    has_passed_quizzes: bool
    counts: bool


@dataclass(frozen=True)
class Evaluation:
    requirements: tuple[Requirement, ...]
    courses: tuple[CourseStatus, ...]

    @property
    def is_met(self) -> bool:
        return all(requirement.is_met for requirement in self.requirements)

    @property
    def fraction(self) -> float:
        """How far along the track is, as the mean of its requirements' progress."""
        if not self.requirements:
            return 1.0
        return sum(requirement.progress for requirement in self.requirements) / len(self.requirements)

    @property
    def counted_courses(self) -> tuple[str, ...]:
        """The courses the certificate is earned with: every required course and the electives that count."""
        return tuple(status.slug for status in self.courses if status.counts)

    def for_course(self, slug: str) -> list[Requirement]:
        return [requirement for requirement in self.requirements if requirement.course == slug]


def _passes(score: float | None, pass_mark: int) -> bool:
    # Rounded: 0.57 * 100 is 56.99999999999999 in binary floating point.
    return score is not None and round(score * 100, 6) >= pass_mark


def evaluate(rules: TrackRules, facts: Mapping[str, CourseFacts]) -> Evaluation:
    """Evaluate ``rules`` against ``facts`` (by course slug; a course without facts is one not yet started).

    A course counts when it is completed, each of its quizzes reached the pass mark, and every course it requires
    was completed no later than it (the unlock order). The track is met when every required course counts, enough
    electives count, and the study time reaches the minimum.
    """
    requirements: list[Requirement] = []
    statuses: list[CourseStatus] = []

    def course_requirements(slug: str, is_required: bool) -> CourseStatus:
        fact = facts.get(slug) or CourseFacts(slug)
        found: list[Requirement] = []
        found.append(Requirement(COURSE, slug, fact.is_completed, 1.0 if fact.is_completed else fact.fraction, 1.0))
        passed = [quiz for quiz, score in fact.quiz_scores.items() if _passes(score, rules.pass_mark)]
        failed = tuple(sorted(quiz for quiz in fact.quiz_scores if quiz not in passed))
        if fact.quiz_scores:
            found.append(Requirement(QUIZZES, slug, not failed, len(passed), len(fact.quiz_scores), failed))
        before = rules.prerequisites.get(slug, ())
        in_order = True
        if before:
            missing = []
            for prerequisite in before:
                earlier = facts.get(prerequisite) or CourseFacts(prerequisite)
                if not earlier.is_completed:
                    missing.append(prerequisite)
                elif fact.is_completed and (earlier.completed_at is None or fact.completed_at is None
                                            or earlier.completed_at > fact.completed_at):
                    missing.append(prerequisite)  # completed, but after this course: the order was not kept
            in_order = not missing
            found.append(Requirement(ORDER, slug, in_order, len(before) - len(missing), len(before), tuple(missing)))
        unlocked = all((facts.get(p) or CourseFacts(p)).is_completed for p in before)
        counts = fact.is_completed and not failed and in_order
        if is_required:
            requirements.extend(found)
        return CourseStatus(slug, is_required, unlocked, fact.is_completed, not failed, counts)

    for slug in rules.required:
        statuses.append(course_requirements(slug, is_required=True))
    electives = [course_requirements(slug, is_required=False) for slug in rules.electives
                 if slug not in rules.required]
    statuses.extend(electives)
    if rules.electives_required:
        counted = [status.slug for status in electives if status.counts]
        requirements.append(Requirement(
            ELECTIVES, None, len(counted) >= rules.electives_required, len(counted), rules.electives_required,
            tuple(status.slug for status in electives if not status.counts)))
    if rules.min_study_minutes:
        courses = list(rules.required) + [slug for slug in rules.electives if slug not in rules.required]
        minutes = sum((facts.get(slug) or CourseFacts(slug)).study_seconds for slug in courses) / 60
        requirements.append(Requirement(STUDY_TIME, None, minutes >= rules.min_study_minutes, round(minutes, 1),
                                        rules.min_study_minutes))
    return Evaluation(tuple(requirements), tuple(statuses))
