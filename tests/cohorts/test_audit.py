"""The audit log: every administrative action with who, when and what; paginated, filterable, exportable."""

import csv
import io

import pytest

from tests.cohorts.conftest import TRACK, preview_and_apply


def _record(app, actor_id, action, subject, details=None):
    from lms.core.audit import record_action
    from lms.db import session

    with app.app_context():
        record_action(actor_id, action, subject, details or {})
        session.commit()


def test_cohort_actions_are_recorded_with_who_and_what(client, admin, synced, make_user):
    learner = make_user("ann@example.org")
    client.post("/admin/cohorts/new", data={"name": "Inspectors"})
    client.post("/admin/cohorts/1/assign", data={"target": f"track:{TRACK}", "due": "2026-12-31"})
    client.post("/admin/cohorts/1/members/add", data={"emails": learner.email})
    page = client.get("/admin/cohorts/audit").get_data(as_text=True)
    for action in ("cohort.create", "cohort.assign", "cohort.members.add"):
        assert f"<code>{action}</code>" in page
    assert page.count("admin@example.org") >= 3 and "cohort:Inspectors" in page


def test_an_import_is_recorded_once_with_its_counts(app, client, admin):
    from lms.core.audit import AuditEntry
    from lms.db import session

    preview_and_apply(client, b"email,name\na@example.org,A\nb@example.org,B\n", cohort="Intake")
    with app.app_context():
        entry = session.query(AuditEntry).filter_by(action="import.apply").one()
        assert entry.details["new_accounts"] == 2 and entry.subject == "file:learners.csv"


def test_the_log_is_filtered_by_action(app, client, admin):
    _record(app, admin.id, "cohort.create", "cohort:A")
    _record(app, admin.id, "user.roles", "user:b@example.org")
    page = client.get("/admin/cohorts/audit?action=user.roles").get_data(as_text=True)
    assert "user:b@example.org" in page and "cohort:A" not in page


def test_the_log_is_filtered_by_who_and_by_subject(app, client, admin, make_user):
    other = make_user("other-admin@example.org", roles=("admin",))
    _record(app, admin.id, "cohort.create", "cohort:Mine")
    _record(app, other.id, "cohort.create", "cohort:Theirs")
    assert "cohort:Mine" not in client.get("/admin/cohorts/audit?actor=other-admin").get_data(as_text=True)
    assert "cohort:Theirs" not in client.get("/admin/cohorts/audit?subject=mine").get_data(as_text=True)


def test_the_log_is_filtered_by_dates(app, client, admin):
    _record(app, admin.id, "cohort.create", "cohort:Today")
    assert "cohort:Today" not in client.get("/admin/cohorts/audit?to=2000-01-01").get_data(as_text=True)
    assert "cohort:Today" in client.get("/admin/cohorts/audit?from=2000-01-01").get_data(as_text=True)


def test_a_bad_date_filter_is_shown_beside_the_field(client, admin):
    response = client.get("/admin/cohorts/audit?from=yesterday")
    assert response.status_code == 400 and 'id="from-error"' in response.get_data(as_text=True)


def test_the_log_is_paginated(app, client, admin):
    for number in range(51):
        _record(app, admin.id, "test.action", f"thing:{number}")
    first = client.get("/admin/cohorts/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first and "thing:50" in first and "thing:0<" not in first


def test_the_log_is_exported_as_csv_with_the_same_filter(app, client, admin):
    _record(app, admin.id, "cohort.create", "cohort:A", {"cohort_id": 1})
    _record(app, None, "user.roles", "user:b@example.org")
    response = client.get("/admin/cohorts/audit.csv?action=cohort.create")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When (UTC)", "Who", "Action", "Subject", "Details"]
    assert [row[1:4] for row in rows[1:]] == [["admin@example.org", "cohort.create", "cohort:A"]]


def test_the_log_is_for_administrators_only(client, make_user, login_as):
    login_as(make_user(roles=("learner",)))
    assert client.get("/admin/cohorts/audit").status_code == 403
    assert client.get("/admin/cohorts/audit.csv").status_code == 403


def test_an_action_without_a_name_is_refused(app):
    from lms.core.audit import record_action

    with app.app_context(), pytest.raises(ValueError):
        record_action(None, "", "nothing")


def test_an_entry_keeps_who_acted_after_the_account_is_deleted(app, make_user):
    from lms.accounts.models import User
    from lms.core.audit import AuditEntry
    from lms.db import session

    actor = make_user("gone@example.org", roles=("admin",))
    _record(app, actor.id, "cohort.create", "cohort:A")
    with app.app_context():
        session.delete(session.get(User, actor.id))
        session.commit()
        entry = session.query(AuditEntry).one()
        assert entry.actor_user_id is None and entry.actor_email == "gone@example.org"
