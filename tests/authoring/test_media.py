"""Images: checked, re-encoded with Pillow (nothing but pixels kept), stored with the course, served to learners."""

import io
import re

from PIL import Image
from sqlalchemy import select

from lms.authoring.models import DraftMedia
from lms.catalog.models import CourseMedia
from tests.authoring.conftest import COURSE, Editor, png_bytes, write_bilingual_course


def _upload(client, data: bytes, filename: str):
    return client.post(f"/authoring/courses/{COURSE}/images", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "GPS secret: 31.23N 121.47E"  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (32, 20), "blue").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_an_uploaded_image_is_re_encoded_without_its_metadata(client, author, login_as, db):
    login_as(author)
    Editor(client).create()
    original = _jpeg_with_exif()
    assert b"GPS secret" in original
    response = _upload(client, original, "Street Photo.JPG")
    assert response.status_code == 302
    stored = db.session.execute(select(DraftMedia)).scalar_one()
    assert stored.name == "street-photo.jpg" and stored.content_type == "image/jpeg"
    assert b"GPS secret" not in stored.content and Image.open(io.BytesIO(stored.content)).size == (32, 20)


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(client, author, login_as, db):
    login_as(author)
    Editor(client).create()
    response = _upload(client, b"<html><script>alert(1)</script></html>", "photo.png")
    assert response.status_code == 400 and "not an image" in response.get_data(as_text=True)
    assert db.session.execute(select(DraftMedia.id)).first() is None


def test_an_image_whose_content_is_not_its_named_type_is_refused(client, author, login_as, db):
    login_as(author)
    Editor(client).create()
    response = _upload(client, _jpeg_with_exif(), "chart.png")
    assert response.status_code == 400 and "its content is JPEG" in response.get_data(as_text=True)
    assert db.session.execute(select(DraftMedia.id)).first() is None


def test_an_svg_is_refused_by_its_type(client, author, login_as, db):
    login_as(author)
    Editor(client).create()
    response = _upload(client, b"<svg onload='alert(1)'/>", "logo.svg")
    assert response.status_code == 400 and "PNG, JPEG, GIF or WebP" in response.get_data(as_text=True)
    assert db.session.execute(select(DraftMedia.id)).first() is None


def test_an_image_over_five_megabytes_is_refused(client, author, login_as, db):
    login_as(author)
    Editor(client).create()
    response = _upload(client, png_bytes() + b"\0" * (5 * 1024 * 1024), "big.png")
    assert response.status_code == 400 and "at most 5 MB" in response.get_data(as_text=True)
    assert db.session.execute(select(DraftMedia.id)).first() is None


def test_a_lesson_image_is_published_with_the_course_and_shown_to_learners(client, author, learner, login_as, db):
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    assert _upload(client, png_bytes(), "map.png").status_code == 302
    editor.save_lesson(slugs["lessons"][0], "Standard hours", "The map:\n\n![A map of the province](media/map.png)",
                       "标准工时", "地图：\n\n![省地图](media/map.png)")
    editor.publish()
    stored = db.session.execute(select(CourseMedia)).scalar_one()
    assert stored.name == "map.png"
    client.post("/account/logout")
    login_as(learner)
    client.post(f"/courses/{COURSE}/enroll")
    page = client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][0]}").get_data(as_text=True)
    src = re.search(r'<img src="([^"]+)" alt="A map of the province"', page).group(1)
    assert src == f"../media/{stored.digest}/map.png"
    image = client.get(f"/courses/{COURSE}/media/{stored.digest}/map.png")
    assert image.status_code == 200 and image.data == stored.content


def test_the_images_page_lists_what_to_write_in_a_lesson(client, author, login_as):
    login_as(author)
    Editor(client).create()
    _upload(client, png_bytes(), "map.png")
    page = client.get(f"/authoring/courses/{COURSE}/images").get_data(as_text=True)
    assert "![what it shows](media/map.png)" in page and 'alt="map.png"' in page
