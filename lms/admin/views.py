"""Administration pages. ``admin`` has no models of its own: it calls the other areas' services."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from lms.core.views import area_blueprint
from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.admin.forms import RolesForm, SettingsForm
from lms.catalog.services import all_latest_versions, tracks
from lms.core.access import role_required
from lms.core.i18n import _
from lms.core.pagination import paginate
from lms.db import session
from lms.tracking.services import statements_query, user_actor_key
from lms.tracking.vocabulary import VERB_DISPLAY

bp = area_blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.route("/")
@role_required("admin")
def index():
    return render_template("lms/admin/index.html", user_count=accounts.count_users(),
                           courses=all_latest_versions(), tracks=tracks(),
                           registration_open=accounts.is_registration_open())


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings():
    form = SettingsForm(self_registration=accounts.is_registration_open())
    if form.validate_on_submit():
        accounts.set_registration_open(form.self_registration.data)
        session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("lms/admin/settings.html", form=form)


@bp.route("/users")
@role_required("admin")
def users():
    query = request.args.get("q", "").strip()[:200]
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    page = paginate(statement, request.args.get("page", 1, type=int), per_page=25)
    return render_template("lms/admin/users.html", page=page, query=query)


@bp.route("/users/<public_id>", methods=["GET", "POST"])
@role_required("admin")
def user(public_id: str):
    found = session.execute(select(User).filter_by(public_id=public_id)).scalar_one_or_none()
    if found is None:
        abort(404)
    form = RolesForm(roles=sorted(found.role_names))
    if form.validate_on_submit():
        if found.id == current_user.id and "admin" not in form.roles.data:
            form.roles.errors.append(_("You cannot remove your own administrator role."))
        else:
            try:
                accounts.set_roles(found, form.roles.data)
            except accounts.AccountError:
                session.rollback()
                form.roles.errors.append(_("Choose at least one role."))
            else:
                session.commit()
                flash(_("Roles saved for %(name)s.", name=found.display_name), "success")
                return redirect(url_for("admin.user", public_id=public_id))
    status = 400 if form.errors else 200
    return render_template("lms/admin/user.html", user=found, form=form), status


@bp.route("/statements")
@role_required("admin")
def statements():
    email = request.args.get("learner", "").strip()
    verb_id = request.args.get("verb", "").strip() or None
    learner_actor, not_found = None, False
    if email:
        learner = accounts.find_user(email)
        if learner is None:
            not_found = True
        else:
            learner_actor = user_actor_key(learner.public_id)
    page = None if not_found else paginate(statements_query(actor=learner_actor, verb_id=verb_id),
                                           request.args.get("page", 1, type=int), per_page=25)
    return render_template("lms/admin/statements.html", page=page, learner=email, verb=verb_id or "",
                           verbs=VERB_DISPLAY, not_found=not_found)

