"""Administration pages. ``admin`` has no models of its own: it calls the other areas' services."""

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.admin.forms import SCOPE_CHOICES, ConfirmForm, CredentialForm, RolesForm, SettingsForm
from lms.core.views import area_blueprint
from lms.catalog.services import all_latest_versions, tracks
from lms.core.access import role_required
from lms.core.audit import record_action
from lms.core.i18n import _, ngettext
from lms.core.pagination import paginate
from lms.db import session, utcnow
from lms.tracking.services import statements_query, user_actor_key
from lms.tracking.vocabulary import VERB_DISPLAY
from lms.xapi import credentials, forwarding
from lms.xapi.models import LRSClient

bp = area_blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.route("/")
@role_required("admin")
def index():
    return render_template("lms/admin/index.html", user_count=accounts.count_users(),
                           courses=all_latest_versions(), tracks=tracks(),
                           registration_open=accounts.is_registration_open(),
                           forwarding_on=forwarding.remote_from_config(current_app.config) is not None,
                           outbox=forwarding.outbox_summary())


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings():
    form = SettingsForm(self_registration=accounts.is_registration_open())
    if form.validate_on_submit():
        accounts.set_registration_open(form.self_registration.data)
        record_action(current_user.id, "settings.update", "self_registration",
                      {"self_registration": form.self_registration.data})
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
                record_action(current_user.id, "user.roles", found.email, {"roles": sorted(form.roles.data)})
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


# --- the built-in LRS: credentials and forwarding ----------------------------------------------------------------

def _credential_state(client: LRSClient) -> str:
    if client.revoked_at is not None:
        return "revoked"
    if client.expires_at is not None and client.expires_at <= utcnow():
        return "expired"
    return "active"


def _lrs_endpoint() -> str:
    """The built-in LRS's xAPI endpoint as clients configure it (ends in a slash)."""
    return url_for("xapi.about", _external=True).removesuffix("about")


def _credential_or_404(key: str) -> LRSClient:
    client = session.execute(select(LRSClient).filter_by(key=key)).scalar_one_or_none()
    if client is None:
        abort(404)
    return client


@bp.route("/lrs/credentials")
@role_required("admin")
def lrs_credentials():
    statement = (select(LRSClient).where(LRSClient.user_id.is_(None))  # per-launch credentials are not listed
                 .order_by(LRSClient.created_at.desc(), LRSClient.id.desc()))
    page = paginate(statement, request.args.get("page", 1, type=int), per_page=25)
    return render_template("lms/admin/lrs_credentials.html", page=page, state=_credential_state,
                           scope_names=dict(SCOPE_CHOICES), endpoint=_lrs_endpoint())


@bp.route("/lrs/credentials/new", methods=["GET", "POST"])
@role_required("admin")
def lrs_credential_new():
    form = CredentialForm()
    if form.validate_on_submit():
        try:
            client, secret = credentials.create_client(form.name.data, form.scopes.data)
        except credentials.CredentialError:
            session.rollback()
            form.name.errors.append(_("Give the credential a name."))
        else:
            record_action(current_user.id, "lrs.credential.create", client.key,
                          {"name": client.name, "scopes": client.scopes})
            session.commit()
            response = make_response(render_template("lms/admin/lrs_credential_created.html", client=client,
                                                     secret=secret, scope_names=dict(SCOPE_CHOICES)))
            response.headers["Cache-Control"] = "no-store"  # the secret is on this page, and only on this one
            return response
    status = 400 if form.errors else 200
    return render_template("lms/admin/lrs_credential_new.html", form=form), status


@bp.route("/lrs/credentials/<key>/revoke", methods=["GET", "POST"])
@role_required("admin")
def lrs_credential_revoke(key: str):
    client = _credential_or_404(key)
    form = ConfirmForm()
    if form.validate_on_submit():
        credentials.revoke_client(key)
        record_action(current_user.id, "lrs.credential.revoke", key, {"name": client.name})
        session.commit()
        flash(_("The credential %(name)s is revoked: it no longer works.", name=client.name), "success")
        return redirect(url_for("admin.lrs_credentials"))
    return render_template("lms/admin/lrs_credential_revoke.html", client=client, form=form,
                           state=_credential_state(client))


@bp.route("/lrs/outbox")
@role_required("admin")
def lrs_outbox():
    page = paginate(forwarding.parked_query(), request.args.get("page", 1, type=int), per_page=25)
    return render_template("lms/admin/lrs_outbox.html", summary=forwarding.outbox_summary(), page=page,
                           statements=forwarding.statements_for(page.items),
                           remote=forwarding.remote_from_config(current_app.config))


@bp.route("/lrs/outbox/<int:entry_id>/requeue", methods=["POST"])
@role_required("admin")
def lrs_outbox_requeue(entry_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        forwarding.requeue(entry_id)
    except forwarding.ForwardingError:
        abort(404)
    record_action(current_user.id, "lrs.outbox.requeue", str(entry_id))
    session.commit()
    flash(_("The statement is queued again; the forwarder sends it on its next run."), "success")
    return redirect(url_for("admin.lrs_outbox"))


@bp.route("/lrs/outbox/requeue-parked", methods=["POST"])
@role_required("admin")
def lrs_outbox_requeue_all():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = forwarding.requeue_all_parked()
    record_action(current_user.id, "lrs.outbox.requeue_all", "outbox", {"count": count})
    session.commit()
    flash(ngettext("%(num)d statement is queued again.", "%(num)d statements are queued again.", count),
          "success")
    return redirect(url_for("admin.lrs_outbox"))
