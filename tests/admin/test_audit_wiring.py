"""Admin actions outside the cohorts area land in the audit log too."""

from sqlalchemy import select

from lms.core.audit import AuditEntry


def _actions(db) -> list[tuple[str, str]]:
    return [(entry.action, entry.subject) for entry in db.session.execute(select(AuditEntry)).scalars()]


def test_a_role_change_is_audited_with_who_did_it(client, db, make_user, login_as):
    admin = make_user(roles=("admin",))
    learner = make_user(email="audited@example.org")
    login_as(admin)
    client.post(f"/admin/users/{learner.public_id}", data={"roles": ["learner", "author"], "submit": "Save roles"})
    entry = db.session.execute(select(AuditEntry).filter_by(action="user.roles")).scalar_one()
    assert entry.subject == "audited@example.org" and entry.actor_user_id == admin.id
    assert entry.details == {"roles": ["author", "learner"]}


def test_the_registration_setting_is_audited(client, db, make_user, login_as):
    login_as(make_user(roles=("admin",)))
    client.post("/admin/settings", data={"submit": "Save settings"})
    assert ("settings.update", "self_registration") in _actions(db)


def test_command_line_account_and_credential_changes_are_audited(runner, db):
    runner.invoke(args=["lms", "users", "create", "--email", "cli@example.org", "--password", "password-123"])
    key = runner.invoke(args=["lms", "xapi", "clients", "create", "vendor"]).output.split()[0]
    runner.invoke(args=["lms", "xapi", "clients", "revoke", key])
    actions = _actions(db)
    assert ("user.create", "cli@example.org") in actions
    assert ("lrs.credential.create", key) in actions and ("lrs.credential.revoke", key) in actions
