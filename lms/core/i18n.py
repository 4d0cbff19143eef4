"""Translations of the LMS's own strings, in their own Flask-Babel domain so a host's catalogue is never touched.

Templates get ``_`` and ``ngettext`` from the LMS blueprints' context processor; Python code uses ``_`` and
``lazy_`` from here. ``text(language_map)`` picks a content text (course titles, lesson bodies) in the learner's
language, falling back to English.
"""

from __future__ import annotations

from pathlib import Path

from flask import has_request_context, request, session
from flask_babel import Domain, get_locale
from flask_login import current_user

LOCALES = {"en": "en", "zh-Hans": "zh_Hans"}  # content language tag -> Babel locale
TRANSLATIONS = str(Path(__file__).resolve().parent.parent / "translations")

domain = Domain(translation_directories=TRANSLATIONS, domain="messages")
_ = domain.gettext
lazy_ = domain.lazy_gettext
ngettext = domain.ngettext


# Flask-Login flashes this when a page needs a signed-in user, translating it through localize_callback;
# the lazy_ call only marks it for extraction into the catalogue.
SIGN_IN_REQUIRED = "Please sign in to open this page."
lazy_("Please sign in to open this page.")


def select_locale() -> str:
    """The signed-in user's language, else the one chosen this session, else the browser's best match."""
    if not has_request_context():  # a command or a mail sent outside a request: the default language
        return "en"
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.language in LOCALES:
        return LOCALES[current_user.language]
    chosen = session.get("lms_language")
    if chosen in LOCALES:
        return LOCALES[chosen]
    if request:
        best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-SG"], default="en")
        return LOCALES["zh-Hans"] if best.startswith("zh") else "en"
    return "en"


def current_language() -> str:
    """The content language tag (``en`` or ``zh-Hans``) of the current request."""
    locale = get_locale()
    return "zh-Hans" if locale is not None and locale.language == "zh" else "en"


def text(language_map: dict | None, language: str | None = None) -> str:
    """A text from a language map in the given (or current) language, falling back to English, then to any."""
    if not language_map:
        return ""
    language = language or current_language()
    return language_map.get(language) or language_map.get("en") or next(iter(language_map.values()), "")


def is_translated(language_map: dict | None, language: str | None = None) -> bool:
    language = language or current_language()
    return bool(language_map and language_map.get(language))


LANGUAGE_NAMES = {"en": "English", "zh-Hans": "简体中文"}  # each language named in itself, for every reader


def language_names(tags: list[str]) -> str:
    return ", ".join(LANGUAGE_NAMES.get(tag, tag) for tag in tags)


def template_helpers() -> dict:
    from flask_wtf.csrf import generate_csrf

    return {"_": _, "gettext": _, "ngettext": ngettext, "text": text, "current_language": current_language,
            "csrf_token": generate_csrf, "language_names": language_names}
