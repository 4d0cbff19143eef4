"""SCORM pages (blueprint "scorm"): importing packages (a course, or lessons of a course), downloading a course as
SCORM, the player of a SCO or asset, the run-time endpoints its SCORM API commits to, the package files, and the
scorm-again script.

The player page runs scorm-again (the npm package pinned in package.json) as the SCORM 1.2 ``API`` or 2004
``API_1484_11`` object, loaded with the attempt's CMI values before the content starts. Commits are JSON POSTs;
the last one of a page that is going away comes by ``navigator.sendBeacon`` as ``text/plain``, so the commit
endpoint reads the raw body whatever its type. The endpoints are exempt from CSRF checks (extension.py) but need
the learner's session and the attempt's token, which only the player page carries.

SCORM content is served from the LMS's own origin and not sandboxed: it must reach the API object in the player
page through ``window.parent``, which browsers allow only within one origin. Only packages imported as SCORM (by
authors and administrators) are served this way; cmi5 and Tin Can packages keep their sandbox (launch.views).
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from lms.catalog.outline import outline
from lms.catalog.services import course_by_slug, latest_version
from lms.core.access import login_required, role_required
from lms.core.i18n import _, current_language, text
from lms.core.pagination import paginate
from lms.core.views import area_blueprint
from lms.db import session
from lms.launch import packages, scorm, scorm_runtime
from lms.launch.scorm_forms import ScormImportForm, ScormLessonForm
from lms.learning import services as learning
from lms.learning.models import Enrollment
from scorm.cmi import MODELS, duration_seconds, flatten
from scorm.package import PackageError

bp = area_blueprint("scorm", __name__, template_folder="templates", url_prefix="/scorm")
AUTHORS = ("author", "admin")
RUNTIME_FILES = {"1.2": "scorm12.min.js", "2004": "scorm2004.min.js"}
# SCORM's "general commit failure" in each version, for a commit the LMS could not take.
COMMIT_FAILURE = {"1.2": 101, "2004": 391}


def _no_store(response: Response) -> Response:
    # Player pages carry an attempt's token: never cached, never shown again from history.
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _can_edit(course) -> bool:
    from lms.authoring.services import can_edit  # the one rule for who edits a course

    return can_edit(current_user, course)


# --- importing ------------------------------------------------------------------------------------------------

def _too_large(field) -> bool:
    limit = current_app.config["LMS_PACKAGE_MAX_BYTES"]
    if request.content_length and request.content_length > limit:
        field.errors = [_("The file is larger than the limit of %(megabytes)d MB.", megabytes=limit // (1024 * 1024))]
        return True
    return False


def _import(form, course_slug: str | None, module_slug: str | None):
    """Run an import from a validated form; returns the response (a redirect, or the form with its errors)."""
    upload = form.package.data
    try:
        result = scorm.import_package(upload.read(), filename=upload.filename or "", course_slug=course_slug,
                                      module_slug=module_slug, uploaded_by=current_user, may_edit=_can_edit)
    except PackageError as error:
        session.rollback()
        form.package.errors = [_("The package was refused: %(problem)s", problem=str(error))]
        return None
    except scorm.ScormImportError as error:
        session.rollback()
        getattr(form, "module" if module_slug else "course").errors = [str(error)]
        return None
    session.commit()
    number = outline(result.version_id).number
    message = (_("The package was already imported: nothing changed.") if result.outcome == "unchanged" else
               _("The SCORM %(version)s package was imported as version %(number)d of the course.",
                 version=result.scorm_version, number=number))
    flash(message, "success")
    for warning in result.warnings:
        flash(warning, "info")
    target = url_for("learning.course", slug=result.course.slug)
    if _wants_json():
        return jsonify({"ok": True, "redirect": target, "message": message, "warnings": result.warnings})
    return redirect(target)


def _refused(form, render):
    if _wants_json():
        errors = {name: [str(error) for error in field.errors] for name, field in form._fields.items() if field.errors}
        return jsonify({"ok": False, "errors": errors}), 400
    return render(), 400


@bp.route("/import", methods=["GET", "POST"])
@role_required(*AUTHORS)
def import_package():
    """A package as a new course (or into the course a short name names, when the author may edit it)."""
    form = ScormImportForm()

    def render():
        page = paginate(scorm.imports_query(), request.args.get("page", 1, type=int),
                        per_page=current_app.config["LMS_PER_PAGE"])
        return render_template("lms/launch/scorm_import.html", form=form, course=None, imports=page,
                               version_outline=outline)

    if request.method == "POST":
        if _too_large(form.package) or not form.validate_on_submit():
            return _refused(form, render)
        return _import(form, form.course.data or None, None) or _refused(form, render)
    return render()


def _editable(slug: str):
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    if not _can_edit(course):
        abort(403)
    return course


@bp.route("/courses/<slug>/import", methods=["GET", "POST"])
@role_required(*AUTHORS)
def add_to_course(slug: str):
    """A package as lessons of a course the author edits: in a module of its own, or at the end of one."""
    course = _editable(slug)
    latest = latest_version(course.id)
    version = outline(latest.id) if latest is not None else None
    form = ScormLessonForm()
    form.module.choices = [("", _("A new module named after the package"))] + [
        (module.slug, _("At the end of the module “%(title)s”", title=text(module.title)))
        for module in (version.modules if version else ())]

    def render():
        return render_template("lms/launch/scorm_import.html", form=form, course=course, version=version,
                               imports=None)

    if request.method == "POST":
        if _too_large(form.package) or not form.validate_on_submit():
            return _refused(form, render)
        return _import(form, course.slug, form.module.data or None) or _refused(form, render)
    return render()


# --- exporting ------------------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/export")
@role_required(*AUTHORS)
def export(slug: str):
    """The course's newest version as a SCORM 2004 (4th edition) or 1.2 zip, in the author's language when the
    course has it."""
    course = _editable(slug)
    scorm_version = request.args.get("version", "2004")
    if scorm_version not in scorm.VERSIONS:
        abort(400)
    latest = latest_version(course.id)
    if latest is None:
        abort(404)
    language = request.args.get("language") or current_language()
    if language not in (latest.languages or ["en"]):
        language = "en"
    try:
        exported = scorm.export_course(latest.id, scorm_version, language)
    except ValueError as error:
        session.rollback()
        flash(_("The course cannot be exported as SCORM: %(problem)s", problem=str(error)), "error")
        return redirect(url_for("authoring.course", slug=slug))
    response = Response(exported.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


# --- the player -----------------------------------------------------------------------------------------------

def _content_url(launch: dict) -> str:
    """The page an item opens: inside the package (served by ``content``), with the manifest's query string."""
    href = launch["href"]
    parts = urlsplit(href)
    if parts.scheme:  # an asset on another site
        return href
    url = url_for("scorm.content", digest=launch["package"], name=unquote(parts.path))
    return url + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _item_url(course_slug: str, item) -> str | None:
    return url_for("scorm.item", slug=course_slug, kind=item.kind, item_slug=item.slug) if item else None


def _course_item_url(course_slug: str, item) -> str | None:
    return url_for("learning.item", slug=course_slug, kind=item.kind, item_slug=item.slug) if item else None


def _navigation(course_slug: str, view: scorm.PackageView | None) -> dict:
    """Where the player's buttons lead, and each package item's status, for the page and its script."""
    if view is None:
        return {"previous": None, "next": None, "statuses": {}, "targets": {}, "courseNext": None,
                "nextLocked": None}
    leaves = list(scorm.leaves(view.nodes))
    return {"previous": _item_url(course_slug, view.previous), "next": _item_url(course_slug, view.next),
            "statuses": view.statuses(),
            # Where a 2004 "{target=ID}choice" request leads: the items that are not locked, by identifier.
            "targets": {leaf.item.launch["identifier"]: _item_url(course_slug, leaf.item)
                        for leaf in leaves if leaf.status != "locked"},
            "courseNext": _course_item_url(course_slug, view.course_next),
            "nextLocked": view.next_locked.title if view.next_locked else None}


@bp.route("/courses/<slug>/<any(sco, asset):kind>/<item_slug>")
@login_required
def item(slug: str, kind: str, item_slug: str):
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    enrollment = learning.enrollment_for(current_user, course)
    if enrollment is None:
        flash(_("Enroll in the course first to open its lessons and quizzes."), "info")
        return redirect(url_for("learning.course", slug=slug))
    version = outline(enrollment.version_id)
    current = version.item(kind, item_slug)
    if current is None or not current.launch:
        abort(404)
    view = scorm.package_view(current_user, enrollment, current)
    nav = _navigation(slug, view)
    context = {"course": course, "version": version, "item": current, "view": view, "nav": nav,
               "exit_url": url_for("learning.course", slug=slug)}
    if view is not None and view.current.status == "locked":
        return _no_store(Response(render_template("lms/launch/scorm_player.html", locked=True, scorm_config=None,
                                                  **context)))
    if kind == "asset":
        if scorm_runtime.asset_viewed(current_user, enrollment, current):
            session.commit()
        return _no_store(Response(render_template("lms/launch/scorm_player.html", locked=False, scorm_config=None,
                                                  content_url=_content_url(current.launch), **context)))
    launched = scorm_runtime.launch(current_user, enrollment, current)
    session.commit()
    attempt = launched.attempt
    base = {"attempt_id": attempt.attempt_id, "token": launched.token, "session": attempt.session_key}
    config = {
        "version": attempt.version,
        "cmi": launched.cmi,
        "initializeUrl": url_for("scorm.initialize", **base),
        "commitUrl": url_for("scorm.commit", **base),
        "contentUrl": _content_url(current.launch),
        "exitUrl": context["exit_url"],
        "isReview": launched.is_review,
        "timeLimit": _time_limit(attempt.version, launched.cmi),
        "nav": nav,
        "texts": _player_texts(),
    }
    return _no_store(Response(render_template(
        "lms/launch/scorm_player.html", locked=False, scorm_config=config, launched=launched,
        runtime_url=url_for("scorm.runtime_script", name=RUNTIME_FILES[attempt.version],
                            v=_scorm_again_version()),
        **context)))


def _time_limit(version: str, cmi: dict) -> dict | None:
    """The SCO's time limit as the player applies it: seconds left in the attempt and what to do then."""
    allowed = cmi.get("cmi.student_data.max_time_allowed" if version == "1.2" else "cmi.max_time_allowed")
    if not allowed:
        return None
    try:
        seconds = duration_seconds(allowed) - duration_seconds(cmi.get(MODELS[version].total_time) or "PT0S")
    except ValueError:
        return None
    action = cmi.get("cmi.student_data.time_limit_action" if version == "1.2" else "cmi.time_limit_action") or \
        "continue,no message"
    return {"seconds": max(0, seconds), "action": action}


def _player_texts() -> dict:
    return {
        "saving": _("Saving your progress…"),
        "saved": _("Your progress is saved."),
        "failed": _("Your progress could not be saved. Check your connection; it is sent again with the next "
                    "change."),
        "ended": _("This part has ended. Choose where to go next."),
        "timeUp": _("The time allowed for this part is over."),
        "timeUpExit": _("The time allowed for this part is over, so it has been closed. Your progress is saved."),
        "done": _("done"),
        "todo": _("not done yet"),
        "lockedWord": _("locked"),
    }


def _json_error(status: int, message: str, version: str = "2004"):
    return jsonify({"result": "false", "errorCode": COMMIT_FAILURE.get(version, 391), "error": message}), status


def _attempt_or_error(attempt_id: str, token: str):
    if not current_user.is_authenticated:
        return None, _json_error(401, _("Your progress was not saved: you are signed out. Sign in again, then "
                                        "reopen this lesson."))
    attempt = scorm_runtime.attempt_by_token(attempt_id, token, current_user)
    if attempt is None:
        return None, _json_error(403, _("Your progress was not saved: this page is out of date. Reload it."))
    return attempt, None


def _nav_answer(attempt) -> dict:
    """The package's statuses and where Next and Previous lead now, so the page updates without a reload."""
    enrollment = session.execute(select(Enrollment).filter_by(registration=attempt.registration)).scalar_one()
    version = outline(enrollment.version_id)
    item = version.item("sco", attempt.sco)
    if item is None:
        return _navigation(version.course.slug, None)
    return _navigation(version.course.slug, scorm.package_view(current_user, enrollment, item))


@bp.route("/attempts/<attempt_id>/<token>/initialize", methods=["POST"])
def initialize(attempt_id: str, token: str):
    """Content called Initialize (LMSInitialize in 1.2)."""
    attempt, error = _attempt_or_error(attempt_id, token)
    if error:
        return error
    try:
        scorm_runtime.initialize(attempt, request.args.get("session", ""))
    except scorm_runtime.ScoUnavailable as problem:
        session.rollback()
        return _json_error(409, str(problem), attempt.version)
    session.commit()
    return _no_store(jsonify({"result": "true", "errorCode": 0}))


@bp.route("/attempts/<attempt_id>/<token>/commit", methods=["POST"])
def commit(attempt_id: str, token: str):
    """A commit of the SCO's data: JSON from the player, or ``text/plain`` JSON from sendBeacon (the last commit
    of a page being left); ``terminate: true`` in it marks the commit that came with Terminate."""
    attempt, error = _attempt_or_error(attempt_id, token)
    if error:
        return error
    if (request.content_length or 0) > scorm_runtime.MAX_COMMIT_BYTES:
        return _json_error(413, "The commit is too large.", attempt.version)
    raw = request.get_data(cache=False)
    if len(raw) > scorm_runtime.MAX_COMMIT_BYTES:
        return _json_error(413, "The commit is too large.", attempt.version)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _json_error(400, "The commit is not JSON.", attempt.version)
    if not isinstance(payload, dict):
        return _json_error(400, "The commit is not a JSON object of data model elements.", attempt.version)
    terminate = payload.pop("terminate", False) is True or request.args.get("terminate") == "true"
    values = {name: value for name, value in flatten(payload).items() if name.startswith(("cmi.", "adl."))}
    try:
        result = scorm_runtime.commit(attempt, values, session_key=request.args.get("session", ""),
                                      terminate=terminate)
    except scorm_runtime.ScoUnavailable as problem:
        session.rollback()
        return _json_error(409, str(problem), attempt.version)
    session.commit()
    answer = {"result": "true", "errorCode": 0, "ended": result.has_ended, "ignored": result.is_ignored,
              "refused": {name: {"code": problem.code, "message": problem.message}
                          for name, problem in result.errors.items()}}
    answer["nav"] = _nav_answer(attempt)
    return _no_store(jsonify(answer))


# --- files ----------------------------------------------------------------------------------------------------

@bp.route("/content/<digest>/<path:name>")
@login_required
def content(digest: str, name: str):
    """A file of a stored SCORM package (folders are never listed; the content type is never sniffed)."""
    if not scorm.is_scorm_package(digest):
        abort(404)
    path = packages.file_path(digest, name)
    if path is None:
        abort(404)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = False
    response.cache_control.private = True  # behind sign-in: kept by the learner's browser, not shared caches
    return response


def scorm_again_dir() -> Path:
    """Where scorm-again's built files are: LMS_SCORM_AGAIN_DIR, else node_modules/ (``make install``)."""
    configured = current_app.config.get("LMS_SCORM_AGAIN_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "node_modules" / "scorm-again" / "dist"


def _scorm_again_version() -> str:
    try:
        return json.loads((scorm_again_dir().parent / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "0"


@bp.route("/runtime/<any('scorm12.min.js', 'scorm2004.min.js'):name>")
def runtime_script(name: str):
    """scorm-again's SCORM API for the player page, from the npm package ``make install`` puts in node_modules."""
    path = scorm_again_dir() / name
    if not path.is_file():
        return Response("/* The SCORM player is not installed: run `make install` (npm ci). */\n", status=503,
                        mimetype="text/javascript")
    response = send_file(path, mimetype="text/javascript", conditional=True, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


CSRF_EXEMPT = (initialize, commit)
