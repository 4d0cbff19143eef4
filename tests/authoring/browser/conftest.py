"""Browser fixtures for the editor, built on tests/e2e's (the app with CSRF on, served on a loopback port; Debian's
/usr/bin/chromium, never a downloaded browser).

tests/e2e keeps one Playwright for the whole session on the main thread, and a second one there would clash, so
these tests drive their own Chromium from a thread of their own: ``in_chromium(scenario)`` runs
``scenario(new_page)`` there and re-raises whatever it raised.
"""

from __future__ import annotations

import os
import threading

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, app, live_server, shots  # noqa: F401


@pytest.fixture
def in_chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

    def run(scenario) -> None:
        outcome: dict = {}

        def drive() -> None:
            try:
                with sync_api.sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                    contexts = []

                    def new_page(**options):
                        context = browser.new_context(**options)
                        context.set_default_timeout(15_000)
                        contexts.append(context)
                        return context.new_page()

                    try:
                        scenario(new_page)
                    finally:
                        for context in contexts:
                            context.close()
                        browser.close()
            except BaseException as error:  # noqa: BLE001  (handed back to the test's thread below)
                outcome["error"] = error

        thread = threading.Thread(target=drive, name="lms-authoring-browser", daemon=True)
        thread.start()
        thread.join(timeout=300)
        assert not thread.is_alive(), "the browser scenario did not finish in 5 minutes"
        if "error" in outcome:
            raise outcome["error"]

    return run
