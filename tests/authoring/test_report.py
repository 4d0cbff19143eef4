"""An author sees the learners of their own course, and only of their own."""

from tests.conftest import DEMO_COURSE as DEMO


def test_an_admin_sees_who_is_enrolled_how_far_and_the_csv(client, make_user, login_as, synced):
    learner = make_user(display_name="Li Wei")
    login_as(learner)
    client.post(f"/courses/{DEMO}/enroll")
    client.get(f"/courses/{DEMO}/lesson/why-in-writing")
    client.post("/account/logout")
    login_as(make_user(roles=("admin",)))
    page = client.get(f"/authoring/courses/{DEMO}/report").get_data(as_text=True)
    assert "Li Wei" in page and learner.email in page and "Completion rate" in page
    csv = client.get(f"/authoring/courses/{DEMO}/report.csv")
    assert csv.mimetype == "text/csv" and "Li Wei" in csv.get_data(as_text=True)


def test_an_author_cannot_see_the_report_of_a_course_that_is_not_theirs(client, make_user, login_as, synced):
    login_as(make_user(roles=("author",)))
    assert client.get(f"/authoring/courses/{DEMO}/report").status_code == 403
    assert client.get(f"/authoring/courses/{DEMO}/report.csv").status_code == 403


def test_a_learner_gets_no_report(client, make_user, login_as, synced):
    login_as(make_user())
    assert client.get(f"/authoring/courses/{DEMO}/report").status_code == 403
