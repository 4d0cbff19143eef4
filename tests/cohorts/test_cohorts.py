"""Cohorts over HTTP: create, rename, archive; members one by one and in bulk; enrolment in tracks with due dates."""

from datetime import date

from sqlalchemy import select

from tests.cohorts.conftest import TRACK
from tests.conftest import DEMO_COURSE


def _enrolled(app, email: str) -> set[str]:
    from lms.accounts.services import find_user
    from lms.catalog.models import Course
    from lms.db import session
    from lms.learning.models import Enrollment

    with app.app_context():
        user = find_user(email)
        return set(session.execute(select(Course.slug).join(Enrollment, Enrollment.course_id == Course.id)
                                   .where(Enrollment.user_id == user.id)).scalars())


def _member_emails(app, cohort_id: int) -> set[str]:
    from lms.cohorts import services
    from lms.db import session

    with app.app_context():
        cohort = services.cohort_by_id(cohort_id)
        return {user.email for _member, user in session.execute(services.members_query(cohort)).all()}


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/cohorts/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_learner_is_refused_the_cohort_pages(client, make_user, login_as):
    login_as(make_user(roles=("learner",)))
    assert client.get("/admin/cohorts/").status_code == 403
    assert client.get("/admin/cohorts/import").status_code == 403
    assert client.get("/admin/cohorts/audit").status_code == 403


def test_author_is_refused_the_cohort_pages_for_now(client, make_user, login_as):
    login_as(make_user(roles=("author", "learner")))
    assert client.get("/admin/cohorts/").status_code == 403


def test_admin_creates_a_cohort_and_sees_it_listed(client, admin):
    response = client.post("/admin/cohorts/new", data={"name": "Inspectors 2026", "description": "Spring intake"})
    assert response.status_code == 302
    assert "Inspectors 2026" in client.get("/admin/cohorts/").get_data(as_text=True)


def test_a_name_differing_only_in_case_and_width_is_refused_beside_the_field(client, admin, make_cohort, db_state):
    make_cohort("Inspectors 2026")
    before = db_state()
    response = client.post("/admin/cohorts/new", data={"name": "ＩＮＳＰＥＣＴＯＲＳ　2026"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "already exists" in body and 'aria-invalid="true"' in body
    assert db_state().cohorts == before.cohorts


def test_renaming_a_cohort_changes_its_name(client, admin, make_cohort):
    cohort_id = make_cohort("Old name")
    response = client.post(f"/admin/cohorts/{cohort_id}/edit", data={"name": "New name", "description": ""})
    assert response.status_code == 302
    page = client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True)
    assert "New name" in page and "Old name" not in page


def test_an_archived_cohort_refuses_new_members(client, admin, make_user, make_cohort):
    learner = make_user("ann@example.org")
    cohort_id = make_cohort("Closed")
    client.post(f"/admin/cohorts/{cohort_id}/archive")
    response = client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": learner.email})
    assert response.status_code == 400 and "archived" in response.get_data(as_text=True)
    assert _member_emails(client.application, cohort_id) == set()


def test_a_restored_cohort_takes_members_again(client, admin, make_user, make_cohort):
    learner = make_user("ann@example.org")
    cohort_id = make_cohort("Reopened")
    client.post(f"/admin/cohorts/{cohort_id}/archive")
    client.post(f"/admin/cohorts/{cohort_id}/restore")
    assert client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": learner.email}).status_code == 302
    assert _member_emails(client.application, cohort_id) == {learner.email}


def test_archived_cohorts_are_hidden_from_the_list_until_asked_for(client, admin, make_cohort):
    cohort_id = make_cohort("Old intake")
    client.post(f"/admin/cohorts/{cohort_id}/archive", follow_redirects=True)  # the flash names it once
    assert "Old intake" not in client.get("/admin/cohorts/").get_data(as_text=True)
    assert "Old intake" in client.get("/admin/cohorts/?archived=1").get_data(as_text=True)


def test_adding_members_in_bulk_enrols_them_in_the_cohorts_track(app, client, admin, synced, make_user, make_cohort):
    emails = [make_user(f"learner{n}@example.org").email for n in range(3)]
    cohort_id = make_cohort("Workers", track=TRACK)
    response = client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": "\n".join(emails)})
    assert response.status_code == 302
    assert _member_emails(app, cohort_id) == set(emails)
    assert all(_enrolled(app, email) == {DEMO_COURSE} for email in emails)


def test_an_unknown_address_in_a_bulk_add_is_named_and_nothing_is_added(app, client, admin, make_user, make_cohort):
    known = make_user("known@example.org")
    cohort_id = make_cohort("Workers")
    response = client.post(f"/admin/cohorts/{cohort_id}/members/add",
                           data={"emails": f"{known.email}\nnobody@example.org"})
    assert response.status_code == 400 and "nobody@example.org" in response.get_data(as_text=True)
    assert _member_emails(app, cohort_id) == set()


def test_a_member_who_joins_after_the_assignment_is_enrolled_too(app, client, admin, synced, make_user, make_cohort):
    cohort_id = make_cohort("Workers", track=TRACK)
    late = make_user("late@example.org")
    client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": late.email})
    assert _enrolled(app, late.email) == {DEMO_COURSE}


def test_assigning_a_track_enrols_every_current_member(app, client, admin, synced, make_user, make_cohort):
    learner = make_user("ann@example.org")
    cohort_id = make_cohort("Workers", emails=[learner.email])
    response = client.post(f"/admin/cohorts/{cohort_id}/assign", data={"target": f"track:{TRACK}", "due": ""})
    assert response.status_code == 302
    assert _enrolled(app, learner.email) == {DEMO_COURSE}


def test_a_due_date_is_kept_as_the_end_of_that_day(app, client, admin, synced, make_cohort):
    from lms.cohorts.models import CohortAssignment
    from lms.db import session

    cohort_id = make_cohort("Workers")
    client.post(f"/admin/cohorts/{cohort_id}/assign", data={"target": f"course:{DEMO_COURSE}", "due": "2026-03-31"})
    with app.app_context():
        due_at = session.execute(select(CohortAssignment.due_at)).scalar_one()
    assert (due_at.year, due_at.month, due_at.day, due_at.hour, due_at.minute) == (2026, 3, 31, 23, 59)


def test_the_due_date_of_an_assignment_can_be_changed(app, client, admin, synced, make_cohort):
    from lms.cohorts.models import CohortAssignment
    from lms.db import session

    cohort_id = make_cohort("Workers", track=TRACK, due=date(2026, 3, 31))
    with app.app_context():
        assignment_id = session.execute(select(CohortAssignment.id)).scalar_one()
    response = client.post(f"/admin/cohorts/{cohort_id}/assignments/{assignment_id}/due",
                           data={f"a{assignment_id}-due": "2026-06-30"})
    assert response.status_code == 302
    with app.app_context():
        assert session.execute(select(CohortAssignment.due_at)).scalar_one().month == 6


def test_assigning_the_same_track_twice_is_refused(client, admin, synced, make_cohort):
    cohort_id = make_cohort("Workers", track=TRACK)
    response = client.post(f"/admin/cohorts/{cohort_id}/assign", data={"target": f"track:{TRACK}"})
    assert response.status_code == 400 and "already enrolled in" in response.get_data(as_text=True)


def test_assigning_without_choosing_a_target_shows_the_error_beside_the_field(client, admin, make_cohort):
    cohort_id = make_cohort("Workers")
    response = client.post(f"/admin/cohorts/{cohort_id}/assign", data={"target": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="target-errors"' in body


def test_removing_a_member_keeps_their_enrolment_and_progress(app, client, admin, synced, make_user, make_cohort,
                                                             progress):
    from lms.accounts.services import find_user
    from lms.db import session
    from lms.tracking.models import ActivityProgress
    from lms.tracking.services import user_actor_key

    learner = make_user("ann@example.org")
    cohort_id = make_cohort("Workers", track=TRACK, emails=[learner.email])
    progress(learner.email, lessons=2)
    with app.app_context():
        user_id = find_user(learner.email).id
    response = client.post(f"/admin/cohorts/{cohort_id}/members/remove", data={"member": str(user_id)})
    assert response.status_code == 302
    assert _member_emails(app, cohort_id) == set()
    assert _enrolled(app, learner.email) == {DEMO_COURSE}
    with app.app_context():
        rows = session.execute(select(ActivityProgress).filter_by(actor_key=user_actor_key(learner.public_id))).all()
    assert len(rows) >= 3  # the course (registered) and two lessons


def test_removing_by_an_address_that_is_not_a_member_changes_nothing(app, client, admin, make_user, make_cohort):
    member = make_user("member@example.org")
    outsider = make_user("outsider@example.org")
    cohort_id = make_cohort("Workers", emails=[member.email])
    response = client.post(f"/admin/cohorts/{cohort_id}/members/remove",
                           data={"emails": f"{member.email}\n{outsider.email}"})
    assert response.status_code == 400 and outsider.email in response.get_data(as_text=True)
    assert _member_emails(app, cohort_id) == {member.email}


def test_a_learner_can_belong_to_several_cohorts(app, client, admin, make_user, make_cohort):
    learner = make_user("ann@example.org")
    first, second = make_cohort("Region A"), make_cohort("Trainers")
    for cohort_id in (first, second):
        client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": learner.email})
    assert learner.email in _member_emails(app, first) and learner.email in _member_emails(app, second)


def test_a_removed_member_can_rejoin(app, client, admin, make_user, make_cohort):
    learner = make_user("ann@example.org")
    cohort_id = make_cohort("Workers", emails=[learner.email])
    client.post(f"/admin/cohorts/{cohort_id}/members/remove", data={"emails": learner.email})
    client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": learner.email})
    assert _member_emails(app, cohort_id) == {learner.email}


def test_the_members_list_is_paginated(client, admin, make_user, make_cohort):
    emails = [make_user(f"learner{n:02d}@example.org").email for n in range(51)]
    cohort_id = make_cohort("Big", emails=emails)
    first = client.get(f"/admin/cohorts/{cohort_id}/members").get_data(as_text=True)
    second = client.get(f"/admin/cohorts/{cohort_id}/members?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('name="member"') == 50 and second.count('name="member"') == 1


def test_ending_an_assignment_keeps_enrolments_but_new_members_are_not_enrolled(app, client, admin, synced,
                                                                                make_user, make_cohort):
    from lms.cohorts.models import CohortAssignment
    from lms.db import session

    early = make_user("early@example.org")
    cohort_id = make_cohort("Workers", track=TRACK, emails=[early.email])
    with app.app_context():
        assignment_id = session.execute(select(CohortAssignment.id)).scalar_one()
    client.post(f"/admin/cohorts/{cohort_id}/assignments/{assignment_id}/delete")
    late = make_user("late@example.org")
    client.post(f"/admin/cohorts/{cohort_id}/members/add", data={"emails": late.email})
    assert _enrolled(app, early.email) == {DEMO_COURSE} and _enrolled(app, late.email) == set()
