"""``flask lms users create`` and ``flask lms demo-users``."""

from lms.cli import DEMO_ACCOUNTS


def _create(runner, email: str, password: str, *roles: str):
    args = ["lms", "users", "create", "--email", email, "--password", password]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(args=args)


def test_users_create_gives_every_role_asked_for(runner, stored_user):
    result = _create(runner, "chief@example.org", "a-good-password", "admin", "author")
    assert result.exit_code == 0, result.output
    assert stored_user("chief@example.org").roles == {"admin", "author"}


def test_users_create_without_a_role_makes_a_learner(runner, stored_user):
    assert _create(runner, "plain@example.org", "a-good-password").exit_code == 0
    assert stored_user("plain@example.org").roles == {"learner"}


def test_users_create_stores_a_password_that_signs_in(runner, client):
    _create(runner, "cli@example.org", "a-good-password")
    response = client.post("/account/login", data={"email": "cli@example.org", "password": "a-good-password"})
    assert response.status_code == 302


def test_users_create_with_a_taken_email_fails_and_changes_nothing(runner, make_user, stored_user, user_count):
    existing = make_user(email="taken@example.org", roles=("learner",))
    before = stored_user(existing.email)
    result = _create(runner, "taken@example.org", "another-password", "admin")
    assert result.exit_code != 0
    assert "already exists" in result.output
    after = stored_user(existing.email)
    assert user_count() == 1
    assert (after.roles, after.password_hash) == (before.roles, before.password_hash)


def test_users_create_refuses_a_short_password(runner, user_count):
    result = _create(runner, "short@example.org", "short")
    assert result.exit_code != 0 and "at least 8 characters" in result.output
    assert user_count() == 0


def test_demo_users_creates_the_three_demo_accounts(runner, stored_user, user_count):
    result = runner.invoke(args=["lms", "demo-users"])
    assert result.exit_code == 0, result.output
    assert user_count() == 3
    for email, _password, _name, roles, _audience in DEMO_ACCOUNTS:
        assert stored_user(email).roles == set(roles)


def test_demo_users_run_twice_changes_nothing_the_second_time(runner, stored_user, user_count):
    runner.invoke(args=["lms", "demo-users"])
    before = {email: vars(stored_user(email)) for email, *_ in DEMO_ACCOUNTS}
    second = runner.invoke(args=["lms", "demo-users"])
    assert second.exit_code == 0 and "already exist" in second.output
    assert user_count() == 3
    assert {email: vars(stored_user(email)) for email, *_ in DEMO_ACCOUNTS} == before
