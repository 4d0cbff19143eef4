"""State, Activity Profile, Agent Profile, Activities and Agents resources (xAPI 1.0.3 Communication 2.2-2.7).

Registered on the blueprint of ``views`` (which imports this module at its end); each resource goes through
``resource()`` like the Statement resource, so HEAD, the alternate request syntax and the version check apply.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response

from lms.xapi import documents
from lms.xapi.credentials import Principal
from lms.xapi.documents import ACTIVITY_PROFILE, AGENT_PROFILE, STATE, DocumentResource
from lms.xapi.models import Document
from lms.xapi.protocol import XAPIRequest, bad_request, http_date, json_response
from lms.xapi.views import ALL_METHODS, bp, resource

# --- request and response pieces ---------------------------------------------------------------------------


def _address(spec: DocumentResource, method: str, xapi_request: XAPIRequest,
             principal: Principal) -> documents.DocumentAddress:
    # ``method`` is the handler's own: a HEAD request reaches the GET handler (see ``resource()``).
    documents.check_documents_scope(principal)
    address = documents.parse_address(spec, xapi_request.args, method)
    documents.check_access(principal, address, method)
    return address


def _preconditions(xapi_request: XAPIRequest) -> documents.Preconditions:
    return documents.Preconditions(if_match=xapi_request.headers.get("If-Match"),
                                   if_none_match=xapi_request.headers.get("If-None-Match"))


def _content(xapi_request: XAPIRequest) -> documents.Content:
    content_type = xapi_request.headers.get("Content-Type")
    if not xapi_request.body and not content_type:
        raise bad_request("the request carries no document: send it as the body, with its Content-Type")
    return documents.Content(xapi_request.body, content_type or documents.DEFAULT_CONTENT_TYPE)


def _document_response(document: Document) -> Response:
    response = Response(document.content, status=200, content_type=document.content_type)
    response.headers["ETag"] = f'"{document.etag}"'
    response.headers["Last-Modified"] = http_date(document.updated_at)
    return response


def _ids_response(ids: list[str], last_modified: datetime | None) -> Response:
    response = json_response(ids)
    response.headers["ETag"] = f'"{documents.etag_of(response.get_data())}"'
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return response


def _no_content() -> Response:
    return Response(status=204)


# --- the three document resources --------------------------------------------------------------------------

def _handlers(spec: DocumentResource) -> dict:
    """The GET, PUT, POST and DELETE handlers of one document resource."""

    def get(xapi_request: XAPIRequest, principal: Principal) -> Response:
        address = _address(spec, "GET", xapi_request, principal)
        if address.document_id is None:
            return _ids_response(*documents.list_ids(address))
        return _document_response(documents.get_document(address))

    def put(xapi_request: XAPIRequest, principal: Principal) -> Response:
        address = _address(spec, "PUT", xapi_request, principal)
        documents.put_document(address, _content(xapi_request), _preconditions(xapi_request))
        return _no_content()

    def post(xapi_request: XAPIRequest, principal: Principal) -> Response:
        address = _address(spec, "POST", xapi_request, principal)
        documents.post_document(address, _content(xapi_request), _preconditions(xapi_request))
        return _no_content()

    def delete(xapi_request: XAPIRequest, principal: Principal) -> Response:
        address = _address(spec, "DELETE", xapi_request, principal)
        if address.document_id is None:
            documents.delete_documents(address)
        else:
            documents.delete_document(address, _preconditions(xapi_request))
        return _no_content()

    return {"GET": get, "PUT": put, "POST": post, "DELETE": delete}


@bp.route("/activities/state", methods=ALL_METHODS)
@resource(_handlers(STATE))
def state_resource():
    """xAPI State resource."""


@bp.route("/activities/profile", methods=ALL_METHODS)
@resource(_handlers(ACTIVITY_PROFILE))
def activity_profile_resource():
    """xAPI Activity Profile resource."""


@bp.route("/agents/profile", methods=ALL_METHODS)
@resource(_handlers(AGENT_PROFILE))
def agent_profile_resource():
    """xAPI Agent Profile resource."""


# --- Activities and Agents ---------------------------------------------------------------------------------

def _get_activity(xapi_request: XAPIRequest, principal: Principal) -> Response:
    documents.check_known_params(xapi_request.args, {"activityId"})
    activity_id = documents.parse_activity_id(documents.required_param(xapi_request.args, "activityId"))
    return json_response(documents.activity_object(activity_id))


def _get_agent(xapi_request: XAPIRequest, principal: Principal) -> Response:
    documents.check_known_params(xapi_request.args, {"agent"})
    agent = documents.parse_agent(documents.required_param(xapi_request.args, "agent"))
    documents.check_may_read_agent(principal, agent)
    return json_response(documents.person(agent))


@bp.route("/activities", methods=ALL_METHODS)
@resource({"GET": _get_activity})
def activities_resource():
    """xAPI Activities resource."""


@bp.route("/agents", methods=ALL_METHODS)
@resource({"GET": _get_agent})
def agents_resource():
    """xAPI Agents resource."""

