"""Reading the curriculum files (DESIGN "Courses and tracks as files") into plain, validated data.

Every problem is a CourseFileError naming the file, the line and the field, in words a course author understands.
Nothing here touches the database: ``catalog.services.sync_courses`` stores what this returns.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import frontmatter
import nh3
import yaml
from markdown_it import MarkdownIt

AUDIENCES = ("labor_official", "labor_inspector", "worker", "employer", "academic", "other")
CONTENT_LANGUAGES = ("en", "zh-Hans")
QUESTION_TYPES = ("single", "multiple", "true_false")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


class CourseFileError(ValueError):
    """A problem in a course file: where it is and what is wrong."""

    def __init__(self, path: Path | str, line: int | None, field: str, message: str) -> None:
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__(f"{self.path}:{line or 1}: {field}: {message}")


# --- where the files come from ----------------------------------------------------------------------------

def _text(raw: bytes) -> str:
    # The same text whatever the source: decoded as UTF-8 with universal newlines, as Path.read_text reads it.
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class MediaEntry:
    """A file found in a course's media/ folder: its name, whether it is a plain file, and its size."""

    name: str
    is_file: bool
    size: int


class CourseSource:
    """A course's files, by relative POSIX name (``course.yaml``, ``lessons/intro.en.md``, ``media/map.png``).

    The parser reads only through this, so a folder on disk, a draft and an uploaded zip are checked by exactly the
    same rules. ``folder`` names the files in errors (``<slug>/lessons/intro.en.md``); its last part is the slug.
    """

    folder: Path

    def path(self, name: str) -> Path:
        return self.folder.joinpath(*name.split("/"))

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        raise NotImplementedError

    def media(self) -> list[MediaEntry]:
        """The entries of media/ by name, hidden files (starting with a dot) left out."""
        raise NotImplementedError


class FolderSource(CourseSource):
    """A course folder on disk (``courses sync`` and ``courses check``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, name: str) -> bytes | None:
        path = self.path(name)
        return path.read_bytes() if path.exists() else None

    def media(self) -> list[MediaEntry]:
        media = self.folder / "media"
        if not media.is_dir():
            return []
        entries = []
        for path in sorted(media.iterdir()):
            if path.name.startswith("."):
                continue
            is_file = path.is_file() and not path.is_symlink()
            entries.append(MediaEntry(path.name, is_file, path.stat().st_size if is_file else 0))
        return entries


class MemorySource(CourseSource):
    """A course held in memory as file names and bytes: a draft written out, or the files of an uploaded zip."""

    def __init__(self, slug: str, files: Mapping[str, bytes]) -> None:
        self.folder = Path(slug)
        self.files = files

    def read(self, name: str) -> bytes | None:
        return self.files.get(name)

    def media(self) -> list[MediaEntry]:
        entries: dict[str, MediaEntry] = {}
        for name, data in self.files.items():
            if not name.startswith("media/"):
                continue
            rest = name[len("media/"):]
            first, _, deeper = rest.partition("/")
            if not first or first.startswith("."):
                continue
            entries[first] = MediaEntry(first, not deeper, 0 if deeper else len(data))
        return [entries[name] for name in sorted(entries)]


# --- YAML that remembers where each value was -------------------------------------------------------------

class Located(dict):
    """A YAML mapping that knows its own line and each key's line (1-based)."""

    line: int = 1
    key_lines: dict


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_located(loader: _LineLoader, node: yaml.MappingNode) -> Located:
    mapping = Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


def read_yaml(path: Path) -> Located:
    """A YAML file whose top level must be a mapping. Raises CourseFileError for unreadable or malformed YAML."""
    return _yaml_mapping(FolderSource(path.parent), path.name)


def _yaml_mapping(source: CourseSource, name: str) -> Located:
    path = source.path(name)
    raw = source.read(name)
    if raw is None:
        raise CourseFileError(path, None, "(file)", "the file is missing")
    try:
        data = yaml.load(_text(raw), Loader=_LineLoader)  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError:
        raise CourseFileError(path, None, "(file)", "the file is not UTF-8 text") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise CourseFileError(path, mark.line + 1 if mark else None, "(syntax)",
                              f"not valid YAML: {error.problem or error}") from None
    if not isinstance(data, Located):
        raise CourseFileError(path, 1, "(file)", "the file must be a YAML mapping of keys to values")
    return data


class _Reader:
    """Checks values of one YAML mapping, naming file, line and field in each error."""

    def __init__(self, path: Path, data: Located, prefix: str = "") -> None:
        self.path, self.data, self.prefix = path, data, prefix

    def fail(self, key: str | None, message: str):
        line = self.data.key_lines.get(key, self.data.line) if key else self.data.line
        raise CourseFileError(self.path, line, self.prefix + (key or ""), message)

    def child(self, value: object, key: str) -> _Reader:
        if not isinstance(value, Located):
            self.fail(key, "must be a mapping (key: value lines)")
        return _Reader(self.path, value, f"{self.prefix}{key}.")

    def only(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def required(self, key: str) -> object:
        if key not in self.data or self.data[key] in (None, ""):
            self.fail(key if key in self.data else None, f"the field {self.prefix}{key} is required")
        return self.data[key]

    def language_map(self, key: str, required: bool = True) -> dict[str, str]:
        if key not in self.data:
            if required:
                self.fail(None, f"the field {self.prefix}{key} is required")
            return {}
        value = self.data[key]
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict):
            self.fail(key, "must be a text or a map of language to text, like {en: ..., zh-Hans: ...}")
        for language, text in value.items():
            if language not in CONTENT_LANGUAGES:
                self.fail(key, f"unknown language {language!r} (use en or zh-Hans)")
            if not isinstance(text, str) or not text.strip():
                self.fail(key, f"the {language} text must be non-empty text")
        if "en" not in value:
            self.fail(key, "an English (en) text is required")
        return {language: value[language].strip() for language in CONTENT_LANGUAGES if language in value}

    def slug(self, key: str) -> str:
        value = self.required(key)
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail(key, f"{value!r} is not a slug (lower-case letters, digits and single hyphens)")
        return value

    def integer(self, key: str, default: int | None, low: int, high: int) -> int | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(key, f"must be a whole number from {low} to {high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value

    def audience(self, key: str = "audience") -> list[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.fail(key, "must be a list, like [worker, employer]")
        for entry in value:
            if entry not in AUDIENCES:
                self.fail(key, f"unknown audience {entry!r} (known: {', '.join(AUDIENCES)})")
        return list(value)


# --- the parsed shapes ------------------------------------------------------------------------------------

@dataclass
class ParsedItem:
    kind: str  # "lesson" or "quiz"
    slug: str
    title: dict[str, str]
    minutes: int | None = None
    body: dict[str, str] | None = None
    source: dict[str, str] | None = None
    quiz: dict | None = None
    references: dict[str, list[Reference]] = field(default_factory=dict)  # by language


@dataclass
class ParsedModule:
    slug: str
    title: dict[str, str]
    items: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedCourse:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    audience: list[str]
    label: str | None
    modules: list[ParsedModule]
    media: dict[str, str] = field(default_factory=dict)  # file name in media/ -> SHA-256 of its content

    @property
    def languages(self) -> list[str]:
        """The languages every text of the course is available in."""
        languages = []
        for language in CONTENT_LANGUAGES:
            texts = [self.title] + [m.title for m in self.modules] + [
                i.source if i.kind == "lesson" else i.title for m in self.modules for i in m.items]
            if all(language in t for t in texts):
                languages.append(language)
        return languages

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @property
    def items(self) -> list[ParsedItem]:
        return [item for module in self.modules for item in module.items]


@dataclass
class ParsedTrack:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    audience: list[str]
    courses: list[str]
    pass_mark: int
    validity_months: int | None
    electives: list[str] = field(default_factory=list)
    electives_required: int = 0
    min_study_minutes: int | None = None
    prerequisites: dict[str, list[str]] = field(default_factory=dict)
    line: int = 1

    @property
    def all_courses(self) -> list[str]:
        return self.courses + [slug for slug in self.electives if slug not in self.courses]


# --- courses ----------------------------------------------------------------------------------------------

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
LINK_KINDS = ("lesson", "quiz", "course")


@dataclass
class Reference:
    """A link to another part of the curriculum, or an image, found in a lesson, with its line."""

    kind: str  # "lesson", "quiz", "course" or "image"
    target: str
    line: int
    alt: str = ""


# The hosts whose pages a lesson may embed (an admin's setting, passed in by whoever renders: this module reads
# no database). Empty by default, so `courses sync` renders exactly as before: no iframes at all.
_EMBED_HOSTS: ContextVar[frozenset[str]] = ContextVar("lms_embed_hosts", default=frozenset())
EMBED_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"


@contextmanager
def allowed_embed_hosts(hosts) -> Iterator[None]:
    """Within the block, ```embed blocks whose https URL is on one of ``hosts`` render as iframes."""
    token = _EMBED_HOSTS.set(frozenset(host.lower() for host in hosts))
    try:
        yield
    finally:
        _EMBED_HOSTS.reset(token)


def _embed_html(content: str, hosts: frozenset[str]) -> str:
    # A fenced block ```embed: its first line the page's https URL, an optional second line the title. On an
    # allowed host it becomes an iframe; elsewhere a plain link, so learners can still open it.
    lines = [line.strip() for line in content.strip().splitlines() if line.strip()]
    url = lines[0] if lines else ""
    title = lines[1] if len(lines) > 1 else url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return f"<pre><code>{html.escape(content)}</code></pre>\n"
    if parts.hostname.lower() in hosts:
        return (f'<p><iframe src="{html.escape(url)}" title="{html.escape(title)}" loading="lazy" '
                f'sandbox="{EMBED_SANDBOX}" referrerpolicy="strict-origin-when-cross-origin" '
                f'allowfullscreen></iframe></p>\n')
    return f'<p><a href="{html.escape(url)}">{html.escape(title)}</a></p>\n'


def _embed_attribute(hosts: frozenset[str]):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag != "iframe":
            return value
        if attribute == "src":
            parts = urlsplit(value)
            return value if parts.scheme == "https" and (parts.hostname or "").lower() in hosts else None
        return {"sandbox": EMBED_SANDBOX, "loading": "lazy",
                "referrerpolicy": "strict-origin-when-cross-origin"}.get(attribute, value)
    return keep


def render_markdown(source: str, media_digests: dict[str, str] | None = None) -> str:
    """Lesson Markdown as sanitised HTML: raw HTML is shown as text, curriculum links and media become relative
    URLs, and nh3 removes anything unsafe that is left. Iframes only from ``allowed_embed_hosts``."""
    hosts = _EMBED_HOSTS.get()
    tokens = _markdown.parse(source)
    for token in tokens:
        if token.type == "fence" and token.info.strip() == "embed":
            token.type, token.content = "html_block", _embed_html(token.content, hosts)
        for child in token.children or []:
            if child.type == "link_open":
                child.attrSet("href", _relative_url(str(child.attrGet("href") or "")))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                name = src[len("media/"):] if src.startswith("media/") else None
                if name and media_digests and name in media_digests:
                    child.attrSet("src", f"../media/{media_digests[name]}/{name}")
    rendered = _markdown.renderer.render(tokens, _markdown.options, {})
    if not hosts:
        return nh3.clean(rendered, link_rel="noopener noreferrer")
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["iframe"] = {"src", "title", "loading", "allowfullscreen", "sandbox", "referrerpolicy"}
    return nh3.clean(rendered, tags=nh3.ALLOWED_TAGS | {"iframe"}, attributes=attributes,
                     attribute_filter=_embed_attribute(hosts), link_rel="noopener noreferrer")


def _relative_url(href: str) -> str:
    # A lesson is served at .../courses/<course>/lesson/<lesson>: these resolve from there, under any URL prefix.
    kind, _, target = href.partition(":")
    if kind == "lesson" and SLUG.match(target):
        return target
    if kind == "quiz" and SLUG.match(target):
        return f"../quiz/{target}"
    if kind == "course" and SLUG.match(target):
        return f"../../{target}"
    return href


def references(source: str, first_line: int) -> list[Reference]:
    """The curriculum links and images in a lesson's Markdown, with their line numbers in the file."""
    found = []
    for token in _markdown.parse(source):
        line = first_line + (token.map[0] if token.map else 0)
        for child in token.children or []:
            if child.type == "link_open":
                kind, _, target = str(child.attrGet("href") or "").partition(":")
                if kind in LINK_KINDS:
                    found.append(Reference(kind, target, line))
            elif child.type == "image":
                found.append(Reference("image", str(child.attrGet("src") or ""), line, child.content.strip()))
    return found


def parse_course(folder: Path, known_courses: set[str] | None = None) -> ParsedCourse:
    """Read and check one course folder. Raises CourseFileError for the first problem found.

    ``known_courses``: the course slugs that ``course:`` links may point at (unchecked when None).
    """
    return parse_course_source(FolderSource(folder), known_courses)


def parse_course_files(slug: str, files: Mapping[str, bytes], known_courses: set[str] | None = None
                       ) -> ParsedCourse:
    """Check a course given as file names and bytes (``course.yaml``, ``lessons/x.en.md``, ``media/y.png``...)
    by the same rules as a folder; errors name the files as ``<slug>/...``. Raises CourseFileError."""
    return parse_course_source(MemorySource(slug, files), known_courses)


def parse_course_source(source: CourseSource, known_courses: set[str] | None = None) -> ParsedCourse:
    """Read and check one course from any source. Raises CourseFileError for the first problem found."""
    folder = source.folder
    reader = _Reader(source.path("course.yaml"), _yaml_mapping(source, "course.yaml"))
    reader.only({"slug", "title", "summary", "audience", "label", "version", "modules"})
    slug = reader.data.get("slug", folder.name)
    if slug != folder.name:
        reader.fail("slug", f"must match the folder name {folder.name!r}")
    if not SLUG.match(folder.name):
        reader.fail(None, f"the folder name {folder.name!r} is not a slug (lower-case letters, digits, hyphens)")
    label = reader.data.get("label", reader.data.get("version"))
    modules_data = reader.required("modules")
    if not isinstance(modules_data, list) or not modules_data:
        reader.fail("modules", "must be a list of one or more modules")
    course = ParsedCourse(
        slug=slug, title=reader.language_map("title"), summary=reader.language_map("summary", required=False),
        audience=reader.audience(), label=str(label) if label is not None else None, modules=[],
        media=_media_digests(source),
    )
    seen: set[tuple[str, str]] = set()
    module_slugs: set[str] = set()
    for index, module_data in enumerate(modules_data):
        module_reader = reader.child(module_data, f"modules[{index}]")
        module_reader.only({"slug", "title", "items"})
        module = ParsedModule(slug=module_reader.slug("slug"), title=module_reader.language_map("title"))
        if module.slug in module_slugs:
            module_reader.fail("slug", f"the module slug {module.slug!r} is used twice")
        module_slugs.add(module.slug)
        items = module_reader.required("items")
        if not isinstance(items, list):
            module_reader.fail("items", "must be a list of '- lesson: SLUG' or '- quiz: SLUG' entries")
        for item_index, entry in enumerate(items):
            item_reader = module_reader.child(entry, f"items[{item_index}]")
            if len(entry) != 1 or next(iter(entry)) not in ("lesson", "quiz"):
                item_reader.fail(None, "each item is one of '- lesson: SLUG' or '- quiz: SLUG'")
            kind = next(iter(entry))
            item_slug = item_reader.slug(kind)
            if (kind, item_slug) in seen:
                item_reader.fail(kind, f"the {kind} {item_slug!r} is listed twice")
            seen.add((kind, item_slug))
            if kind == "lesson":
                module.items.append(parse_lesson(source, item_slug, item_reader, course.media))
            else:
                module.items.append(_parse_quiz(source, f"quizzes/{item_slug}.yaml", item_slug, item_reader))
        course.modules.append(module)
    check_references(folder, course, known_courses)
    return course


def media_digests(folder: Path) -> dict[str, str]:
    """The course's media files (images) by name, with the SHA-256 of each. Raises CourseFileError for a bad one."""
    return _media_digests(FolderSource(folder))


def media_digest(content: bytes) -> str:
    """The short content hash that names a media file in URLs and in a course's content hash."""
    return hashlib.sha256(content).hexdigest()[:32]


def _media_digests(source: CourseSource) -> dict[str, str]:
    digests = {}
    for entry in source.media():
        path = source.path(f"media/{entry.name}")
        if Path(entry.name).suffix.lower() not in IMAGE_TYPES or not entry.is_file:
            raise CourseFileError(path, None, "(file)", "media/ may hold only PNG, JPEG, GIF or WebP images")
        if entry.size > MAX_IMAGE_BYTES:
            raise CourseFileError(path, None, "(file)", "an image may be at most 5 MB")
        digests[entry.name] = media_digest(source.read(f"media/{entry.name}") or b"")
    return digests


def check_references(folder: Path, course: ParsedCourse, known_courses: set[str] | None) -> None:
    """Every curriculum link points at something that exists, and every image exists and has alt text."""
    slugs = {(item.kind, item.slug) for item in course.items}
    for item in course.items:
        for language, found in item.references.items():
            path = folder / "lessons" / f"{item.slug}.{language}.md"
            for reference in found:
                if reference.kind == "image":
                    name = reference.target[len("media/"):] if reference.target.startswith("media/") else None
                    if name is None or name not in course.media:
                        raise CourseFileError(path, reference.line, "(image)",
                                              f"the image {reference.target} does not exist (put it in media/)")
                    if not reference.alt:
                        raise CourseFileError(path, reference.line, "(image)",
                                              f"the image {reference.target} needs alt text: ![what it shows](...)")
                elif reference.kind in ("lesson", "quiz") and (reference.kind, reference.target) not in slugs:
                    raise CourseFileError(path, reference.line, "(link)",
                                          f"the link to {reference.kind}:{reference.target} points at nothing "
                                          "in this course")
                elif reference.kind == "course" and known_courses is not None \
                        and reference.target not in known_courses:
                    raise CourseFileError(path, reference.line, "(link)",
                                          f"the link to course:{reference.target} points at no course")


def missing_translations(folder: Path, course: ParsedCourse) -> list[CourseFileError]:
    """Every text of the course that has no Chinese (zh-Hans) version, each as an error naming its file."""
    problems = []
    course_file = folder / "course.yaml"
    if "zh-Hans" not in course.title:
        problems.append(CourseFileError(course_file, None, "title", "no zh-Hans translation"))
    if course.summary and "zh-Hans" not in course.summary:
        problems.append(CourseFileError(course_file, None, "summary", "no zh-Hans translation"))
    for module in course.modules:
        if "zh-Hans" not in module.title:
            problems.append(CourseFileError(course_file, None, f"modules.{module.slug}.title",
                                            "no zh-Hans translation"))
        for item in module.items:
            if item.kind == "lesson" and "zh-Hans" not in (item.source or {}):
                problems.append(CourseFileError(folder / "lessons" / f"{item.slug}.zh-Hans.md", None, "(file)",
                                                "the Chinese version of this lesson is missing"))
            if item.kind == "quiz":
                problems += _quiz_translations(folder / "quizzes" / f"{item.slug}.yaml", item)
    return problems


def _quiz_translations(path: Path, item: ParsedItem) -> list[CourseFileError]:
    problems = []
    if "zh-Hans" not in item.title:
        problems.append(CourseFileError(path, None, "title", "no zh-Hans translation"))
    for question in item.quiz["questions"]:
        texts = {"prompt": question["prompt"], "feedback": question.get("feedback") or {"zh-Hans": "-"}}
        texts.update({f"options.{o['id']}.text": o["text"] for o in question.get("options", [])})
        for name, language_map in texts.items():
            if "zh-Hans" not in language_map:
                problems.append(CourseFileError(path, None, f"questions.{question['id']}.{name}",
                                                "no zh-Hans translation"))
    return problems


def parse_lesson(folder: Path | CourseSource, slug: str, listed_at: _Reader, media: dict[str, str] | None = None
                 ) -> ParsedItem:
    """A lesson's Markdown files, one per language (English required)."""
    files = folder if isinstance(folder, CourseSource) else FolderSource(folder)
    title: dict[str, str] = {}
    source: dict[str, str] = {}
    body: dict[str, str] = {}
    found: dict[str, list[Reference]] = {}
    minutes: int | None = None
    for language in CONTENT_LANGUAGES:
        name = f"lessons/{slug}.{language}.md"
        path = files.path(name)
        raw = files.read(name)
        if raw is None:
            if language == "en":
                listed_at.fail("lesson", f"the lesson file lessons/{slug}.en.md does not exist")
            continue
        try:
            text = _text(raw)
            post = frontmatter.loads(text)
        except UnicodeDecodeError:
            raise CourseFileError(path, None, "(file)", "the file is not UTF-8 text") from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise CourseFileError(path, mark.line + 2 if mark else 1, "(front matter)",
                                  f"not valid YAML: {getattr(error, 'problem', error)}") from None
        lesson_title = post.metadata.get("title")
        if not isinstance(lesson_title, str) or not lesson_title.strip():
            raise CourseFileError(path, 2, "title", "the front matter needs a title: line")
        if not post.content.strip():
            raise CourseFileError(path, 1, "(body)", "the lesson has no text")
        lesson_minutes = post.metadata.get("minutes")
        if lesson_minutes is not None and (isinstance(lesson_minutes, bool) or not isinstance(lesson_minutes, int)
                                           or not 1 <= lesson_minutes <= 600):
            raise CourseFileError(path, 2, "minutes", "must be a whole number of minutes from 1 to 600")
        minutes = minutes or lesson_minutes
        title[language] = lesson_title.strip()
        source[language] = post.content
        body[language] = render_markdown(post.content, media)
        first_line = text[:text.find(post.content[:80])].count("\n") + 1 if post.content else 1
        found[language] = references(post.content, first_line)
    return ParsedItem(kind="lesson", slug=slug, title=title, minutes=minutes, body=body, source=source,
                      references=found)


def parse_quiz(path: Path, slug: str, listed_at: _Reader) -> ParsedItem:
    """A quiz file: its questions, their right answers and feedback, the pass mark and the attempt limit."""
    return _parse_quiz(FolderSource(path.parent), path.name, slug, listed_at)


def _parse_quiz(source: CourseSource, name: str, slug: str, listed_at: _Reader) -> ParsedItem:
    if source.read(name) is None:
        listed_at.fail("quiz", f"the quiz file quizzes/{slug}.yaml does not exist")
    reader = _Reader(source.path(name), _yaml_mapping(source, name))
    reader.only({"title", "pass_mark", "max_attempts", "shuffle", "questions"})
    questions_data = reader.required("questions")
    if not isinstance(questions_data, list) or not questions_data:
        reader.fail("questions", "must be a list of one or more questions")
    questions = []
    ids: set[str] = set()
    for index, question_data in enumerate(questions_data):
        questions.append(_parse_question(reader.child(question_data, f"questions[{index}]"), ids))
    quiz = {
        "pass_mark": reader.integer("pass_mark", 70, 0, 100),
        "max_attempts": reader.integer("max_attempts", 0, 0, 100),
        "shuffle": reader.boolean("shuffle", True),
        "questions": questions,
    }
    return ParsedItem(kind="quiz", slug=slug, title=reader.language_map("title"), quiz=quiz)


def _parse_question(reader: _Reader, ids: set[str]) -> dict:
    reader.only({"id", "type", "prompt", "options", "answer", "feedback"})
    question_id = reader.required("id")
    if not isinstance(question_id, str) or not SLUG.match(question_id):
        reader.fail("id", "must be a short id of lower-case letters, digits and hyphens, like q1")
    if question_id in ids:
        reader.fail("id", f"the question id {question_id!r} is used twice in this quiz")
    ids.add(question_id)
    kind = reader.required("type")
    if kind not in QUESTION_TYPES:
        reader.fail("type", f"must be one of {', '.join(QUESTION_TYPES)}")
    question = {"id": question_id, "type": kind, "prompt": reader.language_map("prompt"),
                "feedback": reader.language_map("feedback", required=False)}
    if kind == "true_false":
        answer = reader.required("answer") if "answer" in reader.data else reader.fail(
            None, "a true_false question needs answer: true or answer: false")
        if not isinstance(answer, bool):
            reader.fail("answer", "must be true or false")
        if "options" in reader.data:
            reader.fail("options", "a true_false question has no options; give answer: true or false")
        question["answer"] = answer
        return question
    options_data = reader.required("options")
    if not isinstance(options_data, list) or len(options_data) < 2:
        reader.fail("options", "must list two or more options")
    options, option_ids = [], set()
    for index, option_data in enumerate(options_data):
        option_reader = reader.child(option_data, f"options[{index}]")
        option_reader.only({"id", "text", "correct"})
        option_id = option_reader.required("id")
        if not isinstance(option_id, str) or not SLUG.match(option_id) or option_id in option_ids:
            option_reader.fail("id", "must be a short id (like a, b, c), unique in the question")
        option_ids.add(option_id)
        correct = option_reader.data.get("correct", False)
        if not isinstance(correct, bool):
            option_reader.fail("correct", "must be true or false")
        options.append({"id": option_id, "text": option_reader.language_map("text"), "correct": correct})
    right = sum(option["correct"] for option in options)
    if kind == "single" and right != 1:
        reader.fail("options", f"a single-choice question needs exactly one correct option (it has {right})")
    if kind == "multiple" and right < 1:
        reader.fail("options", "a multiple-choice question needs at least one correct option")
    question["options"] = options
    return question


# --- tracks -----------------------------------------------------------------------------------------------

def parse_tracks(path: Path) -> list[ParsedTrack]:
    """tracks.yaml, if present. Raises CourseFileError for the first problem found."""
    if not path.exists():
        return []
    reader = _Reader(path, read_yaml(path))
    reader.only({"tracks"})
    tracks_data = reader.data.get("tracks") or []
    if not isinstance(tracks_data, list):
        reader.fail("tracks", "must be a list of tracks")
    tracks, slugs = [], set()
    for index, track_data in enumerate(tracks_data):
        track_reader = reader.child(track_data, f"tracks[{index}]")
        track_reader.only({"slug", "title", "summary", "audience", "courses", "electives", "pass_mark",
                           "validity_months", "min_study_minutes", "prerequisites"})
        slug = track_reader.slug("slug")
        if slug in slugs:
            track_reader.fail("slug", f"the track slug {slug!r} is used twice")
        slugs.add(slug)
        courses = track_reader.required("courses")
        if not isinstance(courses, list) or not all(isinstance(c, str) and SLUG.match(c) for c in courses):
            track_reader.fail("courses", "must be a list of course slugs")
        electives, choose = _electives(track_reader)
        tracks.append(ParsedTrack(
            slug=slug, title=track_reader.language_map("title"),
            summary=track_reader.language_map("summary", required=False), audience=track_reader.audience(),
            courses=list(courses), pass_mark=track_reader.integer("pass_mark", 70, 0, 100),
            validity_months=track_reader.integer("validity_months", None, 1, 600),
            electives=electives, electives_required=choose,
            min_study_minutes=track_reader.integer("min_study_minutes", None, 1, 100_000),
            prerequisites=_prerequisites(track_reader, list(courses) + electives),
            line=track_reader.data.key_lines.get("courses", track_reader.data.line),
        ))
    return tracks


def _prerequisites(track_reader: _Reader, courses: list[str]) -> dict[str, list[str]]:
    """``prerequisites: {course: [courses completed before it]}``, over the track's own courses, without cycles."""
    if "prerequisites" not in track_reader.data:
        return {}
    reader = track_reader.child(track_reader.data["prerequisites"], "prerequisites")
    found: dict[str, list[str]] = {}
    for course, before in reader.data.items():
        if course not in courses:
            reader.fail(str(course), f"{course!r} is not one of this track's courses")
        if not isinstance(before, list) or not all(isinstance(c, str) and c in courses and c != course
                                                   for c in before):
            reader.fail(str(course), "must be a list of other courses of this track")
        found[course] = list(before)

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        return any(c == target or (c not in seen and reaches(c, target, seen | {c})) for c in found.get(start, []))

    for course in found:
        if reaches(course, course, {course}):
            reader.fail(course, f"the prerequisites of {course!r} lead back to it (a cycle)")
    return found


def _electives(track_reader: _Reader) -> tuple[list[str], int]:
    if "electives" not in track_reader.data:
        return [], 0
    reader = track_reader.child(track_reader.data["electives"], "electives")
    reader.only({"choose", "courses"})
    courses = reader.required("courses")
    if not isinstance(courses, list) or not courses or not all(isinstance(c, str) and SLUG.match(c) for c in courses):
        reader.fail("courses", "must be a list of course slugs")
    choose = reader.integer("choose", 1, 1, len(courses))
    return list(courses), choose


def course_folders(root: Path) -> list[Path]:
    """The course folders under a curriculum root: those holding a course.yaml, by name."""
    return sorted(path.parent for path in root.glob("*/course.yaml"))
