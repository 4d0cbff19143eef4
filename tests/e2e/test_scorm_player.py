"""The SCORM player in a real Chromium, with the real packages of ../shared/scorm-packages and packages this test
exports itself: open, click through, leave, come back and resume, and see the progress and the stored statements.
Also the author's upload with its progress bar. The broken packages are refused over HTTP
(tests/launch/test_scorm_import.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_COURSE
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_learner_journey import ACCESSIBILITY_PROBLEMS, NO_HORIZONTAL_SCROLL, SMALL_TAP_TARGETS
from tests.launch.test_scorm_support import (
    GOLF_12,
    GOLF_12_MULTI,
    GOLF_2004,
    GOLF_SEQUENTIAL,
    PACKAGES,
    PROFILE,
    import_package,
    real_package,
    scorm_items,
    version_outline,
)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not PACKAGES.is_dir(), reason=f"{PACKAGES} is absent: the real SCORM packages live beside the repository")]


@pytest.fixture(autouse=True)
def _scorm_again(app):
    from lms.launch.scorm_views import scorm_again_dir

    with app.app_context():
        if not (scorm_again_dir() / "scorm2004.min.js").is_file():
            pytest.skip("node_modules/scorm-again is not installed (make install runs npm ci)")


# --- helpers --------------------------------------------------------------------------------------------------

def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/account/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(user.email)
    form.locator("input[name=password]").fill(user.password)
    with page.expect_navigation():
        form.locator("input[type=submit]").click()


def _learner_page(new_page, live_server, make_user, **options):
    page = new_page(**(options or DESKTOP))
    page.on("dialog", lambda dialog: dialog.accept())  # the golf packages confirm() resume and exit
    user = make_user(display_name="Li Ming")
    _sign_in(page, live_server, user)
    return page, user


def _enroll(page, base: str, slug: str) -> None:
    """Enrol from the course page; the LMS opens the first item, here a SCO in the player."""
    page.goto(f"{base}/courses/{slug}")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert "/scorm/courses/" in page.url
    _wait_for_content(page)


def _wait_for_content(page):
    page.frame_locator("#scorm-frame").locator("body").wait_for()


def _golf(page):
    """The golf packages' own page inside the player: its frame with the text, and its navigation buttons."""
    content = page.frame_locator("#scorm-frame")
    content.frame_locator("#contentFrame").locator("body").wait_for()
    return content


def _golf_next(page, times: int) -> None:
    content = _golf(page)
    for _ in range(times):
        content.locator("#butNext").click()
        content.frame_locator("#contentFrame").locator("body").wait_for()


def _golf_to_end(page) -> None:
    """Next until the golf page's own Next is disabled: its last page, where the SCO completes."""
    content = _golf(page)
    while content.locator("#butNext").is_enabled():
        content.locator("#butNext").click()
        content.frame_locator("#contentFrame").locator("body").wait_for()


def _golf_page(page) -> str:
    return _golf(page).locator("#contentFrame").get_attribute("src")


def _leave_with(page, selector: str, base: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()
    page.wait_for_load_state()


def _verbs(app, slug: str, item=None) -> list[str]:
    from lms.db import session
    from lms.tracking.models import Statement

    prefix = f"http://lms.test/xapi/activities/course/{slug}"
    with app.app_context():
        rows = session.execute(select(Statement).order_by(Statement.id)).scalars().all()
        return [row.verb_id.rsplit("/", 1)[-1] for row in rows
                if row.object_activity_id and row.object_activity_id.startswith(
                    f"{prefix}/{item.kind}/{item.slug}" if item else prefix)]


def _scorm_statements(app) -> list[dict]:
    from lms.db import session
    from lms.tracking.models import Statement

    with app.app_context():
        return [row.full for row in session.execute(select(Statement).order_by(Statement.id)).scalars()
                if "category" in (row.full.get("context") or {}).get("contextActivities", {})]


def _done_count(page) -> int:
    return page.locator("main .module .status.done").count()


def _check_page(page, name: str, shots) -> None:
    assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{name}: the page scrolls sideways"
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == [], name
    assert page.evaluate(SMALL_TAP_TARGETS) == [], name
    page.screenshot(path=str(shots / f"scorm-{name}.png"), full_page=True)


# --- the real packages ------------------------------------------------------------------------------------------

def test_scorm_12_single_sco_saves_resumes_and_completes(app, runner, live_server, new_page, make_user, shots):
    slug = import_package(runner, real_package(GOLF_12), "--course", "golf-12")
    page, _ = _learner_page(new_page, live_server, make_user)
    _enroll(page, live_server, slug)
    _golf_next(page, 2)
    where = _golf_page(page)
    assert where != "../Playing/Playing.html"
    _leave_with(page, "#scorm-exit", live_server)
    assert page.url == f"{live_server}/courses/{slug}"
    assert _done_count(page) == 0

    page.locator("main .items a").first.click()
    assert _golf_page(page) == where, "the learner resumes on the page they left"
    _golf_to_end(page)
    _leave_with(page, "#scorm-exit", live_server)
    assert _done_count(page) == 1
    assert page.locator("main .status.done[role=status]").count() == 1  # the course is completed
    item = scorm_items(app, slug)[0]
    assert _verbs(app, slug, item) == ["initialized", "suspended", "resumed", "completed", "terminated"]


def test_scorm_12_multi_sco_player_navigates_and_progress_follows(app, runner, live_server, new_page, make_user,
                                                                  shots):
    slug = import_package(runner, real_package(GOLF_12_MULTI), "--course", "golf-multi")
    page, _ = _learner_page(new_page, live_server, make_user)
    _enroll(page, live_server, slug)
    items = scorm_items(app, slug)
    assert page.locator(".scorm-tree .scorm-leaf").count() == 18
    assert page.locator("#scorm-previous").is_hidden()
    for expected in items[1:4]:
        _leave_with(page, "#scorm-next", live_server)
        assert page.url.endswith(f"/sco/{expected.slug}")
        _wait_for_content(page)
    _check_page(page, "multi-sco-player", shots)
    _leave_with(page, "#scorm-exit", live_server)
    assert _done_count(page) == 4
    with page.expect_navigation():
        page.locator("main p a.button.primary").click()  # "Continue": the first item not done yet
    assert page.url.endswith(f"/sco/{items[4].slug}")
    for item in items[:4]:
        assert _verbs(app, slug, item) == ["initialized", "completed", "terminated"]


def test_scorm_2004_single_sco_exits_by_its_own_button_and_resumes(app, runner, live_server, new_page, make_user,
                                                                   shots):
    slug = import_package(runner, real_package(GOLF_2004), "--course", "golf-2004")
    page, _ = _learner_page(new_page, live_server, make_user, **PHONE)
    _enroll(page, live_server, slug)
    _check_page(page, "2004-player-phone", shots)
    _golf_next(page, 3)
    where = _golf_page(page)
    with page.expect_navigation():  # the content's Exit: suspendAll, and the player returns to the course
        _golf(page).locator("#butExit").click()
    assert page.url == f"{live_server}/courses/{slug}"

    page.locator("main .items a").first.click()
    assert _golf_page(page) == where
    item = scorm_items(app, slug)[0]
    assert _verbs(app, slug, item) == ["initialized", "suspended", "resumed"]
    statement = _scorm_statements(app)[-1]
    assert statement["context"]["contextActivities"]["category"][0]["id"] == PROFILE


def test_forced_sequential_unlocks_each_sco_once_the_previous_is_satisfied(app, runner, live_server, new_page,
                                                                          make_user, shots):
    slug = import_package(runner, real_package(GOLF_SEQUENTIAL), "--course", "golf-sequential")
    page, _ = _learner_page(new_page, live_server, make_user)
    _enroll(page, live_server, slug)
    items = scorm_items(app, slug)
    tree = page.locator(".scorm-tree")
    assert tree.locator(".status.locked").count() == 4
    assert page.locator("#scorm-next").is_hidden() and page.locator("#scorm-next-locked").is_visible()
    _golf_to_end(page)  # the last page: completed and passed, committed
    page.locator("#scorm-next").wait_for(state="visible")
    assert tree.locator(".status.locked").count() == 3
    _check_page(page, "sequential-unlocked", shots)
    _leave_with(page, "#scorm-next", live_server)
    assert page.url.endswith(f"/sco/{items[1].slug}")
    _wait_for_content(page)
    _leave_with(page, "#scorm-exit", live_server)
    assert _done_count(page) == 1

    page.goto(f"{live_server}/scorm/courses/{slug}/sco/{items[2].slug}")  # typed in: still locked
    assert page.locator("#scorm-frame").count() == 0
    assert "Etiquette" in page.locator("main .note").inner_text()
    assert _verbs(app, slug, items[0])[:3] == ["initialized", "completed", "passed"]


# --- packages this test exports -----------------------------------------------------------------------------------

def _correct_answers(app, quiz_title: str) -> dict[str, list[str]]:
    quiz = next(item for item in version_outline(app, DEMO_COURSE).items if item.kind == "quiz")
    assert quiz.title["en"] == quiz_title
    answers = {}
    for question in quiz.quiz["questions"]:
        if question["type"] == "true_false":
            answers[question["id"]] = [str(question["answer"]).lower()]
        else:
            answers[question["id"]] = [option["id"] for option in question["options"] if option.get("correct")]
    return answers


@pytest.mark.parametrize("scorm_version", ["2004", "1.2"])
def test_an_exported_course_plays_back_with_progress_and_statements(app, runner, synced, live_server, new_page,
                                                                    make_user, tmp_path, shots, scorm_version):
    target = tmp_path / "export.zip"
    result = runner.invoke(args=["lms", "scorm", "export", DEMO_COURSE, "--version", scorm_version,
                                 "--output", str(target)])
    assert result.exit_code == 0, result.output
    slug = import_package(runner, target, "--course", f"exported-{scorm_version.replace('.', '')}")
    items = scorm_items(app, slug)
    page, _ = _learner_page(new_page, live_server, make_user)
    _enroll(page, live_server, slug)  # the first lesson: completed as soon as it opens
    page.locator(".scorm-leaf .status.done").first.wait_for()

    quiz = items[-1]
    with page.expect_navigation():
        page.locator(f".scorm-leaf[data-slug='{quiz.slug}'] a").click()
    content = page.frame_locator("#scorm-frame")
    content.locator("form#quiz").wait_for()
    for question, chosen in _correct_answers(app, quiz.title["en"]).items():
        for value in chosen:
            content.locator(f"input[name='{question}'][value='{value}']").check()
    content.locator("form#quiz button[type=submit]").click()
    assert "100%" in content.locator("#quiz-result").inner_text()
    page.locator(f".scorm-leaf[data-slug='{quiz.slug}'] .status.done").wait_for()
    _leave_with(page, "#scorm-exit", live_server)
    assert _done_count(page) == 2

    quiz_verbs = _verbs(app, slug, quiz)
    assert quiz_verbs[0] == "initialized" and quiz_verbs.count("responded") == len(_correct_answers(
        app, quiz.title["en"]))
    assert {"scored", "completed", "passed", "terminated"} <= set(quiz_verbs)
    responded = next(statement for statement in _scorm_statements(app) if statement["verb"]["id"].endswith(
        "responded"))
    assert responded["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert responded["result"]["success"] is True


# --- the author's upload ---------------------------------------------------------------------------------------

def test_an_author_uploads_packages_with_a_progress_bar(app, live_server, new_page, make_user, shots):
    page = new_page(**DESKTOP)
    author = make_user(roles=("author", "learner"))
    _sign_in(page, live_server, author)
    page.goto(f"{live_server}/authoring/")
    with page.expect_navigation():
        page.locator("a[href='/scorm/import']").click()
    _check_page(page, "import-page", shots)

    page.locator("input[name=package]").set_input_files(str(real_package("95_bad_missing_files_scorm12.zip")))
    page.locator("form#scorm-import [type=submit]").click()
    error = page.locator("form#scorm-import ul.errors")
    error.wait_for()
    assert "content/nonexistent.html" in error.inner_text()
    assert page.url == f"{live_server}/scorm/import"  # no page load: the upload went by XMLHttpRequest

    page.locator("input[name=package]").set_input_files(str(real_package(GOLF_2004)))
    with page.expect_navigation():
        page.locator("form#scorm-import [type=submit]").click()
    assert re.search(r"/courses/golf-explained", page.url)
    assert page.locator("p.flash.flash-success").count() == 1


# --- leaving the page, and time limits -----------------------------------------------------------------------------

def _wait_for_verb(app, slug: str, item, verb: str, seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while verb not in _verbs(app, slug, item):
        assert time.monotonic() < deadline, f"no {verb} statement arrived: {_verbs(app, slug, item)}"
        time.sleep(0.2)


def test_leaving_by_another_link_saves_by_beacon_and_resumes(app, runner, live_server, new_page, make_user):
    slug = import_package(runner, real_package(GOLF_12), "--course", "golf-beacon")
    page, _ = _learner_page(new_page, live_server, make_user)
    _enroll(page, live_server, slug)
    _golf_next(page, 3)
    where = _golf_page(page)
    with page.expect_navigation():
        page.locator("header.site a[href='/my-learning']").click()  # not the player's buttons: the page just goes
    item = scorm_items(app, slug)[0]
    _wait_for_verb(app, slug, item, "suspended")
    page.goto(f"{live_server}/courses/{slug}")
    page.locator("main .items a").first.click()
    assert _golf_page(page) == where


TIMED_SCO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Timed</title><script>
var api = window.parent.API;
window.addEventListener("load", function () {
  api.LMSInitialize("");
  api.LMSSetValue("cmi.core.lesson_location", "1");
  api.LMSCommit("");
  document.getElementById("state").textContent = "started";
});
window.addEventListener("unload", function () {
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSFinish("");
});
</script></head><body><p id="state">loading</p></body></html>"""


def test_a_time_limit_with_exit_closes_the_sco_and_says_why(app, runner, live_server, new_page, make_user, tmp_path):
    from tests.launch.test_scorm_support import sco_package, write_package

    items = ('<item identifier="i1" identifierref="res1"><title>Timed test</title>'
             '<adlcp:maxtimeallowed>00:00:02</adlcp:maxtimeallowed>'
             '<adlcp:timelimitaction>exit,message</adlcp:timelimitaction></item>')
    path = write_package(tmp_path, sco_package(items=items, files={"index.html": TIMED_SCO}))
    slug = import_package(runner, path, "--course", "timed")
    page, _ = _learner_page(new_page, live_server, make_user)
    _enroll(page, live_server, slug)
    page.frame_locator("#scorm-frame").locator("#state", has_text="started").wait_for()
    ended = page.locator("#scorm-ended")
    ended.wait_for(state="visible", timeout=10_000)
    assert "time allowed for this part is over" in ended.inner_text()
    assert page.locator("#scorm-frame").get_attribute("src") == "about:blank"
    _wait_for_verb(app, slug, scorm_items(app, slug)[0], "suspended")
