"""Fixtures for the xAPI API: credentials and a client that speaks xAPI 1.0.3."""

import json

import pytest

from lms.xapi.credentials import basic_auth_header, create_client

VERSION = "1.0.3"


@pytest.fixture
def make_credential(app):
    """make_credential(scopes=("all",), name="test client") -> the Authorization header value."""

    def make(scopes=("all",), name="test client", **limits):
        from lms.db import session

        with app.app_context():
            client, secret = create_client(name, list(scopes), **limits)
            session.commit()
            return basic_auth_header(client.key, secret)

    return make


class XAPIClient:
    """The Flask test client with the xAPI headers filled in."""

    def __init__(self, client, authorization: str | None) -> None:
        self.client, self.authorization = client, authorization

    def headers(self, extra=None, version=VERSION):
        headers = {}
        if version:
            headers["X-Experience-API-Version"] = version
        if self.authorization:
            headers["Authorization"] = self.authorization
        headers.update(extra or {})
        return headers

    def request(self, method, path, *, json_body=None, data=None, headers=None, version=VERSION, **kwargs):
        if json_body is not None:
            data = json.dumps(json_body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        return self.client.open("/xapi" + path, method=method, data=data,
                                headers=self.headers(headers, version), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def lrs(client, make_credential):
    """An xAPI client with an all-scopes credential."""
    return XAPIClient(client, make_credential())


@pytest.fixture
def anonymous_lrs(client):
    return XAPIClient(client, None)
