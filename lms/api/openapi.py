"""The OpenAPI 3.0 document of the integration API, served at /api/v1/openapi.json. Kept beside the views it
describes; a test checks that every route of the API is in it and that it is valid OpenAPI."""

from __future__ import annotations

from lms.launch.cmi5 import LAUNCH_MODES
from lms.launch.statements import WAIVE_REASONS


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}


def document(server_url: str) -> dict:
    """The OpenAPI document, with ``server_url`` (the API's root as the client reached it) as its server."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Labor Rights LMS integration API",
            "version": "1.0.0",
            "description": (
                "Import cmi5 and Tin Can packages as courses and launch their assignable units (AUs) for your own "
                "users. Every request but this document's carries `Authorization: Bearer TOKEN`; an administrator "
                "creates a token with `flask --app wsgi lms api tokens create NAME`. Requests and answers are JSON "
                "(an import's body is the package itself); an error answer is `{\"error\": message}` with a 4xx "
                "status. The statements the AUs send land in the LMS's own LRS (`/xapi`) and count toward "
                "progress and certificates."),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/courses/import": {"post": {
                "operationId": "importCourse",
                "summary": "Import a cmi5 or Tin Can package as a course",
                "description": (
                    "The body is the package: a zip (`application/zip`) with cmi5.xml or tincan.xml at its root, "
                    "or a bare cmi5.xml (`application/xml` or `text/xml`) whose AUs have absolute URLs. The "
                    "package is checked against CourseStructure.xsd and the cmi5 rules; a refused package stores "
                    "nothing. Importing a package again makes a new version of the course it made before."),
                "parameters": [{"name": "course", "in": "query", "required": False,
                                "description": "Add the package's units to this course (by slug) as new modules.",
                                "schema": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"}}],
                "requestBody": {"required": True, "content": {
                    "application/zip": {"schema": {"type": "string", "format": "binary"}},
                    "application/xml": {"schema": {"type": "string"}},
                    "text/xml": {"schema": {"type": "string"}}}},
                "responses": {
                    "201": {"description": "Imported (or already imported: `outcome` is then `unchanged`).",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Imported"}}}},
                    "400": {"description": "The package is refused: `rule` names the cmi5 rule it breaks.",
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/InvalidPackage"}}}},
                    "401": UNAUTHORIZED,
                    "413": _error("The body is larger than the upload limit."),
                    "415": _error("The Content-Type is neither a zip nor XML."),
                }}},
            "/courses/{id}": {"delete": {
                "operationId": "deleteCourse",
                "summary": "Delete a course with its versions, enrolments and launch sessions",
                "description": "The statements already recorded stay in the LRS.",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"204": {"description": "Deleted."}, "401": UNAUTHORIZED,
                              "404": _error("There is no such course.")}}},
            "/launches": {"post": {
                "operationId": "launch",
                "summary": "Launch an AU for a learner",
                "description": (
                    "The learner is given as an xAPI Agent: this LMS's own account agent, or any Agent, which is "
                    "mapped to an LMS account (made on first sight, with no usable password). The learner is "
                    "enrolled when needed. The answer's `url` opens the AU with the cmi5 launch parameters; open "
                    "it in the learner's browser (its fetch token works once)."),
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/LaunchRequest"}}}},
                "responses": {
                    "201": {"description": "Launched.", "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/Launch"}}}},
                    "400": _error("A field is invalid (named in the message)."), "401": UNAUTHORIZED,
                    "404": _error("There is no such course.")}}},
            "/registrations/{registration}/waive": {"post": {
                "operationId": "waive",
                "summary": "Waive an AU for the learner of a registration",
                "description": "Records `waived` (cmi5 9.3.7) with the reason; the AU then counts as satisfied.",
                "parameters": [{"name": "registration", "in": "path", "required": True,
                                "schema": {"type": "string", "format": "uuid"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/WaiveRequest"}}}},
                "responses": {
                    "200": {"description": "Waived.", "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/StatementAnswer"}}}},
                    "400": _error("A field is invalid."), "401": UNAUTHORIZED,
                    "404": _error("There is no such registration."),
                    "409": _error("The AU is already waived in this registration.")}}},
            "/sessions/{session_id}/abandon": {"post": {
                "operationId": "abandonSession",
                "summary": "Abandon a launch session that will not terminate",
                "description": "Records `abandoned` (cmi5 9.3.6); the session then takes no more statements.",
                "parameters": [{"name": "session_id", "in": "path", "required": True,
                                "schema": {"type": "string", "format": "uuid"}}],
                "responses": {
                    "200": {"description": "Abandoned.", "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/StatementAnswer"}}}},
                    "401": UNAUTHORIZED, "404": _error("There is no such session."),
                    "409": _error("The session has already ended.")}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Unauthorized": _error("No valid token: send `Authorization: Bearer TOKEN`.")},
            "schemas": {
                "Error": {"type": "object", "required": ["error"],
                          "properties": {"error": {"type": "string"}}},
                "InvalidPackage": {"type": "object", "required": ["error", "invalid_package"], "properties": {
                    "error": {"type": "string"}, "invalid_package": {"type": "boolean", "enum": [True]},
                    "rule": {"type": "string", "description": "The rule the package breaks (its cmi5 section)."}}},
                "Imported": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "integer", "description": "The course id."},
                    "slug": {"type": "string"}, "version": {"type": "integer"},
                    "outcome": {"type": "string", "enum": ["created", "updated", "unchanged"]},
                    "kind": {"type": "string", "enum": ["cmi5", "tincan"]},
                    "aus": {"type": "integer", "description": "How many AUs (or Tin Can activities) it has."},
                    "warnings": {"type": "array", "items": {"type": "string"}}}},
                "Agent": {"type": "object", "description": "An xAPI 1.0.3 Agent (with one identifier).",
                          "properties": {"objectType": {"type": "string", "enum": ["Agent"]},
                                         "name": {"type": "string"}, "mbox": {"type": "string"},
                                         "mbox_sha1sum": {"type": "string"}, "openid": {"type": "string"},
                                         "account": {"type": "object", "required": ["homePage", "name"],
                                                     "properties": {"homePage": {"type": "string"},
                                                                    "name": {"type": "string"}}}}},
                "LaunchRequest": {"type": "object", "required": ["course", "au", "actor"], "properties": {
                    "course": {"type": "integer", "description": "The course id."},
                    "au": {"type": "integer", "minimum": 0,
                           "description": "The AU's 0-based index in course-structure order."},
                    "actor": {"$ref": "#/components/schemas/Agent"},
                    "registration": {"type": "string", "format": "uuid",
                                     "description": "The learner's registration in the course; given for a new "
                                                    "enrolment, it becomes its registration."},
                    "launchMode": {"type": "string", "enum": list(LAUNCH_MODES), "default": "Normal"},
                    "returnURL": {"type": "string", "format": "uri",
                                  "description": "Where the AU sends the learner when it exits (default: the "
                                                 "LMS's page of the AU)."}}},
                "Launch": {"type": "object", "required": ["url"], "properties": {
                    "url": {"type": "string", "format": "uri"},
                    "session": {"type": "string", "format": "uuid"},
                    "registration": {"type": "string", "format": "uuid"},
                    "launchMethod": {"type": "string", "enum": ["AnyWindow", "OwnWindow"]}}},
                "WaiveRequest": {"type": "object", "required": ["au", "reason"], "properties": {
                    "au": {"type": "integer", "minimum": 0},
                    "reason": {"type": "string", "enum": list(WAIVE_REASONS)}}},
                "StatementAnswer": {"type": "object", "properties": {
                    "statement": {"type": "string", "format": "uuid", "nullable": True}}},
            },
        },
    }
