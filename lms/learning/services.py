"""Learning: enrolment, lessons, quizzes, and the completion of modules and courses derived from progress.

Every event goes through ``tracking.record()``; nothing here sets progress directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.catalog.outline import ItemOutline, ModuleOutline, VersionOutline, outline
from lms.catalog.services import latest_version
from lms.db import session
from lms.learning import activities
from lms.learning.models import Enrollment
from lms.tracking import statements as build
from lms.tracking.models import ActivityProgress, Statement
from lms.tracking.vocabulary import Verb
from lms.signals import ProgressChange
from lms.tracking.services import progress_for, record, user_actor_key


class LearningError(Exception):
    """A learning action that is not allowed now (not enrolled, no attempts left, an incomplete answer)."""


class NoAttemptsLeft(LearningError):
    pass


def actor(user: User) -> dict:
    return build.agent(activities.base_url(), user.public_id, user.display_name)


def learner_key(user: User) -> str:
    return user_actor_key(user.public_id)


def enrollment_for(user: User, course: Course) -> Enrollment | None:
    """The learner's current enrolment in a course (earlier ones stay for history after a recertification)."""
    return session.execute(select(Enrollment).filter_by(user_id=user.id, course_id=course.id, is_current=True)
                           ).scalar_one_or_none()


def enrollments(user: User) -> list[Enrollment]:
    return list(session.execute(
        select(Enrollment).filter_by(user_id=user.id, is_current=True)
        .order_by(Enrollment.enrolled_at.desc(), Enrollment.id.desc())
    ).scalars())


def enroll(user: User, course: Course) -> Enrollment:
    """Enroll a learner on the course's newest version and record ``registered``. Idempotent: returns the existing one.

    Raises LearningError when the course has no published version.
    """
    existing = enrollment_for(user, course)
    if existing is not None:
        return existing
    version = latest_version(course.id)
    if version is None:
        raise LearningError("this course has no published version")
    enrollment = Enrollment(user_id=user.id, course_id=course.id, version_id=version.id)
    session.add(enrollment)
    session.flush()
    record([build.registered(actor(user), _context(enrollment))])
    return enrollment


def enroll_many(pairs: list[tuple[User, Course]], batch: int = 500) -> list[Enrollment]:
    """Enroll many learners at once (a cohort, an import): the same as ``enroll`` for each pair not enrolled yet,
    with the enrolments inserted and their ``registered`` statements recorded a batch at a time.

    Returns the new enrolments. Raises LearningError when a course has no published version (nothing enrolled).
    """
    versions: dict[int, int] = {}
    for course in {course.id: course for _, course in pairs}.values():
        version = latest_version(course.id)
        if version is None:
            raise LearningError(f"the course {course.slug} has no published version")
        versions[course.id] = version.id
    existing = set(session.execute(select(Enrollment.user_id, Enrollment.course_id).where(
        Enrollment.is_current.is_(True), Enrollment.user_id.in_({user.id for user, _ in pairs}),
        Enrollment.course_id.in_(versions))).all())
    made: list[Enrollment] = []
    seen: set[tuple[int, int]] = set()
    for user, course in pairs:
        if (user.id, course.id) in existing or (user.id, course.id) in seen:
            continue
        seen.add((user.id, course.id))
        made.append(Enrollment(user_id=user.id, course_id=course.id, version_id=versions[course.id]))
    users = {user.id: user for user, _ in pairs}
    for start in range(0, len(made), batch):
        chunk = made[start:start + batch]
        session.add_all(chunk)
        session.flush()
        record([build.registered(actor(users[enrollment.user_id]), _context(enrollment)) for enrollment in chunk])
    return made


def _context(enrollment: Enrollment, parent=None) -> build.LearningContext:
    version = outline(enrollment.version_id)
    return build.LearningContext(
        base_url=activities.base_url(), registration=enrollment.registration,
        course=activities.course_activity(version), course_version=version.number, parent=parent,
    )


def _module_parent(enrollment: Enrollment, item: ItemOutline) -> build.Activity:
    version = outline(enrollment.version_id)
    return activities.module_activity(version.course.slug, version.module_of(item))


def lesson_viewed(user: User, enrollment: Enrollment, lesson: ItemOutline) -> bool:
    """Record that the learner read a lesson, the first time only. Returns whether a statement was recorded."""
    slug = outline(enrollment.version_id).course.slug
    iri = activities.item_iri(slug, lesson)
    row = session.execute(select(ActivityProgress.is_completed).filter_by(
        actor_key=learner_key(user), registration=enrollment.registration, activity_id=iri)).scalar_one_or_none()
    if row:
        return False
    parent = _module_parent(enrollment, lesson)
    record([build.lesson_experienced(actor(user), activities.item_activity(slug, lesson),
                                     _context(enrollment, parent))])
    return True


# --- quizzes ----------------------------------------------------------------------------------------------

@dataclass
class QuestionOutcome:
    question: dict
    chosen: list[str]
    is_correct: bool


@dataclass
class QuizOutcome:
    questions: list[QuestionOutcome]
    raw: int
    maximum: int
    is_passed: bool
    attempts_used: int
    attempts_left: int | None  # None: unlimited

    @property
    def percent(self) -> int:
        return round(100 * self.raw / self.maximum) if self.maximum else 0


def quiz_status(user: User, enrollment: Enrollment, quiz: ItemOutline) -> ActivityProgress | None:
    return session.execute(select(ActivityProgress).filter_by(
        actor_key=learner_key(user), registration=enrollment.registration,
        activity_id=activities.item_iri(outline(enrollment.version_id).course.slug, quiz))).scalar_one_or_none()


def attempts_left(user: User, enrollment: Enrollment, quiz: ItemOutline) -> int | None:
    """Attempts the learner still has at this quiz (None: no limit)."""
    limit = quiz.quiz["max_attempts"]
    if not limit:
        return None
    status = quiz_status(user, enrollment, quiz)
    return max(0, limit - (status.attempts if status else 0))


def presented_questions(enrollment: Enrollment, quiz: ItemOutline, attempts_used: int) -> list[dict]:
    """The quiz's questions as this attempt shows them: shuffled questions and options unless the quiz says not.

    The order is fixed for an attempt (seeded by registration, quiz and attempt number), so a page shown again with
    an error keeps it.
    """
    questions = [dict(question) for question in quiz.quiz["questions"]]
    if not quiz.quiz.get("shuffle", True):
        return questions
    shuffler = random.Random(f"{enrollment.registration}:{quiz.slug}:{attempts_used}")
    shuffler.shuffle(questions)
    for question in questions:
        if "options" in question:
            question["options"] = shuffler.sample(question["options"], len(question["options"]))
    return questions


def grade_quiz(user: User, enrollment: Enrollment, quiz: ItemOutline, answers: dict[str, list[str]]) -> QuizOutcome:
    """Grade one attempt on the server and record it: attempted, one ``answered`` per question, passed or failed.

    ``answers`` maps a question id to the chosen option ids (``["true"]``/``["false"]`` for true/false).
    Raises NoAttemptsLeft, or LearningError naming an unanswered question.
    """
    remaining = attempts_left(user, enrollment, quiz)
    if remaining == 0:
        raise NoAttemptsLeft("no attempts left at this quiz")
    questions = quiz.quiz["questions"]
    for question in questions:
        if not answers.get(question["id"]):
            raise LearningError(question["id"])
    slug = outline(enrollment.version_id).course.slug
    who = actor(user)
    quiz_activity = activities.item_activity(slug, quiz)
    in_module = _context(enrollment, _module_parent(enrollment, quiz))
    in_quiz = _context(enrollment, quiz_activity)
    outcomes, to_record = [], [build.quiz_attempted(who, quiz_activity, in_module)]
    for question in questions:
        chosen = sorted(set(answers[question["id"]]))
        is_correct = chosen == _correct_choices(question)
        outcomes.append(QuestionOutcome(question, chosen, is_correct))
        to_record.append(build.question_answered(
            who, activities.question_activity(slug, quiz.slug, question), "[,]".join(chosen), is_correct, in_quiz))
    raw = sum(outcome.is_correct for outcome in outcomes)
    graded = build.quiz_graded(who, quiz_activity, raw, len(questions), quiz.quiz["pass_mark"], in_module)
    to_record.append(graded)
    record(to_record)
    status = quiz_status(user, enrollment, quiz)
    limit = quiz.quiz["max_attempts"]
    return QuizOutcome(
        questions=outcomes, raw=raw, maximum=len(questions), is_passed=graded["result"]["success"],
        attempts_used=status.attempts, attempts_left=max(0, limit - status.attempts) if limit else None,
    )


def _correct_choices(question: dict) -> list[str]:
    if question["type"] == "true_false":
        return [str(question["answer"]).lower()]
    return sorted(option["id"] for option in question["options"] if option["correct"])


# --- progress, derived ------------------------------------------------------------------------------------

def move_on_met(move_on: str, is_completed: bool, is_passed: bool) -> bool:
    """Whether a cmi5 AU's moveOn criterion (cmi5 13.1.4) is met by what the learner did in a registration.

    ``is_completed`` and ``is_passed`` must come from cmi5 defined ``completed`` and ``passed`` statements: the
    projection's completion cannot tell them apart (a ``passed`` statement also completes there).
    """
    return {"NotApplicable": True, "Passed": is_passed, "Completed": is_completed,
            "CompletedAndPassed": is_completed and is_passed,
            "CompletedOrPassed": is_completed or is_passed}.get(move_on, False)


def is_item_done(item: ItemOutline, progress: ActivityProgress | None, is_satisfied: bool = False) -> bool:
    """A lesson is done once read; a quiz once passed; a cmi5 AU once the LMS recorded it ``satisfied`` (or its
    moveOn is NotApplicable); a Tin Can activity once its own statements completed or passed it; a SCORM SCO once
    completed and not failed (a failed test is never done); a SCORM asset once opened."""
    if item.kind == "au":
        return is_satisfied or (item.launch or {}).get("move_on") == "NotApplicable"
    if progress is None:
        return False
    if item.kind == "tincan":
        return progress.is_completed or progress.success is True
    if item.kind == "sco":
        return progress.is_completed and progress.success is not False
    return progress.success is True if item.kind == "quiz" else progress.is_completed


def _progress_iri(course_slug: str, item: ItemOutline) -> str:
    """The activity whose progress row tells whether an item is done: a Tin Can activity reports under the id its
    package gives it, everything else under the LMS's IRI for the item."""
    if item.kind == "tincan" and item.launch:
        return item.launch["activity_id"]
    return activities.item_iri(course_slug, item)


def _satisfied_activities(actor: str, registration: str) -> set[str]:
    """The activities the LMS recorded ``satisfied`` for in a registration (cmi5 AUs, blocks, courses)."""
    return set(session.execute(select(Statement.object_activity_id).where(
        Statement.registration == registration, Statement.actor_key == actor,
        Statement.verb_id == Verb.SATISFIED, Statement.is_voided.is_(False))).scalars())


@dataclass
class ModuleProgress:
    module: ModuleOutline
    items: list[tuple[ItemOutline, ActivityProgress | None, bool]]
    is_completed: bool

    @property
    def fraction(self) -> float:
        return sum(done for _, _, done in self.items) / len(self.items) if self.items else 1.0


@dataclass
class CourseProgress:
    enrollment: Enrollment
    version: VersionOutline
    modules: list[ModuleProgress]
    is_completed: bool

    @property
    def fraction(self) -> float:
        items = [done for module in self.modules for _, _, done in module.items]
        return sum(items) / len(items) if items else 1.0

    @property
    def done_ids(self) -> set[int]:
        return {item.id for module in self.modules for item, _, done in module.items if done}

    @property
    def next_item(self) -> ItemOutline | None:
        """Where to resume: the first item not done yet."""
        for module in self.modules:
            for item, _, done in module.items:
                if not done:
                    return item
        return None


def course_progress(user: User, enrollment: Enrollment) -> CourseProgress:
    """The learner's progress through their version of a course, read from the projection."""
    version = outline(enrollment.version_id)
    rows = progress_for(learner_key(user), enrollment.registration)
    slug = version.course.slug
    # One more query only for courses with cmi5 AUs, whose "done" is the LMS's satisfied statement.
    satisfied = (_satisfied_activities(learner_key(user), enrollment.registration)
                 if any(item.kind == "au" for item in version.items) else set())
    modules = []
    for module in version.modules:
        items = []
        for item in module.items:
            iri = _progress_iri(slug, item)
            progress = rows.get(iri)
            items.append((item, progress, is_item_done(item, progress, iri in satisfied)))
        module_row = rows.get(activities.module_iri(slug, module.slug))
        modules.append(ModuleProgress(module, items, bool(module_row and module_row.is_completed)))
    course_row = rows.get(activities.course_iri(slug))
    return CourseProgress(enrollment, version, modules, bool(course_row and course_row.is_completed))


def enrollments_for_changes(changes: list[ProgressChange]) -> list[tuple[Enrollment, ProgressChange]]:
    """The LMS enrolments whose learner's progress moved, each with its change (one query for the whole batch).

    Every ``progress_changed`` receiver asks with the list that signal carried: the answer is kept for that very
    list (held in ``g``, so no other list can take its identity), and the query runs once per signal.
    """
    remembered = g.get("lms_enrollments_for_changes")
    if remembered is not None and remembered[0] is changes:
        return remembered[1]
    by_registration = {change.registration: change for change in changes if change.registration}
    found = []
    if by_registration:
        enrollments = session.execute(
            select(Enrollment).where(Enrollment.registration.in_(list(by_registration)))
            .options(selectinload(Enrollment.user))
        ).scalars()
        found = [(enrollment, by_registration[enrollment.registration]) for enrollment in enrollments
                 if learner_key(enrollment.user) == by_registration[enrollment.registration].actor_key]
    g.lms_enrollments_for_changes = (changes, found)
    return found


def derive_completions(sender, changes: list[ProgressChange]) -> None:
    """``progress_changed`` receiver: record ``completed`` for modules and courses whose items are all done."""
    if "lms" not in getattr(sender, "extensions", {}):
        return
    for enrollment, _ in enrollments_for_changes(changes):
        _complete_what_is_done(enrollment)


def _complete_what_is_done(enrollment: Enrollment) -> None:
    progress = course_progress(enrollment.user, enrollment)
    who = actor(enrollment.user)
    slug = progress.version.course.slug
    newly_done = [module for module in progress.modules
                  if not module.is_completed and all(done for _, _, done in module.items)]
    if newly_done:
        record([build.module_completed(who, activities.module_activity(slug, module.module),
                                       _context(enrollment, activities.course_activity(progress.version)))
                for module in newly_done])
        return  # recording sent progress_changed again, and that pass sees the modules completed
    if not progress.is_completed and all(module.is_completed for module in progress.modules):
        record([build.course_completed(who, _context(enrollment))])


def connect_signals() -> None:
    """Listen for progress changes (connecting twice is harmless: blinker keeps one receiver)."""
    from lms.signals import progress_changed

    progress_changed.connect(derive_completions, weak=False)
