"""The report an author sees of their own course: who is enrolled, on which version, how far, with what score.

Read from the progress projection (``learning.services.course_progress``), like every report: never from statements.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course
from lms.core.pagination import Page, paginate
from lms.db import session
from lms.learning.models import Enrollment
from lms.learning.services import course_progress


@dataclass
class LearnerLine:
    name: str
    email: str
    version: int
    fraction: float
    is_completed: bool
    best_quiz_score: float | None  # scaled 0-1, the best over the course's quizzes' best scores


@dataclass
class CourseReport:
    page: Page
    lines: list[LearnerLine]
    enrolled: int
    completed: int
    average_quiz_score: float | None

    @property
    def completion_rate(self) -> float:
        return self.completed / self.enrolled if self.enrolled else 0.0


def _enrollments(course: Course):
    return (select(Enrollment).filter_by(course_id=course.id, is_current=True)
            .options(selectinload(Enrollment.user), selectinload(Enrollment.version))
            .order_by(Enrollment.enrolled_at.desc(), Enrollment.id.desc()))


def _line(enrollment: Enrollment) -> LearnerLine:
    progress = course_progress(enrollment.user, enrollment)
    scores = [row.best_score for module in progress.modules for item, row, _ in module.items
              if item.kind == "quiz" and row is not None and row.best_score is not None]
    return LearnerLine(name=enrollment.user.display_name, email=enrollment.user.email,
                       version=enrollment.version.number, fraction=progress.fraction,
                       is_completed=progress.is_completed, best_quiz_score=max(scores) if scores else None)


def course_report(course: Course, page: int = 1, per_page: int = 25) -> CourseReport:
    """One page of learners with the course-wide figures (completion rate, average of best quiz scores)."""
    from lms.catalog.outline import outline  # noqa: F401  (course_progress reads outlines)
    from lms.learning import activities
    from lms.tracking.models import ActivityProgress

    found = paginate(_enrollments(course), page, per_page)
    enrolled = session.execute(select(func.count(Enrollment.id)).filter_by(course_id=course.id, is_current=True)
                               ).scalar_one()
    course_iri = activities.course_iri(course.slug)
    registrations = select(Enrollment.registration).filter_by(course_id=course.id, is_current=True)
    completed = session.execute(select(func.count()).select_from(ActivityProgress).where(
        ActivityProgress.activity_id == course_iri, ActivityProgress.is_completed.is_(True),
        ActivityProgress.registration.in_(registrations))).scalar_one()
    average = session.execute(select(func.avg(ActivityProgress.best_score)).where(
        ActivityProgress.activity_id.like(course_iri + "/quiz/%"), ActivityProgress.best_score.is_not(None),
        ActivityProgress.registration.in_(registrations))).scalar_one()
    return CourseReport(page=found, lines=[_line(e) for e in found.items], enrolled=enrolled, completed=completed,
                        average_quiz_score=float(average) if average is not None else None)


def course_report_csv(course: Course, headers: list[str]) -> str:
    """Every learner's line as CSV, with the page's column headers (cells that start like a formula are quoted)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for enrollment in session.execute(_enrollments(course)).scalars():
        line = _line(enrollment)
        writer.writerow([_safe(line.name), line.email, line.version, round(100 * line.fraction),
                         "yes" if line.is_completed else "no",
                         "" if line.best_quiz_score is None else round(100 * line.best_quiz_score)])
    return out.getvalue()


def _safe(value: str) -> str:
    # A spreadsheet would run a cell that starts with = + - @ as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
