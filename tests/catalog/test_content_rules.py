"""The course validator's content rules: curriculum links, images, translations, electives; shuffled quizzes."""

import base64
import re
from urllib.parse import urljoin

import pytest

from lms.catalog.loader import CourseFileError, parse_course, parse_tracks
from tests.conftest import DEMO_COURSE as DEMO

# A 1x1 PNG.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _append(curriculum, lesson: str, text: str, language: str = "en") -> None:
    path = curriculum / DEMO / "lessons" / f"{lesson}.{language}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def _lesson_body(course, slug: str, language: str = "en") -> str:
    return next(item for item in course.items if item.slug == slug).body[language]


def test_curriculum_links_become_relative_urls(curriculum):
    _append(curriculum, "probation", "See [the next lesson](lesson:resigning), [the quiz](quiz:contract-check) "
                                     f"and [this course](course:{DEMO}).")
    body = _lesson_body(parse_course(curriculum / DEMO, {DEMO}), "probation")
    assert 'href="resigning"' in body and 'href="../quiz/contract-check"' in body and f'href="../../{DEMO}"' in body


@pytest.mark.parametrize("link", ["lesson:no-such-lesson", "quiz:no-such-quiz", "course:no-such-course"])
def test_a_broken_curriculum_link_is_an_error_with_its_line(curriculum, link):
    _append(curriculum, "probation", f"A [broken link]({link}).")
    with pytest.raises(CourseFileError) as error:
        parse_course(curriculum / DEMO, {DEMO})
    assert error.value.path.endswith("probation.en.md") and "points at" in error.value.message
    lines = (curriculum / DEMO / "lessons" / "probation.en.md").read_text(encoding="utf-8").splitlines()
    assert link in lines[error.value.line - 1]


def test_an_image_must_exist_and_have_alt_text(curriculum):
    _append(curriculum, "probation", "![A wage slip](media/slip.png)")
    with pytest.raises(CourseFileError, match="does not exist"):
        parse_course(curriculum / DEMO)
    (curriculum / DEMO / "media").mkdir()
    (curriculum / DEMO / "media" / "slip.png").write_bytes(PIXEL)
    body = _lesson_body(parse_course(curriculum / DEMO), "probation")
    assert '<img src="../media/' in body and 'alt="A wage slip"' in body
    _append(curriculum, "resigning", "![](media/slip.png)")
    with pytest.raises(CourseFileError, match="needs alt text"):
        parse_course(curriculum / DEMO)


def test_only_raster_images_are_accepted_as_media(curriculum):
    (curriculum / DEMO / "media").mkdir()
    (curriculum / DEMO / "media" / "logo.svg").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    with pytest.raises(CourseFileError, match="only PNG, JPEG, GIF or WebP"):
        parse_course(curriculum / DEMO)


def test_course_images_are_served_by_content_hash(client, runner, curriculum, make_user, login_as):
    (curriculum / DEMO / "media").mkdir()
    (curriculum / DEMO / "media" / "slip.png").write_bytes(PIXEL)
    _append(curriculum, "why-in-writing", "![A wage slip](media/slip.png)")
    assert runner.invoke(args=["lms", "courses", "sync", str(curriculum)]).exit_code == 0
    login_as(make_user())
    client.post(f"/courses/{DEMO}/enroll")
    page = client.get(f"/courses/{DEMO}/lesson/why-in-writing").get_data(as_text=True)
    src = page.split('<img src="', 1)[1].split('"', 1)[0]
    image = client.get(urljoin(f"/courses/{DEMO}/lesson/why-in-writing", src))
    assert image.status_code == 200 and image.data == PIXEL and image.mimetype == "image/png"
    assert "immutable" in image.headers["Cache-Control"]


def test_courses_check_fails_on_a_missing_chinese_lesson(runner, curriculum):
    assert runner.invoke(args=["lms", "courses", "check", str(curriculum)]).exit_code == 0
    (curriculum / DEMO / "lessons" / "probation.zh-Hans.md").unlink()
    result = runner.invoke(args=["lms", "courses", "check", str(curriculum)])
    assert result.exit_code == 1 and "probation.zh-Hans.md" in result.output and "Chinese version" in result.output


def test_courses_check_fails_on_a_missing_chinese_quiz_text(runner, curriculum):
    path = curriculum / DEMO / "quizzes" / "contract-check.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first_zh = next(i for i, line in enumerate(lines) if line.strip().startswith("zh-Hans:"))
    del lines[first_zh]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "courses", "check", str(curriculum)])
    assert result.exit_code == 1 and "no zh-Hans translation" in result.output


def test_tracks_may_offer_electives(curriculum):
    (curriculum / "tracks.yaml").write_text(
        "tracks:\n  - slug: t\n    title: {en: T, zh-Hans: T}\n    courses: [a]\n"
        "    electives: {choose: 1, courses: [b, c]}\n", encoding="utf-8")
    [track] = parse_tracks(curriculum / "tracks.yaml")
    assert track.electives == ["b", "c"] and track.electives_required == 1 and track.all_courses == ["a", "b", "c"]


def test_choosing_more_electives_than_offered_is_an_error(curriculum):
    (curriculum / "tracks.yaml").write_text(
        "tracks:\n  - slug: t\n    title: {en: T}\n    courses: [a]\n"
        "    electives: {choose: 3, courses: [b, c]}\n", encoding="utf-8")
    with pytest.raises(CourseFileError, match="whole number from 1 to 2"):
        parse_tracks(curriculum / "tracks.yaml")


def _question_order(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="q-([a-z0-9-]+)" value', page)))


def _option_order(page: str, question: str) -> list[str]:
    return re.findall(rf'name="q-{question}" value="([^"]+)"', page)


def test_quiz_questions_and_options_are_shuffled_per_attempt_and_stable_within_one(
        app, client, make_user, login_as, synced):
    from tests.learning.test_flow import _right_answers, _wrong_answers

    login_as(make_user())
    client.post(f"/courses/{DEMO}/enroll")
    url = f"/courses/{DEMO}/quiz/contract-check"
    first = client.get(url).get_data(as_text=True)
    assert _question_order(client.get(url).get_data(as_text=True)) == _question_order(first)
    client.post(url, data=_wrong_answers(_right_answers(app)))
    second = client.get(url).get_data(as_text=True)
    assert sorted(_question_order(first)) == sorted(_question_order(second))
    assert _question_order(first) != _question_order(second)
    multiple = [q for q in _question_order(first) if len(_option_order(first, q)) > 2]
    assert any(_option_order(first, q) != _option_order(second, q) for q in multiple)


def test_tracks_may_set_a_study_time_and_an_unlock_order(curriculum):
    (curriculum / "tracks.yaml").write_text(
        "tracks:\n  - slug: t\n    title: {en: T}\n    courses: [a, b]\n    min_study_minutes: 90\n"
        "    prerequisites: {b: [a]}\n", encoding="utf-8")
    [track] = parse_tracks(curriculum / "tracks.yaml")
    assert track.min_study_minutes == 90 and track.prerequisites == {"b": ["a"]}


def test_an_unlock_order_with_a_cycle_is_an_error(curriculum):
    (curriculum / "tracks.yaml").write_text(
        "tracks:\n  - slug: t\n    title: {en: T}\n    courses: [a, b]\n    prerequisites: {a: [b], b: [a]}\n",
        encoding="utf-8")
    with pytest.raises(CourseFileError, match="cycle"):
        parse_tracks(curriculum / "tracks.yaml")
