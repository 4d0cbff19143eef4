"""Enrolling many learners at once works like enrolling each: one enrolment and one 'registered' statement each."""

from sqlalchemy import func, select

from lms.catalog.services import course_by_slug
from lms.learning.models import Enrollment
from lms.learning.services import enroll, enroll_many
from lms.tracking.models import Statement
from lms.tracking.vocabulary import Verb
from tests.conftest import DEMO_COURSE


def test_enroll_many_enrolls_each_learner_once_with_a_registered_statement(app, db, make_user, synced):
    from lms.accounts.models import User

    ids = [make_user().id for _ in range(3)]
    users = [db.session.get(User, user_id) for user_id in ids]
    course = course_by_slug(DEMO_COURSE)
    enroll(users[0], course)  # already enrolled: left as it is
    made = enroll_many([(user, course) for user in users] + [(users[1], course)])
    db.session.commit()
    assert len(made) == 2
    assert db.session.execute(select(func.count(Enrollment.id))).scalar_one() == 3
    registered = db.session.execute(select(func.count(Statement.id)).filter_by(verb_id=Verb.REGISTERED)).scalar_one()
    assert registered == 3
