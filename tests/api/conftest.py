"""Fixtures for the integration API: a bearer token, and a client that sends it."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_token(runner):
    """make_token(name="test") -> a token value, created with `flask lms api tokens create`."""

    def make(name: str = "test system") -> str:
        result = runner.invoke(args=["lms", "api", "tokens", "create", name])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    return make


class ApiClient:
    def __init__(self, client, token: str | None) -> None:
        self.client, self.token = client, token

    def headers(self, extra=None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def post(self, path: str, **kwargs):
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return self.client.post("/api/v1" + path, **kwargs)

    def delete(self, path: str, **kwargs):
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return self.client.delete("/api/v1" + path, **kwargs)

    def get(self, path: str, **kwargs):
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return self.client.get("/api/v1" + path, **kwargs)

    def import_zip(self, path, **params):
        return self.post("/courses/import", data=path.read_bytes(), query_string=params,
                         headers={"Content-Type": "application/zip"})


@pytest.fixture
def api(client, make_token) -> ApiClient:
    return ApiClient(client, make_token())
