"""A learner's way through the demo course in a real Chromium: on a phone in Chinese, and on a desktop.

The assertions rest on structure, URLs and values (not on translated words), so they hold before and after the
Chinese catalogue lands. Screenshots go to a temp dir (or $LMS_E2E_SCREENSHOTS) for a human to look at.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.catalog.loader import parse_course
from tests.conftest import COURSES

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

COURSE = "labor-contract-basics"
QUIZ = "contract-check"

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"

# Every <img> has an alt attribute; every visible form control has a label (or an ARIA name); buttons have text.
ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const describe = el => el.outerHTML.slice(0, 160);
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt: ' + describe(img));
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    if (!shown(el)) continue;
    const named = (el.labels && [...el.labels].some(label => label.textContent.trim()))
      || (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby');
    if (!named) problems.push('control without label: ' + describe(el));
  }
  for (const el of document.querySelectorAll('button, input[type=submit], input[type=button]')) {
    if (!shown(el)) continue;
    const name = el.tagName === 'INPUT' ? el.value : el.textContent;
    if (!(name || '').trim() && !(el.getAttribute('aria-label') || '').trim()) {
      problems.push('button without text: ' + describe(el));
    }
  }
  return problems;
}"""

# Buttons and button-like links must be at least 44 px high (tap targets).
SMALL_TAP_TARGETS = """() => [...document.querySelectorAll(
    'button, input[type=submit], a.button, .item-nav a, .pager a, header.site nav a, select')]
  .filter(el => el.getClientRects().length > 0)
  .filter(el => el.getBoundingClientRect().height < 43.5)
  .map(el => el.outerHTML.slice(0, 120))"""


def _right_answers(app) -> dict[str, list[str]]:
    """The right answers of the demo quiz, read from the database (form field name -> values to tick)."""
    from lms.catalog.models import CourseItem
    from lms.db import session

    with app.app_context():
        quiz = session.execute(select(CourseItem).filter_by(kind="quiz", slug=QUIZ)).scalars().first()
        answers = {}
        for question in quiz.quiz["questions"]:
            if question["type"] == "true_false":
                answers[f"q-{question['id']}"] = [str(question["answer"]).lower()]
            else:
                answers[f"q-{question['id']}"] = [o["id"] for o in question["options"] if o.get("correct")]
        return answers


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/account/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(user.email)
    form.locator("input[name=password]").fill(user.password)
    with page.expect_navigation():
        form.locator("input[type=submit]").click()
    assert page.url == f"{base}/my-learning", "signing in should land on My learning"
    assert page.locator("p.flash.flash-success").count() == 1


def _check_page(page, shots, name: str) -> None:
    """No horizontal scroll, accessible images and controls, big enough tap targets; then a screenshot."""
    assert page.evaluate(NO_HORIZONTAL_SCROLL), (
        f"{name}: the page scrolls sideways "
        f"(scrollWidth {page.evaluate('document.documentElement.scrollWidth')} > {page.viewport_size['width']})")
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == [], name
    assert page.evaluate(SMALL_TAP_TARGETS) == [], name
    css = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "PingFang SC" in css, "the stylesheet is not applied"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_phone_learner_signs_in_enrols_reads_and_sees_progress(live_server, new_page, make_user, synced, shots):
    learner = make_user(language="zh-Hans", audience="worker", display_name="王芳")
    page = new_page(**PHONE)

    _sign_in(page, live_server, learner)
    assert page.get_attribute("html", "lang") == "zh-Hans"
    _check_page(page, shots, "phone-0-my-learning-empty")

    page.locator("header.site a[href='/']").first.click()
    page.wait_for_url(f"{live_server}/")
    assert page.locator("ul.cards > li.card").count() >= 1
    _check_page(page, shots, "phone-1-catalog")

    page.locator(f"ul.cards a[href='/courses/{COURSE}']").click()
    page.wait_for_url(f"{live_server}/courses/{COURSE}")
    _check_page(page, shots, "phone-2-course-before-enrolling")

    with page.expect_navigation():
        page.locator(f"main form[action='/courses/{COURSE}/enroll'] input[type=submit]").click()
    assert page.url == f"{live_server}/courses/{COURSE}/lesson/why-in-writing"
    assert page.locator("article.lesson h1").count() == 1
    assert page.get_attribute("article.lesson", "lang") == "zh-Hans"
    _check_page(page, shots, "phone-3-lesson-1")

    page.locator("nav.item-nav a[rel=next]").click()
    page.wait_for_url(f"{live_server}/courses/{COURSE}/lesson/double-wages")
    assert page.locator("nav.item-nav a[rel=prev]").count() == 1
    _check_page(page, shots, "phone-4-lesson-2")

    page.goto(f"{live_server}/courses/{COURSE}/quiz/{QUIZ}")  # looking does not count as an attempt
    assert page.locator("fieldset.question").count() >= 1
    _check_page(page, shots, "phone-5-quiz")

    page.locator("header.site a[href='/my-learning']").click()
    page.wait_for_url(f"{live_server}/my-learning")
    course = parse_course(COURSES / COURSE)
    card = page.locator("main section.card").filter(has=page.locator(f"a[href='/courses/{COURSE}']"))
    assert card.count() == 1
    course_percent = str(round(100 * 2 / len(course.items)))  # two lessons read
    assert card.locator(".progress progress").first.get_attribute("value") == course_percent
    assert card.locator(".progress span").first.inner_text().strip() == course_percent + "%"
    resume = card.locator("a.button.primary")
    third = course.items[2]
    assert resume.get_attribute("href") == f"/courses/{COURSE}/{third.kind}/{third.slug}"
    module_values = [bar.get_attribute("value") for bar in card.locator("ul.modules progress").all()]
    assert module_values == [str(round(100 * 2 / len(course.modules[0].items)))] + ["0"] * (len(course.modules) - 1)
    _check_page(page, shots, "phone-6-my-learning")

    page.goto(f"{live_server}/courses/{COURSE}")
    assert page.locator("ol.items .status.done").count() == 2
    _check_page(page, shots, "phone-7-course-outline")


def test_desktop_learner_passes_the_quiz(app, live_server, new_page, make_user, synced, shots):
    learner = make_user(audience="employer", display_name="Alex Chen")
    page = new_page(**DESKTOP)

    _sign_in(page, live_server, learner)
    assert page.get_attribute("html", "lang") == "en"
    page.goto(f"{live_server}/courses/{COURSE}")
    _check_page(page, shots, "desktop-1-course")
    with page.expect_navigation():
        page.locator(f"main form[action='/courses/{COURSE}/enroll'] input[type=submit]").click()
    assert page.url.endswith(f"/courses/{COURSE}/lesson/why-in-writing")
    _check_page(page, shots, "desktop-2-lesson")

    page.goto(f"{live_server}/courses/{COURSE}/quiz/{QUIZ}")
    _check_page(page, shots, "desktop-3-quiz")

    # Submitting with nothing ticked marks every question, with the "Error:" text (not colour alone).
    form = page.locator("main form[method=post]")
    with page.expect_navigation():
        form.locator("input[type=submit]").click()
    assert page.locator("fieldset.question.has-error").count() == page.locator("fieldset.question").count()
    assert page.locator("fieldset.question .errors strong").first.inner_text().strip() == "Error:"
    assert page.locator("p.flash.flash-error").count() == 1
    _check_page(page, shots, "desktop-4-quiz-unanswered")

    for name, values in _right_answers(app).items():
        for value in values:
            page.locator(f"input[name='{name}'][value='{value}']").check()
    with page.expect_navigation():
        page.locator("main form[method=post] input[type=submit]").click()
    result = page.locator("p.result")
    assert result.get_attribute("class").split() == ["result", "passed"]
    assert re.search(r"\bPassed\b", result.inner_text())
    assert page.locator("ol.feedback li.wrong").count() == 0
    assert page.locator("ol.feedback li.right").count() >= 1
    _check_page(page, shots, "desktop-5-quiz-passed")

    page.locator("header.site a[href='/my-learning']").click()
    page.wait_for_url(f"{live_server}/my-learning")
    bar = page.locator("main section.card .progress progress").first
    assert int(bar.get_attribute("value")) > 0
    _check_page(page, shots, "desktop-6-my-learning")
