"""A real LMS process for tests that need one: migrated in-process, then served by gunicorn on a loopback port.

Used as the external LRS of the forwarding tests and as the server the independent ``tincan`` client talks to.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from lms import create_app
from lms.core.config import sqlite_url
from lms.xapi.credentials import basic_auth_header
from tests.conftest import ROOT

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LiveLMS:
    """An LMS in its own instance folder, migrated in-process and served by gunicorn (one worker)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.url = self.base_url + "/xapi/"
        self.process: subprocess.Popen | None = None
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url(str(folder)), "SECRET_KEY": "remote-secret",
                               "LMS_BASE_URL": self.base_url, "TESTING": True})
        self.app.instance_path = str(folder)
        self._cli(["lms", "db", "upgrade"])
        self.key, self.secret = self.create_credential("forwarder")
        self.reader = basic_auth_header(*self.create_credential("reader", "statements/read"))

    def _cli(self, args: list[str]) -> str:
        result = self.app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        with self.app.app_context():
            self.app.extensions["lms"].db.engine.dispose()
        return result.output

    def create_credential(self, name: str, *scopes: str) -> tuple[str, str]:
        """A credential on the remote, made the way an admin would: ``flask lms xapi clients create``."""
        options = [arg for scope in scopes for arg in ("--scope", scope)]
        key, secret = self._cli(["lms", "xapi", "clients", "create", name, *options]).split()
        return key, secret

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_DATABASE_URL", "LMS_XAPI_FORWARD"))}
        env.update({"LMS_INSTANCE_PATH": str(self.folder), "LMS_BASE_URL": self.base_url,
                    "LMS_SECRET_KEY": "remote-secret", "PYTHONUNBUFFERED": "1"})
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "1", "-b", f"{HOST}:{self.port}", "wsgi:app"]
        with open(self.folder / "gunicorn.log", "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.folder / "gunicorn.log").read_text()
            try:
                if httpx.get(self.url + "about", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("the remote LRS did not start:\n" + (self.folder / "gunicorn.log").read_text())

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None

    def _headers(self, authorization: str) -> dict:
        return {"X-Experience-API-Version": "1.0.3", "Authorization": authorization}

    def statement_ids(self, registration: str) -> list[str]:
        """The ids the remote holds for one registration, in the order it stored them."""
        response = httpx.get(self.url + "statements", headers=self._headers(self.reader),
                             params={"registration": registration, "ascending": "true", "limit": "500"})
        assert response.status_code == 200, response.text
        return [statement["id"] for statement in response.json()["statements"]]

    def fetch(self, statement_id: str) -> dict:
        response = httpx.get(self.url + "statements", headers=self._headers(self.reader),
                             params={"statementId": statement_id})
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, statement: dict) -> httpx.Response:
        return httpx.post(self.url + "statements", json=statement,
                          headers=self._headers(basic_auth_header(self.key, self.secret)))

