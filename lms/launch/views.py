"""Launch pages: importing packages (authors and admins), an AU's or Tin Can activity's page, the player frame, the
cmi5 fetch URL and return URL, the package files, and waiving an AU."""

from __future__ import annotations

import mimetypes

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.services import find_user
from lms.catalog.outline import outline
from lms.catalog.services import course_by_slug, latest_version
from lms.core.access import login_required, role_required
from lms.core.i18n import _, text
from lms.core.pagination import paginate
from lms.core.views import area_blueprint
from lms.db import session
from lms.launch import packages, services
from lms.launch.forms import ImportForm, StartForm, WaiveForm
from lms.launch.models import LaunchStructure
from lms.learning import services as learning
from lms.learning.models import Enrollment

bp = area_blueprint("launch", __name__, template_folder="templates", url_prefix="/launch")
PACKAGE_SANDBOX = ("sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals "
                   "allow-downloads allow-presentation")


def links() -> services.Links:
    """The URLs a launch hands to content, absolute at the address this request came to."""
    return services.Links(
        endpoint=url_for("xapi.about", _external=True).rsplit("/", 1)[0],
        fetch=lambda token: url_for("launch.fetch", token=token, _external=True),
        package_file=lambda digest, path: url_for("launch.package_file", digest=digest, name=path, _external=True),
        returned=lambda session_id: url_for("launch.returned", session_id=session_id, _external=True),
    )


def _no_store(response: Response) -> Response:
    # Launch pages carry one-time tokens and credentials: never cached, never shown again from history.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- importing --------------------------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@bp.route("/import", methods=["GET", "POST"])
@role_required("author", "admin")
def import_package():
    form = ImportForm()
    if request.method == "POST":
        limit = current_app.config["LMS_PACKAGE_MAX_BYTES"]
        if request.content_length and request.content_length > limit:
            form.package.errors = [_("The file is larger than the limit of %(megabytes)d MB.",
                                     megabytes=limit // (1024 * 1024))]
            return _import_refused(form)
        if form.validate_on_submit():
            upload = form.package.data
            try:
                result = services.import_package(upload.read(), filename=upload.filename or "",
                                                 course_slug=form.course.data or None, uploaded_by=current_user)
            except services.PackageInvalid as error:
                session.rollback()
                form.package.errors = [_("The package was refused: %(problem)s", problem=str(error))]
                return _import_refused(form)
            except services.LaunchError as error:
                session.rollback()
                form.course.errors = [str(error)]
                return _import_refused(form)
            session.commit()
            message = (_("The package was already imported: nothing changed.") if result.outcome == "unchanged"
                       else _("The package was imported as version %(number)d of the course.",
                              number=outline(result.version_id).number))
            target = url_for("learning.course", slug=result.course.slug)
            flash(message, "success")  # shown by the course page, whichever way the form was sent
            for warning in result.warnings:
                flash(warning, "info")
            if _wants_json():
                return jsonify({"ok": True, "redirect": target, "message": message, "warnings": result.warnings})
            return redirect(target)
        return _import_refused(form)
    return _import_page(form)


def _import_refused(form: ImportForm):
    if _wants_json():
        errors = {name: [str(error) for error in field.errors] for name, field in form._fields.items() if field.errors}
        return jsonify({"ok": False, "errors": errors}), 400
    return _import_page(form), 400


def _import_page(form: ImportForm) -> str:
    imports = paginate(select(LaunchStructure).order_by(LaunchStructure.id.desc()),
                       request.args.get("page", 1, type=int), per_page=current_app.config["LMS_PER_PAGE"])
    return render_template("lms/launch/import.html", form=form, imports=imports,
                           version_outline=lambda version_id: outline(version_id))


# --- an item's page and its launch ------------------------------------------------------------------------

def _enrolled_item(slug: str, kind: str, item_slug: str):
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    enrollment = learning.enrollment_for(current_user, course)
    if enrollment is None:
        return course, None, None, None
    version = outline(enrollment.version_id)
    item = version.item(kind, item_slug)
    if item is None or not item.launch:
        abort(404)
    return course, enrollment, version, item


def _neighbours(version, item) -> dict:
    items = version.items
    position = next(index for index, candidate in enumerate(items) if candidate.id == item.id)
    return {"previous": items[position - 1] if position > 0 else None,
            "next": items[position + 1] if position + 1 < len(items) else None,
            "position": position + 1, "count": len(items)}


@bp.route("/courses/<slug>/<any(au, tincan):kind>/<item_slug>")
@login_required
def item(slug: str, kind: str, item_slug: str):
    course, enrollment, version, current = _enrolled_item(slug, kind, item_slug)
    if enrollment is None:
        flash(_("Enroll in the course first to open its lessons and quizzes."), "info")
        return redirect(url_for("learning.course", slug=slug))
    progress = learning.course_progress(current_user, enrollment)
    is_done = current.id in progress.done_ids
    form = StartForm()
    return render_template("lms/launch/item.html", course=course, version=version, item=current, form=form,
                           is_done=is_done, nav=_neighbours(version, current))


@bp.route("/courses/<slug>/<any(au, tincan):kind>/<item_slug>/start", methods=["POST"])
@login_required
def start(slug: str, kind: str, item_slug: str):
    course, enrollment, version, current = _enrolled_item(slug, kind, item_slug)
    if enrollment is None:
        abort(403)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if kind == "au":
            launched = services.launch_au(current_user, enrollment, current, links(), launch_mode=form.mode.data)
        else:
            launched = services.launch_tincan(current_user, enrollment, current, links())
    except services.LaunchError:
        session.rollback()
        abort(400)
    session.commit()
    if launched.is_own_window:  # cmi5 8.1: OwnWindow content gets the browser window to itself
        return _no_store(redirect(launched.url, code=303))
    return _no_store(Response(render_template("lms/launch/player.html", course=course, version=version,
                                              item=current, url=launched.url, nav=_neighbours(version, current))))


@bp.route("/fetch/<token>", methods=["POST", "OPTIONS"])
def fetch(token: str):
    """cmi5 8.2: the one-time fetch URL. Always 200 with JSON, an error included (8.2.2)."""
    response = Response(status=200) if request.method == "OPTIONS" else jsonify(services.fetch_auth_token(token))
    if request.method == "POST":
        session.commit()
    # Content on another origin (an AU at an absolute URL) calls this from its own page.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return _no_store(response)


@bp.route("/sessions/<session_id>/return")
def returned(session_id: str):
    """The returnURL of LMS.LaunchData: where the AU sends the browser when it exits."""
    found = services.session_by_id(session_id)
    if found is None:
        abort(404)
    enrollment = session.get(Enrollment, found.enrollment_id)
    version = outline(enrollment.version_id)
    item = next((candidate for candidate in version.items if candidate.id == found.item_id), None)
    target = (url_for("launch.item", slug=version.course.slug, kind=item.kind, item_slug=item.slug)
              if item is not None else url_for("learning.course", slug=version.course.slug))
    return render_template("lms/launch/returned.html", target=target, version=version, item=item)


@bp.route("/packages/<digest>/<path:name>")
def package_file(digest: str, name: str):
    """A file of a stored package. Folders are never listed; the content type is never sniffed."""
    path = packages.file_path(digest, name)
    if path is None:
        abort(404)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # The digest names the content, so it never changes: browsers may keep it for good.
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if current_app.config["LMS_PACKAGE_SANDBOX"]:
        # Uploaded content runs in an origin of its own (no allow-same-origin): its scripts cannot use the
        # learner's LMS session or read LMS pages. It reaches the LRS and the fetch URL as any cross-origin content
        # does (CORS). Content that needs same-origin storage can be let out with LMS_PACKAGE_SANDBOX = False.
        response.headers["Content-Security-Policy"] = PACKAGE_SANDBOX
    return response


# --- waiving ----------------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/waive", methods=["GET", "POST"])
@role_required("author", "admin")
def waive(slug: str):
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    latest = latest_version(course.id)
    if latest is None:
        abort(404)
    units = [item for item in outline(latest.id).items if (item.launch or {}).get("kind") == "au"]
    form = WaiveForm()
    form.au.choices = [(item.slug, text(item.title)) for item in units]
    if not units:
        return render_template("lms/launch/waive.html", course=course, form=None, version=outline(latest.id))
    if form.validate_on_submit():
        learner = find_user(form.email.data)
        enrollment = learning.enrollment_for(learner, course) if learner is not None else None
        if enrollment is None:
            form.email.errors = [_("No learner with this e-mail address is enrolled in this course.")]
        else:
            version = outline(enrollment.version_id)
            unit = version.item("au", form.au.data)
            if unit is None:
                form.au.errors = [_("This unit is not in the version of the course the learner follows.")]
            else:
                try:
                    services.waive(enrollment, unit, form.reason.data)
                except services.LaunchError:
                    session.rollback()
                    form.au.errors = [_("This unit is already waived for this learner.")]
                else:
                    session.commit()
                    flash(_("The unit is waived for %(email)s.", email=learner.email), "success")
                    return redirect(url_for("launch.waive", slug=slug))
        return render_template("lms/launch/waive.html", course=course, form=form, version=outline(latest.id)), 400
    return render_template("lms/launch/waive.html", course=course, form=form, version=outline(latest.id))
