"""Fixtures for the cohort tests: a signed-in administrator, cohorts enrolled in the demo track, learners who have
made progress, and files to import (written as bytes, in the encodings offices really send)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_COURSE

TRACK = "workers-rights"


@pytest.fixture
def admin(make_user, login_as):
    """A signed-in administrator."""
    user = make_user("admin@example.org", roles=("admin", "learner"), display_name="Ada Admin")
    login_as(user)
    return user


@pytest.fixture
def in_app(app):
    """in_app(function) -> function's result, called inside an app context (for reading the database)."""

    def call(function):
        with app.app_context():
            return function()

    return call


@pytest.fixture
def make_cohort(app):
    """make_cohort(name, track=None, course=None, due=None, emails=()) -> the cohort's id, made through the services."""

    def make(name: str, track: str | None = None, course: str | None = None, due=None, emails=()) -> int:
        from lms.catalog.models import Course, Track
        from lms.cohorts import services
        from lms.db import session

        with app.app_context():
            cohort = services.create_cohort(name)
            if emails:
                services.add_members_by_email(cohort, list(emails))
            if track or course:
                services.assign(
                    cohort,
                    track=session.execute(select(Track).filter_by(slug=track)).scalar_one() if track else None,
                    course=session.execute(select(Course).filter_by(slug=course)).scalar_one() if course else None,
                    due_at=services.due_at_for(due) if due else None)
            session.commit()
            return cohort.id

    return make


@pytest.fixture
def db_state(app):
    """db_state() -> counts of what imports and cohort actions write, to compare before and after."""

    def read():
        from lms.accounts.models import User
        from lms.cohorts.models import Cohort, CohortMember, Invitation, LearnerOrganisation
        from lms.core.audit import AuditEntry
        from lms.db import session
        from lms.learning.models import Enrollment

        with app.app_context():
            count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
            return SimpleNamespace(users=count(User), cohorts=count(Cohort), members=count(CohortMember),
                                   enrolments=count(Enrollment), invitations=count(Invitation),
                                   organisations=count(LearnerOrganisation), audit=count(AuditEntry))

    return read


@pytest.fixture
def progress(app):
    """progress(email, lessons=n, quiz="pass"|"fail"|None): the learner reads the first n lessons of the demo course
    and takes its quiz, through the learning services (so through tracking.record())."""

    def make(email: str, lessons: int = 0, quiz: str | None = None) -> None:
        from lms.accounts.services import find_user
        from lms.catalog.outline import outline
        from lms.catalog.services import course_by_slug
        from lms.db import session
        from lms.learning import services as learning

        with app.app_context():
            user = find_user(email)
            enrollment = learning.enroll(user, course_by_slug(DEMO_COURSE))
            version = outline(enrollment.version_id)
            for item in [item for item in version.items if item.kind == "lesson"][:lessons]:
                learning.lesson_viewed(user, enrollment, item)
            if quiz:
                for item in [item for item in version.items if item.kind == "quiz"]:
                    answers = {}
                    for question in item.quiz["questions"]:
                        right = ([str(question["answer"]).lower()] if question["type"] == "true_false"
                                 else [o["id"] for o in question["options"] if o["correct"]])
                        wrong = (["false" if right == ["true"] else "true"] if question["type"] == "true_false"
                                 else [o["id"] for o in question["options"] if not o["correct"]][:1])
                        answers[question["id"]] = right if quiz == "pass" else wrong
                    learning.grade_quiz(user, enrollment, item, answers)
            session.commit()

    return make


def xlsx(rows: list[list]) -> bytes:
    """An .xlsx workbook whose first sheet holds these rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, data: bytes, filename: str = "learners.csv", cohort: str = ""):
    """Upload a file on the import page (the response is the redirect to its preview, or the form with errors)."""
    return client.post("/admin/cohorts/import", data={"file": (io.BytesIO(data), filename), "cohort": cohort},
                       content_type="multipart/form-data")


def preview_and_apply(client, data: bytes, filename: str = "learners.csv", cohort: str = ""):
    """Upload, open the preview, and press Apply with the preview form's hidden fields. Returns the apply response."""
    import re

    uploaded = upload(client, data, filename, cohort)
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    page = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    batch = re.search(r'name="batch" type="hidden" value="([^"]+)"', page)
    digest = re.search(r'name="digest" type="hidden" value="([^"]+)"', page)
    assert batch and digest, "no apply form on the preview"
    return client.post("/admin/cohorts/import/apply", data={"batch": batch.group(1), "digest": digest.group(1)})
