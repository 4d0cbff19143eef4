"""Public verification: no sign-in, the state and the few facts an employer needs, nothing to enumerate."""

from __future__ import annotations

from datetime import timedelta

from tests.certificates.conftest import TRACK_TITLE_ZH


def _verify(client, serial: str):
    return client.get(f"/verify/{serial}")


def test_a_valid_certificate_says_valid_with_name_track_and_dates_without_sign_in(app, earned):
    learner, serial = earned(display_name="Li Na", email="li.na@example.org")
    visitor = app.test_client()  # a fresh client: nobody signed in
    response = _verify(visitor, serial)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Valid" in page and "Li Na" in page and "Labor Inspector Certification" in page and "Valid until" in page


def test_verification_shows_nothing_else_about_the_learner(app, earned):
    _learner, serial = earned(display_name="Li Na", email="li.na@example.org")
    page = _verify(app.test_client(), serial).get_data(as_text=True)
    assert "li.na@example.org" not in page and "Your labor contract" not in page and "100%" not in page


def test_the_track_title_is_shown_in_the_visitors_language_too(app, earned):
    _learner, serial = earned()
    visitor = app.test_client()
    page = visitor.get(f"/verify/{serial}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert TRACK_TITLE_ZH in page and "Labor Inspector Certification" in page


def test_an_unknown_serial_is_not_found(app):
    response = _verify(app.test_client(), "AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 404 and "No certificate has the serial number" in response.get_data(as_text=True)


def test_found_and_unknown_serials_take_at_least_the_same_minimum_time(app, earned):
    import time

    _learner, serial = earned()
    app.config["LMS_VERIFY_MIN_SECONDS"] = 0.3
    visitor = app.test_client()
    for candidate in (serial, "AAAA-BBBB-CCCC-DDDD"):
        started = time.monotonic()
        _verify(visitor, candidate)
        assert time.monotonic() - started >= 0.3


def test_a_revoked_certificate_says_revoked_with_date_and_reason(app, client, earned, make_user, login_as):
    _learner, serial = earned()
    login_as(make_user(roles=("admin",)))
    client.post(f"/admin/certificates/{serial}/revoke", data={"reason": "Exam taken by someone else"})
    page = _verify(app.test_client(), serial).get_data(as_text=True)
    assert "Revoked" in page and "Exam taken by someone else" in page and "Revoked on" in page


def test_an_expired_certificate_says_expired(app, make_user, issue_at):
    from lms.db import utcnow

    serial = issue_at(make_user(), utcnow() - timedelta(days=800))
    page = _verify(app.test_client(), serial).get_data(as_text=True)
    assert "Expired" in page and "has expired" in page


def test_the_form_accepts_a_serial_typed_loosely_and_opens_its_page(app, earned):
    _learner, serial = earned()
    typed = serial.lower().replace("-", " ")
    response = app.test_client().get("/verify", query_string={"serial": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{serial}")


def test_the_form_refuses_what_cannot_be_a_serial(app):
    response = app.test_client().get("/verify", query_string={"serial": "12345"})
    assert response.status_code == 400 and "A serial number has 16 letters" in response.get_data(as_text=True)


def test_the_empty_form_is_shown_to_anyone(app):
    response = app.test_client().get("/verify")
    assert response.status_code == 200 and 'name="serial"' in response.get_data(as_text=True)


def test_too_many_lookups_from_one_address_are_refused_for_a_while(app):
    app.config.update(LMS_VERIFY_MAX_LOOKUPS=3, LMS_VERIFY_MIN_SECONDS=0)
    visitor = app.test_client()
    statuses = [_verify(visitor, "AAAA-BBBB-CCCC-DDD" + letter).status_code for letter in "DEFG"]
    assert statuses == [404, 404, 404, 429]


def test_another_address_is_not_limited_by_the_first(app):
    app.config.update(LMS_VERIFY_MAX_LOOKUPS=1, LMS_VERIFY_MIN_SECONDS=0)
    first = app.test_client()
    second = app.test_client()
    assert _verify(first, "AAAA-BBBB-CCCC-DDDD").status_code == 404
    assert _verify(first, "AAAA-BBBB-CCCC-DDDD").status_code == 429
    response = second.get("/verify/AAAA-BBBB-CCCC-DDDD", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 404


def test_the_limit_lifts_when_the_window_has_passed(app):
    from lms.certificates.services import TooManyLookups, lookup_for_verification
    from lms.db import session, utcnow

    app.config.update(LMS_VERIFY_MAX_LOOKUPS=1, LMS_VERIFY_WINDOW_SECONDS=60)
    now = utcnow()
    with app.app_context():
        lookup_for_verification("AAAA-BBBB-CCCC-DDDD", "192.0.2.1", now)
        try:
            lookup_for_verification("AAAA-BBBB-CCCC-DDDD", "192.0.2.1", now + timedelta(seconds=59))
        except TooManyLookups:
            pass
        else:
            raise AssertionError("the second look-up inside the window was allowed")
        assert lookup_for_verification("AAAA-BBBB-CCCC-DDDD", "192.0.2.1", now + timedelta(seconds=61)) is None
        session.rollback()


def test_serials_are_four_groups_of_base32_and_not_sequential(app, make_user):
    import re

    from lms.certificates.services import new_serial

    with app.app_context():
        serials = [new_serial() for _ in range(50)]
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", serial) for serial in serials)
    assert len(set(serials)) == 50 and serials != sorted(serials)
