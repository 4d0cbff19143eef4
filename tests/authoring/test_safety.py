"""Authored content is safe for learners: sanitised Markdown, iframes only from hosts an administrator allows."""

from html.parser import HTMLParser

from lms.core.models import Setting
from tests.authoring.conftest import COURSE, Editor, write_bilingual_course

HOSTILE = """# Hello

<script>alert('script tag')</script>

<img src=x onerror="alert('handler')">

[click me](javascript:alert('link'))

<a href="javascript:alert('raw link')" onclick="alert('click')">raw</a>

<iframe src="https://evil.example/steal"></iframe>

```embed
https://evil.example/embed/1
Not on the list
```
"""


class _Elements(HTMLParser):
    """The elements of an HTML fragment with their attributes (text, escaped or not, is not an element)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.found if tag == name]


def _publish_lesson(client, login_as, author, learner, source_en: str) -> str:
    """Publish the bilingual course with ``source_en`` as its first lesson; returns that lesson as the learner
    sees it."""
    login_as(author)
    editor = Editor(client)
    slugs = write_bilingual_course(editor)
    editor.save_lesson(slugs["lessons"][0], "Standard hours", source_en, "标准工时", "安全的中文。")
    editor.publish()
    client.post("/account/logout")
    login_as(learner)
    client.post(f"/courses/{COURSE}/enroll")
    page = client.get(f"/courses/{COURSE}/lesson/{slugs['lessons'][0]}").get_data(as_text=True)
    return page[page.find('<article class="lesson"'):page.find("</article>")]


def test_hostile_markdown_from_the_editor_reaches_learners_harmless(client, login_as, author, learner):
    lesson = _publish_lesson(client, login_as, author, learner, HOSTILE)
    elements = _Elements(lesson)
    assert "<h1>Hello</h1>" in lesson
    assert not elements.tags("script") and not elements.tags("iframe") and not elements.tags("img")
    assert not [attrs for _, attrs in elements.found if any(name.startswith("on") for name in attrs)]
    assert [a["href"] for a in elements.tags("a")] == ["https://evil.example/embed/1"]  # no javascript: link
    assert "&lt;script&gt;" in lesson  # shown as text, not run
    assert "Not on the list" in lesson  # an embed from a host not on the list is a plain link


def test_an_embed_from_an_allowed_host_becomes_a_sandboxed_iframe(client, login_as, admin, author, learner):
    login_as(admin)
    response = client.post("/authoring/settings/embeds", data={"hosts": "www.youtube-nocookie.com\n"})
    assert response.status_code == 302
    client.post("/account/logout")
    source = "Watch:\n\n```embed\nhttps://www.youtube-nocookie.com/embed/abc123\nFiling a complaint\n```\n"
    lesson = _publish_lesson(client, login_as, author, learner, source + "\n" + HOSTILE)
    frames = _Elements(lesson).tags("iframe")
    assert len(frames) == 1  # the raw <iframe> to evil.example stays text, its embed block a link
    assert frames[0]["src"] == "https://www.youtube-nocookie.com/embed/abc123"
    assert frames[0]["title"] == "Filing a complaint"
    assert frames[0]["sandbox"].split() == ["allow-scripts", "allow-same-origin", "allow-presentation", "allow-popups"]


def test_the_editor_preview_shows_an_allowed_embed_the_same_way(client, login_as, admin, author):
    login_as(admin)
    client.post("/authoring/settings/embeds", data={"hosts": "https://player.example.org/some/page"})
    client.post("/account/logout")
    login_as(author)
    Editor(client).create()
    html = client.post(f"/authoring/courses/{COURSE}/markdown-preview", json={
        "source": "```embed\nhttps://player.example.org/v/1\nA video\n```"}).get_json()["html"]
    assert '<iframe src="https://player.example.org/v/1"' in html


def test_authors_read_the_embed_hosts_but_only_administrators_change_them(client, login_as, admin, author, db):
    login_as(admin)
    client.post("/authoring/settings/embeds", data={"hosts": "www.youtube-nocookie.com"})
    client.post("/account/logout")
    login_as(author)
    page = client.get("/authoring/settings/embeds").get_data(as_text=True)
    assert "<code>www.youtube-nocookie.com</code>" in page and 'name="hosts"' not in page
    assert client.post("/authoring/settings/embeds", data={"hosts": "evil.example"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Setting, "authoring.embed_hosts").value == ["www.youtube-nocookie.com"]


def test_an_entry_that_is_not_a_host_is_refused_and_the_list_is_unchanged(client, login_as, admin, db):
    login_as(admin)
    client.post("/authoring/settings/embeds", data={"hosts": "www.youtube-nocookie.com"})
    response = client.post("/authoring/settings/embeds", data={"hosts": "good.example.org\nnot a host!"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "“not a host!” is not a host name" in body and 'id="hosts-errors"' in body
    db.session.expire_all()
    assert db.session.get(Setting, "authoring.embed_hosts").value == ["www.youtube-nocookie.com"]
