"""The real cmi5 packages of ../shared/cmi5-packages (ADL CATAPULT's geology course), each driven to completion in
Debian's Chromium: a learner enrols, opens each unit from its LMS page, and the AU's own HTML and JavaScript
(cmi5.min.js, course.js) run in the page: the learner clicks through its pages, answers its quiz, and leaves it
with its Exit button. The assertions read the LRS (the statements stored for the learner's registration, session
by session) and the learner's own pages (the unit's page, the course outline and its progress bar).

- masteryscore_responsive: one AU, masteryScore 0.3, launchMethod OwnWindow (the AU takes the whole window, or a
  window of its own, and comes back through the returnURL); two answers out of five (0.4) pass it, which only the
  masteryScore read from LMS.LaunchData allows (the AU's own pass mark is 0.8).
- multi_au_framed: eight AUs at the root; the course is satisfied only once every AU's moveOn is met, the quiz's
  (CompletedAndPassed) last: a failed quiz leaves both the quiz and the course unsatisfied.
- pre_post_test_framed: two blocks of pre-test (moveOn Passed), content and post-test (Passed); a failed pre-test
  is not enough, each block is satisfied when its three AUs are, and the course when both blocks are.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from tests.e2e.conftest import DESKTOP
from tests.launch.conftest import PACKAGES, items, package_path, slug_from, stored, verbs_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
LAUNCH_MODE = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
MOVE_ON = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
BLOCK_TYPE = "https://w3id.org/xapi/cmi5/activitytype/block"
COURSE_TYPE = "https://w3id.org/xapi/cmi5/activitytype/course"
CATAPULT = "https://w3id.org/xapi/cmi5/catapult/lts/course"
START = "main form[action$='/start'] input[type=submit]"
# The AU is ready once its cmi5.js fetched the token, read LMS.LaunchData, sent "initialized" and showed a page, or
# (on a later launch) asks whether to resume from its bookmark.
AU_READY = ".navmenuitem.current, #bookmark-overlay.full-overlay-visible"


@pytest.fixture(autouse=True)
def _packages_present():
    if not PACKAGES.is_dir():
        pytest.skip(f"{PACKAGES} is absent: the real cmi5 packages live in ../shared/cmi5-packages (see its README)")


# --- the LMS side -----------------------------------------------------------------------------------------------

def _import(runner, name: str) -> str:
    result = runner.invoke(args=["lms", "cmi5", "import", str(package_path(name))])
    assert result.exit_code == 0, result.output
    return slug_from(result.output)


def _registration(app, user, slug: str) -> str:
    from lms.catalog.services import course_by_slug
    from lms.db import session
    from lms.learning.models import Enrollment

    with app.app_context():
        course = course_by_slug(slug)
        return session.execute(select(Enrollment.registration).filter_by(user_id=user.id, course_id=course.id)
                               ).scalar_one()


def _units(app, slug: str) -> list[tuple[object, str]]:
    """The course's AUs in order, each with the activity id the LMS gives it (its statements' object)."""
    from lms.launch.services import au_iri

    with app.app_context():
        return [(item, au_iri(slug, item)) for item in items(app, slug)]


def _publisher_id(item) -> str:
    return item.launch["publisher_id"]


def _verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[-1]


def _session_of(statement: dict) -> str | None:
    return ((statement.get("context") or {}).get("extensions") or {}).get(SESSION_ID)


def _grouping(statement: dict) -> set[str]:
    return {activity["id"] for activity in
            ((statement.get("context") or {}).get("contextActivities") or {}).get("grouping", [])}


def _satisfied(found: list[dict]) -> list[dict]:
    return [s for s in found if _verb(s) == "satisfied"]


def _satisfied_kinds(found: list[dict]) -> tuple[set[str], set[str], int]:
    """(AU activity ids satisfied, block publisher ids satisfied, how many course satisfied statements)."""
    aus, blocks, courses = set(), set(), 0
    for statement in _satisfied(found):
        kind = statement["object"].get("definition", {}).get("type")
        if kind == BLOCK_TYPE:
            blocks |= _grouping(statement)
        elif kind == COURSE_TYPE:
            courses += 1
        else:
            aus.add(statement["object"]["id"])
    return aus, blocks, courses


def _last_session(found: list[dict], au: str) -> list[dict]:
    """The statements of the newest session of an AU (its ``launched`` and everything carrying its session id)."""
    launched = [s for s in found if _verb(s) == "launched" and s["object"]["id"] == au]
    if not launched:
        return []
    session_id = _session_of(launched[-1])
    return [s for s in found if _session_of(s) == session_id]


def _wait_for_session(page, app, registration: str, au: str, verbs: set[str], timeout: float = 20.0) -> list[dict]:
    """The AU's newest session once every verb in ``verbs`` is among its statements (fails after ``timeout``).
    Waits with Playwright's clock, so the browser's events keep flowing while the LRS is polled."""
    deadline = time.monotonic() + timeout
    while True:
        statements = _last_session(stored(app, registration=registration), au)
        if verbs <= set(verbs_of(statements)):
            return statements
        if time.monotonic() > deadline:
            pytest.fail(f"the AU's session sent {verbs_of(statements)}, still waiting for {sorted(verbs)}")
        page.wait_for_timeout(150)


def _assert_session(statements: list[dict], *, judged: set[str], not_judged: set[str] = frozenset(),
                    satisfied: bool) -> None:
    """One AU session as cmi5 shapes it: the LMS's launched, the AU's initialized first and terminated last, the
    judging verbs asked for (and no others), the LMS's satisfied or not."""
    sequence = verbs_of(statements)
    assert sequence[:2] == ["launched", "initialized"], sequence
    assert sequence[-1] == "terminated" and sequence.count("terminated") == 1, sequence
    assert judged <= set(sequence) and not (not_judged & set(sequence)), sequence
    assert ("satisfied" in sequence) is satisfied, sequence
    # Everything but launched and satisfied came from the AU, through the one credential its fetch URL gave.
    authorities = {s["authority"]["account"]["name"] for s in statements if _verb(s) not in ("launched", "satisfied")}
    assert len(authorities) == 1 and authorities.pop().startswith("lrs-client:"), statements


# --- the browser side -------------------------------------------------------------------------------------------

def _sign_in(page, live_server: str, user) -> None:
    page.goto(f"{live_server}/account/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(user.email)
    form.locator("input[name=password]").fill(user.password)
    with page.expect_navigation():
        form.locator("input[type=submit]").click()


def _item_url(slug: str, item) -> re.Pattern:
    return re.compile(rf".*/launch/courses/{re.escape(slug)}/au/{re.escape(item.slug)}$")


def _enroll(page, live_server: str, slug: str, first) -> None:
    """Enrol from the course page: the LMS takes the learner to the first unit's page."""
    page.goto(f"{live_server}/courses/{slug}")
    page.locator("main form[action$='/enroll'] input[type=submit]").click()
    page.wait_for_url(_item_url(slug, first))


def _start_framed(page, slug: str, item):
    """On the unit's page, press Start: the player page shows the AU in its frame. Returns the frame's locator
    once the AU is ready."""
    page.wait_for_url(_item_url(slug, item))
    assert page.locator(".status.todo").is_visible()
    page.locator(START).click()
    frame = page.frame_locator(".player iframe")
    frame.locator(AU_READY).first.wait_for(state="attached")
    return frame


def _leave(page, frame, slug: str, item, button: str = ".navexit .exit-button") -> None:
    """Press the AU's Exit button: it terminates, sends its frame to the returnURL, and that page brings the whole
    window back to the unit's page, which now says the unit is done or not."""
    _assert_no_tracking_error(frame)
    frame.locator(button).click()  # Playwright waits until the AU enables it (no statement in flight)
    page.wait_for_url(_item_url(slug, item), timeout=20_000)


def _assert_no_tracking_error(au) -> None:
    """The AU shows a warning icon when the LRS refused one of its statements (course.js trackingError)."""
    assert au.locator("#warning-icon.warning-icon-visible").count() == 0, au.locator("#error-content").inner_text()


def _resume(frame) -> None:
    """A later launch of an AU asks whether to resume from the bookmark it stored in the State API (suspendData)
    the first time: resume."""
    overlay = frame.locator("#bookmark-overlay.full-overlay-visible")
    overlay.wait_for()
    overlay.locator(".resume-button").click()
    frame.locator(".navmenuitem.current").wait_for(state="attached")


def _next_unit(page) -> None:
    """Follow the unit page's "Next" link to the next unit of the course."""
    page.locator(".item-nav a[rel=next]").click()


def _answer_pre_post(frame, *, right: bool) -> None:
    """Answer the pre-/post-test on screen: every question right, or every one wrong."""
    for question in frame.locator(".quiz .body-content").all():
        text_box = question.locator("input[type=text]")
        if text_box.count():
            text_box.fill(text_box.get_attribute("data-answer") if right else "7")
            continue
        radios = question.locator("input[type=radio]")
        if radios.count():
            choice = "[data-correct=yes]" if right else ":not([data-correct=yes])"
            question.locator(f"input[type=radio]{choice}").first.check()
            continue
        select = question.locator("select")
        if select.count():
            options = select.locator("option")
            values = [options.nth(i).get_attribute("value") for i in range(options.count())
                      if (options.nth(i).get_attribute("data-correct") == "yes") is right]
            select.select_option(values if select.get_attribute("multiple") is not None else values[0])


def _assert_course_page(page, live_server: str, slug: str, *, done: int, total: int) -> None:
    page.goto(f"{live_server}/courses/{slug}")
    percent = round(100 * done / total)
    assert page.locator("main progress").get_attribute("value") == str(percent)
    assert page.locator("main ol.items .status.done").count() == done
    assert page.locator("main ol.items .status.todo").count() == total - done
    # The course outline says the course is completed exactly when every unit is done.
    assert page.locator("main p.status.done[role=status]").count() == (1 if done == total else 0)


# --- the tests ----------------------------------------------------------------------------------------------------

def test_mastery_score_own_window_au_passes_at_its_mastery_score(app, runner, live_server, make_user, new_page):
    slug = _import(runner, "masteryscore_responsive")
    (item, au), = _units(app, slug)
    assert item.launch["launch_method"] == "OwnWindow" and item.launch["mastery_score"] == 0.3
    user = make_user(display_name="Own Window Learner")
    page = new_page(**DESKTOP)
    context = page.context
    _sign_in(page, live_server, user)
    _enroll(page, live_server, slug, item)
    registration = _registration(app, user, slug)
    assert page.locator("main .note").is_visible()  # the unit page says it opens in the whole window

    # OwnWindow: Start gives the AU the whole window (a 303 to the AU) or, in another LMS, a window of its own.
    before = set(context.pages)
    page.locator(START).click()
    deadline = time.monotonic() + 15
    while True:
        popups = [candidate for candidate in context.pages if candidate not in before]
        if popups or "/launch/packages/" in page.url:
            break
        assert time.monotonic() < deadline, f"the AU opened neither in this window nor in a new one ({page.url})"
        page.wait_for_timeout(100)
    au_page = popups[0] if popups else page
    au_page.wait_for_load_state()
    assert "/launch/packages/" in au_page.url and "fetch=" in au_page.url and "registration=" in au_page.url
    au_page.locator(".navmenuitem.current").wait_for(state="attached")
    assert au_page.locator("#info-bar").is_hidden()  # Normal mode: the AU saves what the learner does

    # Click through the eight pages with the AU's own "Next Section" bar, down to its quiz.
    titles = au_page.locator(".navmenuitem")
    assert titles.count() == 8
    for index in range(1, 8):
        au_page.locator("#content .footerbar").click()
        au_page.locator(f".navmenuitem.current[data-pageidx='{index}']").wait_for(state="attached")
    assert au_page.locator(".navmenuitem.current").inner_text().strip() == "Quiz"
    # Two answers out of five (0.4): under the AU's own pass mark (0.8), at least the masteryScore 0.3 that
    # LMS.LaunchData gave it, which the AU applies.
    au_page.locator("#q0").fill("3")
    au_page.locator("#q2").fill("3")
    au_page.get_by_text("Submit Answers").click()
    assert au_page.locator("#score-panel-score").inner_text() == "40"
    assert au_page.locator("#score-passed").is_visible() and au_page.locator("#score-failed").is_hidden()
    session = _wait_for_session(au_page, app, registration, au, {"passed", "completed", "satisfied"})
    passed = next(s for s in session if _verb(s) == "passed")
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == pytest.approx(0.4)
    assert passed["context"]["extensions"][MASTERY_SCORE] == 0.3

    # Exit: the AU terminates, then closes its own window or goes to the returnURL.
    _assert_no_tracking_error(au_page)
    au_page.locator("#score-panel .exit-button").click()
    if popups:
        au_page.wait_for_event("close", timeout=20_000)
        page.reload()
    else:
        page.wait_for_url(re.compile(r".*/launch/sessions/[^/]+/return$"), timeout=20_000)
        page.locator("#launch-return").click()
        page.wait_for_url(_item_url(slug, item))
    assert page.locator(".status.done").is_visible()

    session = _wait_for_session(page, app, registration, au, {"terminated"})
    _assert_session(session, judged={"passed", "completed"}, not_judged={"failed"}, satisfied=True)
    launched = session[0]
    assert launched["context"]["extensions"][MASTERY_SCORE] == 0.3
    assert launched["context"]["extensions"][LAUNCH_MODE] == "Normal"
    assert [_verb(s) for s in session].count("experienced") >= 8  # one per page the learner saw
    found = stored(app, registration=registration)
    assert _satisfied_kinds(found) == ({au}, set(), 1)  # the AU, and the (one-AU) course
    _assert_course_page(page, live_server, slug, done=1, total=1)


def test_multi_au_course_is_satisfied_only_when_every_au_moves_on(app, runner, live_server, make_user, new_page):
    slug = _import(runner, "multi_au_framed")
    units = _units(app, slug)
    assert [item.launch["move_on"] for item, _ in units] == ["CompletedOrPassed"] * 7 + ["CompletedAndPassed"]
    user = make_user(display_name="Multi AU Learner")
    page = new_page(**DESKTOP)
    _sign_in(page, live_server, user)
    _enroll(page, live_server, slug, units[0][0])
    registration = _registration(app, user, slug)

    # The seven lessons: each completes (and passes) on launch; the learner reads it and leaves with Exit.
    for position, (item, au) in enumerate(units[:7]):
        if position:
            _next_unit(page)
        frame = _start_framed(page, slug, item)
        assert frame.locator(".navmenuitem").count() == 1  # this AU shows its one page of the course
        _wait_for_session(page, app, registration, au, {"passed", "completed", "satisfied"})
        _leave(page, frame, slug, item)
        assert page.locator(".status.done").is_visible()
        _assert_session(_wait_for_session(page, app, registration, au, {"terminated"}),
                        judged={"passed", "completed"}, satisfied=True)
        # Not the course yet: the quiz's moveOn is not met.
        assert _satisfied_kinds(stored(app, registration=registration))[2] == 0

    # The quiz, CompletedAndPassed: failed first, which satisfies nothing ...
    quiz, quiz_au = units[7]
    _next_unit(page)
    frame = _start_framed(page, slug, quiz)
    assert frame.locator(".navmenuitem.current").inner_text().strip() == "Quiz"
    frame.get_by_text("(Select wrong answers)").click()
    frame.get_by_text("Submit Answers").click()
    assert frame.locator("#score-failed").is_visible()
    _wait_for_session(page, app, registration, quiz_au, {"failed"})
    _leave(page, frame, slug, quiz, "#score-panel .exit-button")
    assert page.locator(".status.todo").is_visible()
    _assert_session(_wait_for_session(page, app, registration, quiz_au, {"terminated"}),
                    judged={"failed"}, not_judged={"passed", "completed"}, satisfied=False)
    aus, _, courses = _satisfied_kinds(stored(app, registration=registration))
    assert aus == {au for _, au in units[:7]} and courses == 0
    _assert_course_page(page, live_server, slug, done=7, total=8)

    # ... then launched again from the course page, resumed at its bookmark, answered right: passed and completed,
    # the quiz is satisfied, and with it (every AU's moveOn met) the course.
    page.locator("main a.button.primary").click()  # "Continue": the first unit not done, the quiz
    frame = _start_framed(page, slug, quiz)
    _resume(frame)
    assert frame.locator(".navmenuitem.current").inner_text().strip() == "Quiz"
    frame.locator("#q0").fill("3")
    frame.locator("#q1").select_option("crust")
    frame.locator("#q2").fill("3")
    frame.locator("#q3_2").check()
    frame.locator("#q4").select_option(["luster", "hardness"])
    frame.get_by_text("Submit Answers").click()
    assert frame.locator("#score-panel-score").inner_text() == "100"
    session = _wait_for_session(page, app, registration, quiz_au, {"passed", "completed", "satisfied"})
    _leave(page, frame, slug, quiz, "#score-panel .exit-button")
    assert page.locator(".status.done").is_visible()
    session = _wait_for_session(page, app, registration, quiz_au, {"terminated"})
    _assert_session(session, judged={"passed", "completed"}, not_judged={"failed"}, satisfied=True)
    assert session[0]["context"]["extensions"][MOVE_ON] == "CompletedAndPassed"  # launched says what it needs
    answered = [s for s in session if _verb(s) == "answered"]
    assert len(answered) == 5 and all(s["result"]["success"] is True for s in answered)

    found = stored(app, registration=registration)
    aus, blocks, courses = _satisfied_kinds(found)
    assert aus == {au for _, au in units} and blocks == set() and courses == 1
    course_satisfied = next(s for s in _satisfied(found) if s["object"]["definition"].get("type") == COURSE_TYPE)
    assert _grouping(course_satisfied) == {f"{CATAPULT}/geology-intro-multi-au-framed"}
    assert _session_of(course_satisfied) == _session_of(session[0])  # the quiz's session satisfied the course
    _assert_course_page(page, live_server, slug, done=8, total=8)


def test_pre_post_test_blocks_are_satisfied_when_their_tests_are_passed(app, runner, live_server, make_user,
                                                                         new_page):
    slug = _import(runner, "pre_post_test_framed")
    units = _units(app, slug)
    block_ids = [f"{CATAPULT}/geology-intro-preposttest/block{number}" for number in (1, 2)]
    assert [_publisher_id(item) for item, _ in units] == [f"{block}/{part}" for block in block_ids
                                                         for part in ("pre", "content", "post")]
    assert [item.launch["move_on"] for item, _ in units] == ["Passed", "CompletedOrPassed", "Passed"] * 2
    user = make_user(display_name="Pre Post Learner")
    page = new_page(**DESKTOP)
    _sign_in(page, live_server, user)
    _enroll(page, live_server, slug, units[0][0])
    registration = _registration(app, user, slug)

    def take_test(item, au, *, right: bool, resume: bool = False) -> list[dict]:
        frame = _start_framed(page, slug, item)
        if resume:
            _resume(frame)
        assert frame.locator(".navmenuitem.current").inner_text().strip() in ("Pre-Test", "Post-Test")
        _answer_pre_post(frame, right=right)
        frame.get_by_text("Submit Answers").click()
        assert frame.locator("#score-passed" if right else "#score-failed").is_visible()
        _wait_for_session(page, app, registration, au, {"passed", "satisfied"} if right else {"failed"})
        _leave(page, frame, slug, item, "#score-panel .exit-button")
        return _wait_for_session(page, app, registration, au, {"terminated"})

    def read_content(item, au) -> None:
        frame = _start_framed(page, slug, item)
        _wait_for_session(page, app, registration, au, {"passed", "completed", "satisfied"})
        _leave(page, frame, slug, item)
        _assert_session(_wait_for_session(page, app, registration, au, {"terminated"}),
                        judged={"passed", "completed"}, satisfied=True)

    # Block 1. The pre-test (moveOn Passed), failed: not satisfied, the unit is not done.
    (pre1, pre1_au), (content1, content1_au), (post1, post1_au) = units[:3]
    _assert_session(take_test(pre1, pre1_au, right=False), judged={"failed"}, not_judged={"passed", "completed"},
                    satisfied=False)
    assert page.locator(".status.todo").is_visible()
    # Taken again (resumed at the test), passed: satisfied. The AU sends passed and completed.
    _assert_session(take_test(pre1, pre1_au, right=True, resume=True), judged={"passed", "completed"},
                    not_judged={"failed"}, satisfied=True)
    assert page.locator(".status.done").is_visible()
    _next_unit(page)
    read_content(content1, content1_au)
    assert _satisfied_kinds(stored(app, registration=registration))[1] == set()  # the post-test is still to pass
    _next_unit(page)
    post1_session = take_test(post1, post1_au, right=True)
    _assert_session(post1_session, judged={"passed"}, not_judged={"failed"}, satisfied=True)
    aus, blocks, courses = _satisfied_kinds(stored(app, registration=registration))
    assert aus == {pre1_au, content1_au, post1_au} and blocks == {block_ids[0]} and courses == 0
    block1 = next(s for s in _satisfied(stored(app, registration=registration))
                  if s["object"]["definition"].get("type") == BLOCK_TYPE)
    assert _session_of(block1) == _session_of(post1_session[0])  # the post-test's session satisfied the block
    _assert_course_page(page, live_server, slug, done=3, total=6)

    # Block 2, each unit passed at the first try: the block, then the course.
    (pre2, pre2_au), (content2, content2_au), (post2, post2_au) = units[3:]
    page.locator("main a.button.primary").click()  # "Continue": block 2's pre-test
    _assert_session(take_test(pre2, pre2_au, right=True), judged={"passed"}, satisfied=True)
    _next_unit(page)
    read_content(content2, content2_au)
    _next_unit(page)
    _assert_session(take_test(post2, post2_au, right=True), judged={"passed"}, satisfied=True)

    found = stored(app, registration=registration)
    aus, blocks, courses = _satisfied_kinds(found)
    assert aus == {au for _, au in units} and blocks == set(block_ids) and courses == 1
    order = [(_verb(s), s["object"].get("definition", {}).get("type")) for s in _satisfied(found)]
    assert order[-2:] == [("satisfied", BLOCK_TYPE), ("satisfied", COURSE_TYPE)]  # block 2 first, then the course
    assert len(_satisfied(found)) == 6 + 2 + 1  # each once: no duplicate satisfied for a unit, block or course
    _assert_course_page(page, live_server, slug, done=6, total=6)
