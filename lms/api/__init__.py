"""The integration API (/api/v1): JSON over HTTP with a bearer token, for systems that import courses and launch
them for their own users. Its OpenAPI document is served at /api/v1/openapi.json."""
