"""Fixtures for the certificate tests: a curriculum with tracks of our own, and a learner who completes courses."""

from __future__ import annotations

import math
import shutil
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import COURSES, DEMO_COURSE

TRACK = "inspector"
TRACK_TITLE_ZH = "劳动保障监察员资格认证"
ELECTIVE_COURSE = "contract-elective"

TRACKS_YAML = f"""tracks:
  - slug: {TRACK}
    title: {{en: Labor Inspector Certification, zh-Hans: {TRACK_TITLE_ZH}}}
    summary: {{en: For labor inspectors., zh-Hans: 面向劳动保障监察员。}}
    audience: [labor_inspector]
    courses: [{DEMO_COURSE}]
    pass_mark: 80
    validity_months: 24
  - slug: with-elective
    title: {{en: Contracts with an elective}}
    audience: [worker]
    courses: [{DEMO_COURSE}]
    electives:
      choose: 1
      courses: [{ELECTIVE_COURSE}]
    pass_mark: 70
"""


@pytest.fixture
def cert_curriculum(tmp_path):
    """A curriculum folder: the demo course, a copy of it as an elective, and the tracks above."""
    root = tmp_path / "cert-courses"
    shutil.copytree(COURSES / DEMO_COURSE, root / DEMO_COURSE)
    shutil.copytree(COURSES / DEMO_COURSE, root / ELECTIVE_COURSE)
    (root / "tracks.yaml").write_text(TRACKS_YAML, encoding="utf-8")
    return root


@pytest.fixture
def tracks_synced(runner, cert_curriculum):
    result = runner.invoke(args=["lms", "courses", "sync", str(cert_curriculum)])
    assert result.exit_code == 0, result.output
    return cert_curriculum


def _quiz(app, course_slug: str):
    from lms.catalog.models import Course, CourseItem, CourseVersion
    from lms.db import session

    return session.execute(
        select(CourseItem).join(CourseVersion, CourseVersion.id == CourseItem.version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(Course.slug == course_slug, CourseItem.kind == "quiz").order_by(CourseVersion.number.desc())
    ).scalars().first()


def _lessons(app, course_slug: str) -> list[str]:
    from lms.catalog.models import Course, CourseItem, CourseVersion
    from lms.db import session

    version = session.execute(select(CourseVersion).join(Course).where(Course.slug == course_slug)
                              .order_by(CourseVersion.number.desc())).scalars().first()
    return [item.slug for item in session.execute(
        select(CourseItem).filter_by(version_id=version.id, kind="lesson")).scalars()]


def answers(app, course_slug: str, right: int | None = None) -> dict:
    """Form data for the course's quiz with the first ``right`` questions answered correctly (all by default)."""
    with app.app_context():
        quiz = _quiz(app, course_slug)
        data = {}
        for index, question in enumerate(quiz.quiz["questions"]):
            if question["type"] == "true_false":
                correct = [str(question["answer"]).lower()]
                wrong = ["false"] if correct == ["true"] else ["true"]
            else:
                correct = [option["id"] for option in question["options"] if option["correct"]]
                wrong = [next(o["id"] for o in question["options"] if not o["correct"])]
            data[f"q-{question['id']}"] = correct if right is None or index < right else wrong
        return data


def question_count(app, course_slug: str = DEMO_COURSE) -> int:
    with app.app_context():
        return len(_quiz(app, course_slug).quiz["questions"])


def right_for_percent(app, percent_below: int, course_slug: str = DEMO_COURSE) -> int:
    """The most right answers that still score below ``percent_below`` percent (and pass the quiz's own mark)."""
    count = question_count(app, course_slug)
    return math.ceil(percent_below * count / 100) - 1


@pytest.fixture
def complete_course(app, client):
    """complete_course(slug, right=None): enrol, read every lesson, take the quiz (``right`` answers correct)."""

    def complete(course_slug: str = DEMO_COURSE, right: int | None = None, enroll: bool = True):
        if enroll:
            client.post(f"/courses/{course_slug}/enroll")
        with app.app_context():
            lessons = _lessons(app, course_slug)
            quiz_slug = _quiz(app, course_slug).slug
        for lesson in lessons:
            assert client.get(f"/courses/{course_slug}/lesson/{lesson}").status_code == 200
        response = client.post(f"/courses/{course_slug}/quiz/{quiz_slug}", data=answers(app, course_slug, right))
        assert response.status_code == 200

    return complete


@pytest.fixture
def certificates_of(app):
    """certificates_of(user_id) -> [(serial, track_slug, state, learner_name)] of a learner, oldest first."""

    def read(user_id: int, now: datetime | None = None):
        from lms.certificates.models import Certificate
        from lms.db import session

        now = now or datetime.now(timezone.utc)
        with app.app_context():
            rows = session.execute(select(Certificate).filter_by(user_id=user_id).order_by(Certificate.id)).scalars()
            return [(row.serial, row.track_slug, row.state(now), row.learner_name) for row in rows]

    return read


@pytest.fixture
def mail_outbox(app):
    """The messages sent so far (Flask-Mailman's in-memory backend, which tests use)."""

    def outbox():
        return list(getattr(app.extensions["mailman"], "outbox", []))

    return outbox


@pytest.fixture
def earned(app, client, make_user, login_as, tracks_synced, complete_course, certificates_of):
    """earned(**profile) -> (learner, serial): a signed-in learner who completed the inspector track."""

    def earn(**profile):
        learner = make_user(**profile)
        login_as(learner)
        complete_course()
        serial = next(serial for serial, track, _state, _name in certificates_of(learner.id) if track == TRACK)
        return learner, serial

    return earn


@pytest.fixture
def at_time(app):
    """at_time(fn, *args) runs a service function inside an app context and commits (for setting up states)."""

    def run(function, *args, **kwargs):
        from lms.db import session

        with app.app_context():
            result = function(*args, **kwargs)
            session.commit()
            return result

    return run


def certificate_by_serial(app, serial: str):
    from lms.certificates.services import find_by_serial

    return find_by_serial(serial)


@pytest.fixture
def issue_at(app, tracks_synced):
    """issue_at(user_handle, issued_at, track=TRACK) -> serial: a certificate as issuing makes it, at a chosen
    time, without taking the courses (the rules and the issuing path have their own tests)."""

    def issue(user_handle, issued_at: datetime, track_slug: str = TRACK) -> str:
        from lms.accounts.models import User
        from lms.certificates import services
        from lms.certificates.models import Certificate
        from lms.db import session

        with app.app_context():
            user, track = session.get(User, user_handle.id), services.track_by_slug(track_slug)
            certificate = Certificate(
                serial=services.new_serial(), user_id=user.id, track_id=track.id, learner_name=user.display_name,
                language=user.language, track_slug=track.slug, track_title=dict(track.title),
                issuer_name="Labor Rights LMS", courses=[], issued_at=issued_at,
                expires_at=services.add_months(issued_at, track.validity_months) if track.validity_months else None)
            session.add(certificate)
            session.commit()
            return certificate.serial

    return issue
