"""The xAPI 1.0.3 HTTP API at /xapi: Statements and About here; documents, Activities and Agents in
``document_views``. Every resource goes through ``resource()``: CORS preflight, the alternate request syntax,
the method, the version header, authentication, and one commit."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, request, url_for
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from lms.db import session, utcnow
from lms.xapi import attachments, statements
from lms.xapi.credentials import Principal, authenticate
from lms.xapi.protocol import (
    SUPPORTED_VERSIONS,
    XAPIError,
    XAPIRequest,
    bad_request,
    check_version,
    current_request,
    decorate,
    error_response,
    http_date,
    iso,
    json_response,
    parse_bool,
)

bp = Blueprint("xapi", __name__, url_prefix="/xapi")
# Every resource route takes every method, so that one the resource lacks gets the xAPI 405 (with the xAPI
# headers) from resource() rather than Flask's own page.
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


@bp.after_request
def _decorate(response: Response) -> Response:
    if request.endpoint == "xapi.statements_resource":
        # Every response of the Statement resource says how far the store is consistent, errors included; a GET
        # has already set the moment its query started.
        response.headers.setdefault(CONSISTENT_THROUGH, iso(utcnow()))
    return decorate(response)


@bp.errorhandler(XAPIError)
def _xapi_error(error: XAPIError):
    session.rollback()
    return error_response(error)


@bp.errorhandler(404)
def _not_found(error):
    return error_response(XAPIError(404, "no such xAPI resource"))


@bp.errorhandler(405)
def _not_allowed(error):
    return error_response(XAPIError(405, "this xAPI resource does not take that method"))


def resource(handlers: dict, needs_auth: bool = True, needs_version: bool = True):
    """Route a resource's methods to ``handlers`` (method -> function(xapi_request, principal))."""

    def decorator(endpoint):
        @wraps(endpoint)
        def view(**kwargs):
            if request.method == "OPTIONS":
                return Response(status=200)
            xapi_request = current_request()
            method = "GET" if xapi_request.method == "HEAD" else xapi_request.method
            handler = handlers.get(method)
            if handler is None:  # before authentication: a method the resource lacks is 405 for anyone
                raise XAPIError(405, f"{xapi_request.method} is not allowed on this resource")
            if needs_version:
                check_version(xapi_request)
            principal = _principal(xapi_request) if needs_auth else None
            response = handler(xapi_request, principal)
            session.commit()
            if xapi_request.method == "HEAD":
                response.set_data(b"")
            return response

        return view

    return decorator


def _principal(xapi_request: XAPIRequest) -> Principal:
    principal = authenticate(xapi_request.headers.get("Authorization"))
    if principal is None:
        raise XAPIError(401, "a valid LRS credential is required (HTTP Basic authentication)",
                        {"WWW-Authenticate": 'Basic realm="xAPI"'})
    return principal


# --- About -------------------------------------------------------------------------------------------------

def _about(xapi_request: XAPIRequest, principal) -> Response:
    return json_response({"version": list(SUPPORTED_VERSIONS), "extensions": {}})


@bp.route("/about", methods=ALL_METHODS)
@resource({"GET": _about}, needs_auth=False, needs_version=False)
def about():
    """xAPI About resource."""


# --- Statements --------------------------------------------------------------------------------------------

def _read_statements_body(xapi_request: XAPIRequest) -> tuple[list | dict, list]:
    """The statements of a POST or PUT body and the attachment contents it carries."""
    if xapi_request.content_type == "multipart/mixed":
        parsed, files = attachments.parse_multipart(xapi_request.headers.get("Content-Type", ""), xapi_request.body)
    elif xapi_request.content_type in ("application/json", ""):
        parsed, files = xapi_request.json_body("the statement body"), {}
    else:
        raise bad_request("statements are sent as application/json or multipart/mixed")
    batch = parsed if isinstance(parsed, list) else [parsed]
    if not all(isinstance(statement, dict) for statement in batch):
        raise bad_request("the body must be a statement object or an array of statement objects")
    contents = attachments.check_and_collect(batch, files)
    return parsed, contents


def _post_statements(xapi_request: XAPIRequest, principal: Principal) -> Response:
    if xapi_request.args:
        raise bad_request("POST /statements takes no parameters: " + ", ".join(xapi_request.args.keys()))
    parsed, contents = _read_statements_body(xapi_request)
    batch = parsed if isinstance(parsed, list) else [parsed]
    if not batch:
        raise bad_request("the batch holds no statements")
    ids = statements.store(batch, principal)
    attachments.store_contents(contents)
    return json_response(ids)


def _put_statement(xapi_request: XAPIRequest, principal: Principal) -> Response:
    statement_id = xapi_request.args.get("statementId")
    if not statement_id:
        raise bad_request("PUT /statements needs the statementId parameter")
    if set(xapi_request.args.keys()) != {"statementId"}:
        raise bad_request("PUT /statements takes only the statementId parameter")
    parsed, contents = _read_statements_body(xapi_request)
    if not isinstance(parsed, dict):
        raise bad_request("PUT /statements takes a single statement")
    if "id" in parsed and str(parsed["id"]).lower() != statement_id.lower():
        raise bad_request("the statement's id differs from the statementId parameter")
    parsed = {**parsed, "id": statement_id}
    statements.store([parsed], principal)
    attachments.store_contents(contents)
    return Response(status=204)


def _get_statements(xapi_request: XAPIRequest, principal: Principal) -> Response:
    if not (principal.may("statements/read") or principal.may("statements/read/mine")):
        raise XAPIError(403, "this credential may not read statements")
    args = xapi_request.args
    # From the request as the client meant it: the alternate syntax may carry Accept-Language as a form field.
    accepted = parse_accept_header(xapi_request.headers.get("Accept-Language"), LanguageAccept)
    languages = [language for language, _ in accepted] or ["en-US"]
    consistent = {CONSISTENT_THROUGH: iso(utcnow())}
    if "statementId" in args or "voidedStatementId" in args:
        return _get_one(args, principal, languages, consistent)
    if "more" in args:
        if len(args) != 1:
            raise bad_request("the more parameter cannot be combined with others")
        query, cursor = statements.read_more_token(args["more"])
    else:
        query, cursor = statements.Query.from_args(args), None
    rows, next_cursor = statements.run_query(query, principal, cursor)
    result = [statements.formatted(row.full, query.format, languages) for row in rows]
    more = url_for("xapi.statements_resource", more=statements.more_token(query, next_cursor)) if next_cursor else ""
    document = {"statements": result, "more": more}
    last_modified = max((row.stored_at for row in rows), default=utcnow())
    headers = {**consistent, "Last-Modified": http_date(last_modified)}
    if query.attachments:
        body, content_type = attachments.multipart_response(document, result)
        response = Response(body, status=200, content_type=content_type)
        for name, value in headers.items():
            response.headers[name] = value
        return response
    return json_response(document, headers=headers)


def _get_one(args, principal: Principal, languages: list[str], headers: dict) -> Response:
    extra = set(args.keys()) - statements.SINGLE_PARAMS
    if extra:
        raise bad_request("statementId and voidedStatementId cannot be combined with: " + ", ".join(sorted(extra)))
    if "statementId" in args and "voidedStatementId" in args:
        raise bad_request("give statementId or voidedStatementId, not both")
    voided = "voidedStatementId" in args
    statement_id = args["voidedStatementId" if voided else "statementId"]
    fmt = args.get("format", "exact")
    if fmt not in statements.FORMATS:
        raise bad_request(f"the parameter format must be one of {', '.join(statements.FORMATS)}")
    row = statements.get_one(statement_id, voided, principal)
    result = statements.formatted(row.full, fmt, languages)
    headers = {**headers, "Last-Modified": http_date(row.stored_at)}
    if parse_bool(args.get("attachments"), "attachments"):
        body, content_type = attachments.multipart_response(result, [result])
        response = Response(body, status=200, content_type=content_type)
        for name, value in headers.items():
            response.headers[name] = value
        return response
    return json_response(result, headers=headers)


@bp.route("/statements", methods=ALL_METHODS)
@resource({"GET": _get_statements, "POST": _post_statements, "PUT": _put_statement})
def statements_resource():
    """xAPI Statement resource."""


@bp.route("/<path:unknown>", methods=ALL_METHODS)
def unknown_resource(unknown: str):
    """Any other path under the xAPI root: an xAPI 404, with the xAPI headers (Flask's own would have none)."""
    raise XAPIError(404, f"there is no xAPI resource {unknown!r}")


from lms.xapi import document_views  # noqa: E402,F401  (registers the document, activity and agent resources)
