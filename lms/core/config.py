"""Configuration from ``LMS_*`` environment variables, with defaults for the embedded set-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "LMS_BASE_URL": "http://127.0.0.1:5000",
    "LMS_SELF_REGISTRATION": True,
    "LMS_LOGIN_MAX_FAILURES": 5,
    "LMS_LOGIN_LOCK_MINUTES": 15,
    "LMS_LOGIN_FAILURE_DELAY": 0.5,
    "LMS_PER_PAGE": 20,
}
ENV_KEYS = ("LMS_DATABASE_URL", "LMS_BASE_URL", "LMS_SECRET_KEY", "LMS_COURSES_PATH", "LMS_LOGIN_FAILURE_DELAY",
            "LMS_XAPI_FORWARD_URL", "LMS_XAPI_FORWARD_KEY", "LMS_XAPI_FORWARD_SECRET")


def from_environment() -> dict:
    """The ``LMS_*`` settings present in the environment."""
    found = {key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)}
    if "LMS_LOGIN_FAILURE_DELAY" in found:
        found["LMS_LOGIN_FAILURE_DELAY"] = float(found["LMS_LOGIN_FAILURE_DELAY"])
    return found


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")


def instance_secret(instance_path: str, name: str = "secret_key") -> str:
    """A secret generated once into the instance folder (mode 600) and read from there after."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        # O_EXCL: two workers starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
