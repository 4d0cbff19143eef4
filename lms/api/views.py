"""The integration API at /api/v1: token-authenticated JSON endpoints (documented in ``openapi``)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from lms.api import openapi, services
from lms.api.services import ApiError
from lms.catalog.outline import outline
from lms.db import session
from lms.launch import packages
from lms.launch.views import links

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    session.rollback()
    headers = {"WWW-Authenticate": 'Bearer realm="lms"'} if error.status == 401 else {}
    return jsonify({"error": error.message, **error.extra}), error.status, headers


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    # Every answer of the API is JSON, Flask's own errors (404, 405, 413) included.
    return jsonify({"error": error.description or error.name}), error.code


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if services.authenticate(request.headers.get("Authorization")) is None:
            raise ApiError(401, "a valid API token is required: send Authorization: Bearer TOKEN")
        return view(*args, **kwargs)

    return wrapped


def _json_body():
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "the body must be JSON (Content-Type: application/json)")
    return body


@bp.route("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(url_for("api.openapi_document", _external=True).rsplit("/", 1)[0]))


@bp.route("/courses/import", methods=["POST"])
@token_required
def import_course():
    limit = current_app.config["LMS_PACKAGE_MAX_BYTES"]
    if request.content_length and request.content_length > limit:
        raise ApiError(413, f"the package is larger than the limit of {limit // (1024 * 1024)} MB")
    result = services.import_course(request.get_data(), request.content_type or "",
                                    request.args.get("course") or None)
    session.commit()
    version = outline(result.version_id)
    return jsonify({"id": result.course.id, "slug": result.course.slug, "version": version.number,
                    "outcome": result.outcome, "kind": result.kind,
                    "aus": sum(1 for item in version.items if item.launch), "warnings": result.warnings}), 201


@bp.route("/courses/<int:course_id>", methods=["DELETE"])
@token_required
def delete_course(course_id: int):
    orphaned = services.delete_course(course_id)
    session.commit()
    for digest in orphaned:  # after the commit: files must outlive any rollback of the rows that point at them
        packages.remove_files(digest)
    return "", 204


@bp.route("/launches", methods=["POST"])
@token_required
def launch():
    launched = services.launch_for_agent(services.LaunchRequest.from_json(_json_body()), links())
    session.commit()
    return jsonify({"url": launched.url, "session": launched.session.session_id,
                    "registration": launched.session.registration,
                    "launchMethod": "OwnWindow" if launched.is_own_window else "AnyWindow"}), 201


@bp.route("/registrations/<registration>/waive", methods=["POST"])
@token_required
def waive(registration: str):
    body = _json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    index, reason = body.get("au"), body.get("reason")
    if isinstance(index, bool) or not isinstance(index, int):
        raise ApiError(400, "au must be the 0-based index of an assignable unit, in course-structure order")
    statement_id = services.waive(registration, index, reason)
    session.commit()
    return jsonify({"statement": statement_id})


@bp.route("/sessions/<session_id>/abandon", methods=["POST"])
@token_required
def abandon(session_id: str):
    statement_id = services.abandon(session_id)
    session.commit()
    return jsonify({"statement": statement_id})


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(unknown: str):
    """Any other path or method under /api/v1: a JSON 404 or 405 (the site's own error pages are HTML)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api.unknown":
            allowed.add(method)
    if allowed:
        return jsonify({"error": f"{request.method} is not allowed here"}), 405, {"Allow": ", ".join(sorted(allowed))}
    return jsonify({"error": f"there is no API endpoint /api/v1/{unknown}"}), 404
