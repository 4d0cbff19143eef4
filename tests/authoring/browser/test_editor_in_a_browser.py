"""The course editor in a real Chromium: a new author writes a lesson, sees the live preview (the debounced JSON
endpoint, with CSRF on), saves, sees what is not translated yet, previews as a learner; on a desktop and a phone."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_learner_journey import ACCESSIBILITY_PROBLEMS, NO_HORIZONTAL_SCROLL, SMALL_TAP_TARGETS

pytestmark = pytest.mark.e2e

COURSE = "rest-and-leave"


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/account/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(user.email)
    form.locator("input[name=password]").fill(user.password)
    with page.expect_navigation():
        form.locator("input[type=submit]").click()


def _check(page, shots, name: str) -> None:
    assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{name}: the page scrolls sideways"
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == [], name
    assert page.evaluate(SMALL_TAP_TARGETS) == [], name
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_an_author_writes_a_lesson_with_the_live_preview(live_server, in_chromium, make_user, shots):
    author = make_user(email="writer@example.org", roles=("author",), display_name="Wen Writer")
    in_chromium(lambda new_page: _write_a_lesson(new_page, live_server, author, shots))


def _write_a_lesson(new_page, live_server, author, shots) -> None:
    page = new_page(**DESKTOP)
    _sign_in(page, live_server, author)

    page.locator("header.site a[href='/authoring/']").click()
    page.wait_for_url(f"{live_server}/authoring/")
    with page.expect_navigation():
        page.get_by_role("link", name="New course").click()
    page.fill("#slug", COURSE)
    page.fill("#title_en", "Rest and leave")
    page.fill("#title_zh", "休息与休假")
    page.check("input[name=audience][value=worker]")
    with page.expect_navigation():
        page.locator("main form input[type=submit]").click()
    assert page.url == f"{live_server}/authoring/courses/{COURSE}/edit"
    _check(page, shots, "editor-1-outline-empty")

    page.fill("#add-module input[name=title_en]", "Annual leave")
    with page.expect_navigation():
        page.locator("#add-module input[type=submit]").click()
    page.locator("details.add-item summary").first.click()
    page.fill("input[name='add-annual-leave-title_en']", "Paid annual leave")
    with page.expect_navigation():
        page.locator("details.add-item input[type=submit]").first.click()
    assert page.url == f"{live_server}/authoring/courses/{COURSE}/lesson/paid-annual-leave"

    # The live preview: typing renders through the server, without a page load.
    page.fill("#title_en", "Paid annual leave")
    page.locator("#body_en").type("After one year: **5 days** of paid leave.", delay=5)
    page.wait_for_selector("#preview-en strong")
    assert page.locator("#preview-en strong").inner_text() == "5 days"
    assert page.url.endswith("/lesson/paid-annual-leave")  # still the same page
    zh_column = page.locator(".lang[lang='zh-Hans'] .lang-name")
    assert "Not translated yet" in zh_column.inner_text()
    _check(page, shots, "editor-2-lesson-live-preview")

    with page.expect_navigation():
        page.locator("input[name=save]").click()
    assert page.locator("p.flash.flash-success").count() == 1
    assert "To fix before publishing" in page.locator("main").inner_text()  # the Chinese text is still missing

    page.goto(f"{live_server}/authoring/preview/{COURSE}/lesson/paid-annual-leave")
    assert page.locator("p.preview-banner").count() == 1
    assert page.locator("article.lesson strong").inner_text() == "5 days"
    _check(page, shots, "editor-3-preview-as-learner")

    phone = new_page(**PHONE)
    _sign_in(phone, live_server, author)
    phone.goto(f"{live_server}/authoring/courses/{COURSE}/edit")
    assert phone.locator(".untranslated").count() >= 1
    _check(phone, shots, "editor-4-outline-phone")
    phone.goto(f"{live_server}/authoring/courses/{COURSE}/lesson/paid-annual-leave")
    phone.wait_for_selector("#preview-en strong")  # the saved text is previewed as the page opens
    _check(phone, shots, "editor-5-lesson-phone")
