"""The xAPI HTTP protocol around every resource: version header, CORS, alternate request syntax, errors.

Views never read Flask's ``request`` for xAPI parameters directly: they read an ``XAPIRequest``, which is the
request as the client meant it (for the alternate syntax, the method, headers and body carried in a form).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from flask import Response, request
from werkzeug.datastructures import Headers, MultiDict

XAPI_VERSION = "1.0.3"
SUPPORTED_VERSIONS = ("1.0.3", "1.0.2", "1.0.1", "1.0.0")
# "1.0" means 1.0.0; any later 1.0 patch (semantic versioning, with a pre-release or build part) is accepted too.
ACCEPTED_VERSION = re.compile(r"1\.0(\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)?")
ALTERNATE_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
# Form fields of an alternate-syntax request that are headers (compared case-insensitively), not parameters.
ALTERNATE_HEADERS = ("authorization", "x-experience-api-version", "content-type", "content-length", "if-match",
                     "if-none-match", "accept-language")
# Of those, the ones that describe the "content" field rather than the HTTP request: the form's value wins.
CONTENT_HEADERS = ("content-type", "content-length")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, "
                                    "X-Experience-API-Version, Accept-Language",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, "
                                     "WWW-Authenticate, X-Experience-API-Version, "
                                     "X-Experience-API-Consistent-Through",
}


class XAPIError(Exception):
    """An error answer of the xAPI API, with its HTTP status and a message that names what is wrong."""

    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def bad_request(message: str) -> XAPIError:
    return XAPIError(400, message)


@dataclass
class XAPIRequest:
    method: str
    args: MultiDict
    headers: Headers
    body: bytes
    is_alternate: bool = False
    form_fields: dict = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json_body(self, what: str = "the request body"):
        """The body parsed as JSON. Raises a 400 XAPIError naming the problem."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise bad_request(f"{what} is not valid JSON: {error}") from None


def current_request() -> XAPIRequest:
    """The request as the client meant it, alternate request syntax unwrapped. Raises XAPIError when malformed."""
    if request.method == "POST" and "method" in request.args:
        return _alternate_request()
    return XAPIRequest(method=request.method, args=request.args, headers=request.headers,
                       body=request.get_data(cache=True))


def _alternate_request() -> XAPIRequest:
    if list(request.args.keys()) != ["method"]:
        raise bad_request("with the alternate request syntax, 'method' must be the only query-string parameter")
    method = request.args["method"].upper()
    if method not in ALTERNATE_METHODS:
        raise bad_request(f"unknown method {method!r} in the alternate request syntax")
    if request.mimetype != "application/x-www-form-urlencoded":
        raise bad_request("an alternate-syntax request must be sent as application/x-www-form-urlencoded")
    fields = MultiDict(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
    headers = Headers(request.headers)
    args = MultiDict()
    for name, value in fields.items(multi=True):
        lowered = name.lower()
        if lowered == "content":
            continue
        if lowered in CONTENT_HEADERS:
            headers.set(name, value)
        elif lowered in ALTERNATE_HEADERS:
            # The form stands in for headers the client could not send: a real HTTP header stays (ADL's suite
            # sends both, and expects the HTTP version header to count).
            headers.setdefault(name, value)
        else:
            args.add(name, value)
    # Headers compare names case-insensitively: a lower-case content-type form field counts.
    if "Content-Type" not in headers or headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"):
        headers.set("Content-Type", "application/json")
    return XAPIRequest(method=method, args=args, headers=headers, body=fields.get("content", "").encode("utf-8"),
                       is_alternate=True)


def check_version(xapi_request: XAPIRequest) -> None:
    """Requests must say which xAPI version they speak: 1.0 or any 1.0.x (Communication 3.3.s3.b3-b5).
    Raises a 400 XAPIError otherwise."""
    version = xapi_request.headers.get("X-Experience-API-Version")
    if not version:
        raise bad_request("the X-Experience-API-Version header is required")
    if not ACCEPTED_VERSION.fullmatch(version.strip()):
        raise bad_request(f"xAPI version {version!r} is not supported (supported: 1.0 and 1.0.x)")


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(error: XAPIError) -> Response:
    return json_response({"error": {"code": error.status, "message": error.message}}, error.status, error.headers)


def decorate(response: Response) -> Response:
    """Headers every xAPI response carries: the version and CORS for browser content."""
    response.headers["X-Experience-API-Version"] = XAPI_VERSION
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def http_date(moment: datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_bool(value: str | None, name: str, default: bool = False) -> bool:
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise bad_request(f"the parameter {name} must be true or false")


def parse_json_param(value: str, name: str):
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise bad_request(f"the parameter {name} is not valid JSON") from None
