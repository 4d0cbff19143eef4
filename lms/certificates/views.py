"""Certificate pages: tracks, "My certificates", downloads, public verification, the issuer's keys, administration."""

from __future__ import annotations

import json
import time

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.catalog.models import Track
from lms.certificates import badges, services
from lms.certificates.forms import CertificateFilterForm, ReissueForm, RecertifyForm, RevokeForm, VerifyForm
from lms.certificates.models import Certificate
from lms.certificates.pdf import pdf_filename, render_pdf, zip_of_pdfs
from lms.core.access import login_required, role_required
from lms.core.audit import record_action
from lms.core.i18n import _, ngettext, text
from lms.core.pagination import paginate
from lms.core.views import area_blueprint
from lms.db import session, utcnow

bp = area_blueprint("certificates", __name__, template_folder="templates")


@bp.app_template_filter("lms_day")
def _day(moment) -> str:
    return moment.date().isoformat() if moment else ""


@bp.app_template_filter("lms_course_title")
def _course_title(slug: str, titles: dict) -> str:
    return text(titles.get(slug) or {"en": slug})


# --- tracks -----------------------------------------------------------------------------------------------

@bp.route("/tracks")
def tracks():
    page = paginate(select(Track).order_by(Track.slug), request.args.get("page", 1, type=int),
                    per_page=current_app.config["LMS_PER_PAGE"])
    standing = {}
    if current_user.is_authenticated:
        for track in page.items:
            standing[track.id] = (services.evaluate_track(current_user, track),
                                  services.latest_certificate(current_user.id, track.id))
    return render_template("lms/certificates/tracks.html", page=page, standing=standing, now=utcnow())


@bp.route("/tracks/<slug>")
def track(slug: str):
    found = services.track_by_slug(slug)
    if found is None:
        abort(404)
    if current_user.is_authenticated:
        facts = services.track_facts(current_user, found)
        certificate = services.latest_certificate(current_user.id, found.id)
    else:
        facts, certificate = {}, None
    evaluation = services.evaluate(services.track_rules(found), facts)
    return render_template("lms/certificates/track.html", track=found, evaluation=evaluation, facts=facts,
                           titles=services.course_titles(found), certificate=certificate, now=utcnow())


# --- the learner's certificates ---------------------------------------------------------------------------

@bp.route("/my-certificates")
@login_required
def my_certificates():
    return render_template("lms/certificates/my_certificates.html",
                           certificates=services.user_certificates(current_user), now=utcnow(),
                           verify_url=badges.verification_url)


def _own_or_admin(serial: str) -> Certificate:
    """The certificate, for its learner or an admin; anyone else gets 404, which says nothing about the serial."""
    certificate = services.find_by_serial(serial)
    if certificate is None or not (certificate.user_id == current_user.id or current_user.has_role("admin")):
        abort(404)
    return certificate


@bp.route("/certificates/<serial>")
@login_required
def certificate(serial: str):
    found = _own_or_admin(serial)
    return render_template("lms/certificates/certificate.html", certificate=found, now=utcnow(),
                           verify_url=badges.verification_url(found.serial))


@bp.route("/certificates/<serial>/certificate.pdf")
@login_required
def certificate_pdf(serial: str):
    found = _own_or_admin(serial)
    return Response(render_pdf(found), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{pdf_filename(found)}"'})


@bp.route("/certificates/<serial>/badge.json")
@login_required
def certificate_json(serial: str):
    found = _own_or_admin(serial)
    body = json.dumps(badges.credential(found), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="badge-{found.serial}.json"'})


@bp.route("/certificates/<serial>/badge.jwt")
@login_required
def certificate_jwt(serial: str):
    found = _own_or_admin(serial)
    return Response(badges.credential_jwt(found), mimetype=badges.MEDIA_TYPE_JWT, headers={
        "Content-Disposition": f'attachment; filename="badge-{found.serial}.jwt"'})


# --- the issuer, public -----------------------------------------------------------------------------------

@bp.route("/certificates/issuer")
def issuer():
    return Response(json.dumps(badges.issuer_profile(), ensure_ascii=False, indent=2), mimetype="application/json")


@bp.route("/certificates/jwks.json")
def jwks():
    response = Response(json.dumps(badges.jwks(), indent=2), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers (wallets) fetch it too
    return response


@bp.route("/certificates/status/<credential_id>")
def status(credential_id: str):
    found = session.execute(select(Certificate).filter_by(credential_id=credential_id.lower()[:36])
                            ).scalar_one_or_none()
    if found is None:
        abort(404)
    response = Response(json.dumps(badges.status_document(found), ensure_ascii=False, indent=2),
                        mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- public verification ----------------------------------------------------------------------------------

@bp.route("/verify")
def verify_form():
    form = VerifyForm(request.args)
    if "serial" in request.args:
        if form.validate():
            return redirect(url_for("certificates.verify", serial=services.normalise_serial(form.serial.data)))
        return render_template("lms/certificates/verify.html", form=form, result=None), 400
    return render_template("lms/certificates/verify.html", form=VerifyForm(formdata=None), result=None)


@bp.route("/verify/<serial>")
def verify(serial: str):
    started = time.monotonic()
    now = utcnow()
    try:
        found = services.lookup_for_verification(serial[:64], request.remote_addr or "", now)
    except services.TooManyLookups as limited:
        session.commit()
        message = ngettext("Too many checks from your network. Please wait %(num)d second and try again.",
                           "Too many checks from your network. Please wait %(num)d seconds and try again.",
                           limited.seconds)
        response = Response(render_template("lms/certificates/verify.html", form=VerifyForm(formdata=None),
                                            result=None, limited=message), status=429)
        response.headers["Retry-After"] = str(limited.seconds)
        return response
    session.commit()
    form = VerifyForm(formdata=None, serial=serial[:64])
    body = render_template("lms/certificates/verify.html", form=form, result=found, serial=serial[:64],
                           state=found.state(now) if found else None)
    # Found or not, the answer takes the same time: timing must not help anyone guess serials.
    remaining = current_app.config["LMS_VERIFY_MIN_SECONDS"] - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    response = Response(body, status=200 if found else 404)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- administration ---------------------------------------------------------------------------------------

def _filter_form() -> CertificateFilterForm:
    form = CertificateFilterForm(request.args)
    form.track.choices = [("", _("Any track"))] + [(track.slug, text(track.title)) for track in services.all_tracks()]
    form.cohort.choices = [("", _("Any cohort"))] + [(str(cohort.id), cohort.name) for cohort in _cohorts()]
    return form


def _cohorts():
    from sqlalchemy import select

    from lms.cohorts.models import Cohort

    return session.execute(select(Cohort).order_by(Cohort.name)).scalars().all()


def _filtered_query(form: CertificateFilterForm):
    """The admin list's query from a validated filter form, or None when the filters are not valid."""
    if request.args and not form.validate():
        return None
    return services.certificates_query(track_slug=form.track.data or None, state=form.state.data or None,
                                       issued_from=form.issued_from.data, issued_to=form.issued_to.data,
                                       search=form.q.data or "",
                                       cohort_id=int(form.cohort.data) if form.cohort.data else None)


def _filter_args() -> dict:
    return {key: value for key, value in request.args.items() if key not in ("page", "submit") and value}


@bp.route("/admin/certificates")
@role_required("admin")
def admin_list():
    form = _filter_form()
    query = _filtered_query(form)
    page = None if query is None else paginate(query, request.args.get("page", 1, type=int), per_page=25)
    return render_template("lms/certificates/admin_list.html", form=form, page=page, filters=_filter_args(),
                           now=utcnow()), (400 if query is None else 200)


@bp.route("/admin/certificates/export.csv")
@role_required("admin")
def admin_csv():
    query = _filtered_query(_filter_form())
    if query is None:
        abort(400)
    rows = list(session.execute(query).scalars())
    return Response("\ufeff" + services.certificates_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="certificates.csv"'})


@bp.route("/admin/certificates/export.zip")
@role_required("admin")
def admin_zip():
    form = _filter_form()
    query = _filtered_query(form)
    if query is None:
        abort(400)
    limit = current_app.config["LMS_CERTIFICATES_ZIP_LIMIT"]
    rows = list(session.execute(query.limit(limit + 1)).scalars())
    if len(rows) > limit:
        flash(_("More than %(limit)d certificates match: narrow the filters (for example by track or dates) "
                "and download again.", limit=limit), "error")
        return redirect(url_for("certificates.admin_list", **_filter_args()))
    if not rows:
        flash(_("No certificate matches these filters: there is nothing to download."), "info")
        return redirect(url_for("certificates.admin_list", **_filter_args()))
    return Response(zip_of_pdfs(rows), mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="certificates.zip"'})


def _admin_certificate(serial: str) -> Certificate:
    found = services.find_by_serial(serial)
    if found is None:
        abort(404)
    return found


def _admin_page(found: Certificate, revoke_form=None, reissue_form=None, recertify_form=None, status: int = 200):
    history = services.user_certificates(found.user)
    return render_template(
        "lms/certificates/admin_detail.html", certificate=found, now=utcnow(),
        history=[item for item in history if item.track_id == found.track_id],
        revoke_form=revoke_form or RevokeForm(formdata=None),
        reissue_form=reissue_form or ReissueForm(formdata=None, learner_name=found.user.display_name),
        recertify_form=recertify_form or RecertifyForm(formdata=None),
        verify_url=badges.verification_url(found.serial),
    ), status


@bp.route("/admin/certificates/<serial>")
@role_required("admin")
def admin_detail(serial: str):
    return _admin_page(_admin_certificate(serial))


@bp.route("/admin/certificates/<serial>/revoke", methods=["POST"])
@role_required("admin")
def admin_revoke(serial: str):
    found = _admin_certificate(serial)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(found, form.reason.data)
        except services.CertificateError as error:
            session.rollback()
            form.reason.errors.append(str(error))
        else:
            record_action(current_user.id, "certificate.revoke", found.serial, {"reason": form.reason.data})
            session.commit()
            flash(_("Certificate %(serial)s is revoked; the learner was told by e-mail.", serial=found.serial),
                  "success")
            return redirect(url_for("certificates.admin_detail", serial=found.serial))
    return _admin_page(found, revoke_form=form, status=400)


@bp.route("/admin/certificates/<serial>/reissue", methods=["POST"])
@role_required("admin")
def admin_reissue(serial: str):
    found = _admin_certificate(serial)
    form = ReissueForm()
    if form.validate_on_submit():
        try:
            replacement = services.reissue(found, form.learner_name.data)
        except services.CertificateError as error:
            session.rollback()
            form.learner_name.errors.append(str(error))
        else:
            record_action(current_user.id, "certificate.reissue", found.serial,
                          {"replacement": replacement.serial, "name": form.learner_name.data})
            session.commit()
            flash(_("Re-issued as %(serial)s; the old serial number now says superseded.",
                    serial=replacement.serial), "success")
            return redirect(url_for("certificates.admin_detail", serial=replacement.serial))
    return _admin_page(found, reissue_form=form, status=400)


@bp.route("/admin/certificates/<serial>/recertify", methods=["POST"])
@role_required("admin")
def admin_recertify(serial: str):
    found = _admin_certificate(serial)
    form = RecertifyForm()
    if form.validate_on_submit():
        try:
            reopened = services.recertify(found.user, found.track, opened_by=current_user)
        except services.CertificateError as error:
            session.rollback()
            form.submit.errors = [str(error)]
        else:
            record_action(current_user.id, "certificate.recertify", found.serial,
                          {"courses": len(reopened)})
            session.commit()
            flash(ngettext("Recertification is open: %(num)d course was re-opened for a new enrolment.",
                           "Recertification is open: %(num)d courses were re-opened for new enrolments.",
                           len(reopened)), "success")
            return redirect(url_for("certificates.admin_detail", serial=found.serial))
    return _admin_page(found, recertify_form=form, status=400)
