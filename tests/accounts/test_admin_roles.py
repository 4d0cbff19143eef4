"""Administrators edit roles at /admin/users/<public_id>."""


def _save_roles(client, public_id: str, *roles: str):
    # As a browser sends it: unticked boxes are absent, the submit button is always there.
    return client.post(f"/admin/users/{public_id}", data={"roles": list(roles), "submit": "Save roles"})


def test_admin_grants_the_author_role(client, make_user, login_as, stored_user):
    login_as(make_user(roles=("admin",)))
    learner = make_user(roles=("learner",))
    response = _save_roles(client, learner.public_id, "learner", "author")
    assert response.status_code == 302
    assert stored_user(learner.email).roles == {"learner", "author"}


def test_admin_cannot_remove_their_own_admin_role(client, make_user, login_as, stored_user):
    admin = make_user(roles=("admin", "learner"))
    login_as(admin)
    response = _save_roles(client, admin.public_id, "learner")
    assert response.status_code == 400
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    assert stored_user(admin.email).roles == {"admin", "learner"}


def test_admin_can_remove_another_admins_role(client, make_user, login_as, stored_user):
    login_as(make_user(roles=("admin",)))
    other = make_user(roles=("admin", "learner"))
    assert _save_roles(client, other.public_id, "learner").status_code == 302
    assert stored_user(other.email).roles == {"learner"}


def test_saving_no_role_at_all_is_refused(client, make_user, login_as, stored_user):
    login_as(make_user(roles=("admin",)))
    learner = make_user(roles=("learner",))
    response = _save_roles(client, learner.public_id)
    assert response.status_code == 400 and stored_user(learner.email).roles == {"learner"}


def test_unknown_user_page_is_404(client, make_user, login_as):
    login_as(make_user(roles=("admin",)))
    assert client.get("/admin/users/00000000-0000-0000-0000-000000000000").status_code == 404
