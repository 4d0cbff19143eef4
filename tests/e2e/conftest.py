"""Browser fixtures: the app served on a real loopback port, and Debian's Chromium driven by Playwright.

The tests never download a browser (no ``playwright install``): they use /usr/bin/chromium and skip when it is
absent. The app here is built with CSRF protection ON, so the real forms (and their tokens) are exercised.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from tests.conftest import _empty_tables, test_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def app(database_url, tmp_path):
    """Overrides tests/conftest.py's ``app``: the same, but with CSRF enabled (make_user, synced, db follow)."""
    app = create_app(test_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    app.instance_path = str(tmp_path)
    yield app
    with app.app_context():
        _empty_tables(app)
        app.extensions["lms"].db.session.remove()
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1 at a free port, served from a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lms-e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(**context_options) -> a page in a fresh browser context; every context is closed afterwards."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: $LMS_E2E_SCREENSHOTS if set (to look at them), else a pytest temp dir."""
    chosen = os.environ.get("LMS_E2E_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
