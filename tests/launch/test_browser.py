"""A real AU in a real Chromium: single_au_basic_responsive launched from its LMS page talks to the built-in LRS
with its own cmi5.js (fetch, LMS.LaunchData, statements), and the LMS records what the spec asks of it."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, app, live_server  # noqa: F401  (e2e fixtures)
from tests.launch.conftest import package_path, slug_from, stored, verbs_of

pytestmark = pytest.mark.e2e


def in_chromium(scenario, timeout: float = 180.0):
    """Run ``scenario(page)`` in Debian's Chromium, in a thread with a Playwright of its own: the e2e suite's
    session-wide Playwright may already hold this thread, and the sync API allows one per thread."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    outcome: dict = {}

    def run() -> None:
        try:
            with sync_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    context = browser.new_context(**DESKTOP)
                    context.set_default_timeout(15_000)
                    scenario(context.new_page())
                finally:
                    browser.close()
        except BaseException as error:  # handed to the test's own thread, which raises it
            outcome["error"] = error

    thread = threading.Thread(target=run, name="launch-chromium", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"the browser scenario did not finish in {timeout} seconds")
    if "error" in outcome:
        raise outcome["error"]


def _wait_for(app, verbs: set[str], timeout: float = 20.0) -> list[dict]:  # noqa: F811
    """The stored statements once every verb in ``verbs`` is among them (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        found = stored(app)
        if verbs <= set(verbs_of(found)) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _sign_in(page, live_server, user) -> None:  # noqa: F811
    page.goto(f"{live_server}/account/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(user.email)
    form.locator("input[name=password]").fill(user.password)
    with page.expect_navigation():
        form.locator("input[type=submit]").click()


@pytest.fixture
def geology(app, runner):  # noqa: F811
    result = runner.invoke(args=["lms", "cmi5", "import", str(package_path("single_au_basic_responsive"))])
    assert result.exit_code == 0, result.output
    return slug_from(result.output)


def test_real_au_in_chromium_reports_its_session_to_the_lrs(app, live_server, make_user, geology):  # noqa: F811
    user = make_user(display_name="Browser Learner")

    def scenario(page) -> None:
        _sign_in(page, live_server, user)
        page.goto(f"{live_server}/courses/{geology}")
        page.locator("main form[action$='/enroll'] input[type=submit]").click()
        page.wait_for_url(re.compile(rf".*/launch/courses/{geology}/au/[^/]+$"))
        page.locator("main form[action$='/start'] input[type=submit]").click()
        frame = page.frame_locator(".player iframe")
        # The AU's own cmi5.js fetched its token, read LMS.LaunchData, sent "initialized" and showed its first page.
        frame.locator(".navmenuitem.current").first.wait_for(state="attached")
        assert {"launched", "initialized"} <= set(verbs_of(_wait_for(app, {"initialized"})))

        page.frames[1].evaluate("() => course.gotoPage(course.pageList.indexOf('quiz'))")
        frame.get_by_text("(Select correct answers)").click()
        frame.get_by_text("Submit Answers").click()
        assert {"passed", "completed", "satisfied"} <= set(verbs_of(_wait_for(app, {"passed", "completed",
                                                                                    "satisfied"})))
        frame.get_by_text("Exit the Course").click()  # on the score panel the quiz opened
        # The AU terminates, then sends the browser to the returnURL, which brings the window back to the unit.
        page.wait_for_url(re.compile(rf".*/launch/courses/{geology}/au/[^/]+$"), timeout=20_000)
        assert page.locator(".status.done").is_visible()

    in_chromium(scenario)
    found = _wait_for(app, {"terminated"})
    au_id = next(s["object"]["id"] for s in found if s["verb"]["id"].endswith("/launched"))
    sequence = [verb for verb in verbs_of([s for s in found if s["object"]["id"] == au_id])]
    assert sequence[:2] == ["launched", "initialized"] and sequence[-1] == "terminated", sequence
    assert {"passed", "completed", "satisfied"} <= set(sequence)
    # Everything the AU sent came through the one credential its fetch URL handed out.
    authorities = {s["authority"]["account"]["name"] for s in found if s["object"]["id"] == au_id
                   and s["verb"]["id"].rsplit("/", 1)[-1] in ("initialized", "passed", "completed", "terminated")}
    assert len(authorities) == 1 and authorities.pop().startswith("lrs-client:")


def test_author_uploads_a_package_and_sees_refusals_beside_the_field(app, live_server, make_user):  # noqa: F811
    author = make_user(roles=("author",))
    package = package_path("multi_au_framed")

    def scenario(page) -> None:
        _sign_in(page, live_server, author)
        page.goto(f"{live_server}/launch/import")
        page.set_input_files("input[type=file]", {"name": "notes.zip", "mimeType": "application/zip",
                                                  "buffer": b"PK\x05\x06" + bytes(18)})
        with page.expect_request(lambda request: request.headers.get("x-requested-with") == "XMLHttpRequest"):
            page.locator("main form input[type=submit]").click()
        error = page.locator("#package-upload-errors")
        error.wait_for()
        assert "14.1" in error.inner_text() and page.url.endswith("/launch/import")
        page.set_input_files("input[type=file]", str(package))
        page.locator("main form input[type=submit]").click()
        assert page.locator("#launch-import-progress progress").is_visible()
        page.wait_for_url(re.compile(r".*/courses/[a-z0-9-]+$"), timeout=30_000)
        assert page.locator("p.flash-success").is_visible()

    in_chromium(scenario)
