"""The Simplified Chinese (zh_Hans) catalogue: it covers every UI string the source marks for translation, keeps
its placeholders, and reaches the pages.

The .mo file is git-ignored, so the module compiles the .po when the .mo is missing or older than it. When a string
is added or changed, re-extract and update the catalogue with the commands at the top of babel.cfg.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "lms" / "translations"
PO = TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_": None}  # babel.cfg's extract command adds -k lazy_
# A printf-style conversion: %% or %(name)<conversion> or %<conversion>.
PLACEHOLDER = re.compile(r"%(?:%|(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa])")


def read_catalog() -> Catalog:
    with open(PO, "rb") as file:
        return read_po(file, locale="zh_Hans", abort_invalid=True)


def _searched(dirname: str) -> bool:
    """Babel's default (no hidden or ``_`` folders) plus no ``node_modules``: babel.cfg only maps lms/ anyway."""
    name = os.path.basename(dirname)
    return not name.startswith((".", "_")) and name != "node_modules"


def extracted_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every msgid (a tuple for a plural message) the source marks, with where: what ``pybabel extract`` finds."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping  # Babel < 2.14: parse_mapping
    with open(BABEL_CFG, encoding="utf-8") as file:
        method_map, options_map = parse(file)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_searched):
        assert context is None, f"{filename}:{lineno}: message contexts are not used by the LMS"
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def untranslated(messages: dict, catalog: Catalog) -> list[str]:
    """What the catalogue lacks for ``messages``: missing, empty, fuzzy or singular-vs-plural mismatched entries."""
    problems = []
    for msgid, where in sorted(messages.items(), key=lambda item: str(item[0])):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ())
        if entry is None:
            reason = "missing"
        elif isinstance(msgid, tuple) != entry.pluralizable or (entry.pluralizable and tuple(entry.id) != msgid):
            reason = "plural form differs from the source"
        elif not strings or not all(strings):
            reason = "empty translation"
        elif entry.fuzzy:
            reason = "fuzzy"
        else:
            continue
        problems.append(f"{key!r} ({reason}; {', '.join(where)})")
    return problems


def placeholders(text: str) -> Counter:
    return Counter(match.group(0) for match in PLACEHOLDER.finditer(text))


def compile_catalog() -> None:
    """Write the .mo next to the .po (atomically: parallel test workers may race)."""
    catalog = read_catalog()
    descriptor, temporary = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            write_mo(file, catalog)
        os.chmod(temporary, 0o644)
        os.replace(temporary, MO)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        compile_catalog()
    from lms.core.i18n import domain

    domain.cache.clear()  # the domain caches loaded catalogues process-wide; an earlier, empty load must not stick
    yield


# --- the catalogue is complete ---------------------------------------------------------------------------------


def test_every_marked_string_has_a_chinese_translation():
    messages = extracted_messages()
    assert len(messages) > 100, f"extraction found only {len(messages)} messages: is babel.cfg's map right?"
    catalog = read_catalog()
    problems = untranslated(messages, catalog)
    assert not problems, (
        f"{len(problems)} UI string(s) lack a zh_Hans translation in {PO.relative_to(ROOT)} "
        "(re-extract and update with the commands in babel.cfg, then translate):\n  " + "\n  ".join(problems))


def test_no_translation_is_fuzzy():
    catalog = read_catalog()
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy translations (check them, then drop the fuzzy flag): {fuzzy}"


def test_the_completeness_check_notices_a_missing_or_empty_translation():
    catalog = read_catalog()
    messages = {"Sign in": ["x.html:1"], ("%(num)d minute", "%(num)d minutes"): ["x.html:2"],
                "A string nobody translated": ["x.html:3"]}
    assert untranslated(messages, catalog) == ["'A string nobody translated' (missing; x.html:3)"]
    catalog["Sign in"].string = ""
    assert untranslated(messages, catalog)[1] == "'Sign in' (empty translation; x.html:1)"


def test_catalogue_declares_chinese_plural_rule():
    catalog = read_catalog()
    assert str(catalog.locale) == "zh_Hans"
    assert catalog.num_plurals == 1 and catalog.plural_expr == "0"


# --- placeholders ------------------------------------------------------------------------------------------------


def test_translations_keep_the_placeholders_of_their_msgids():
    catalog = read_catalog()
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(ids[-1])  # Chinese has one form, used for every count: the plural msgid's
        for msgstr in strings:
            if placeholders(msgstr) != expected:
                wrong.append(f"{ids[0]!r}: expects {dict(expected)}, got {dict(placeholders(msgstr))} in {msgstr!r}")
            elif expected:
                values = {match.group("name"): 1 if match.group(0)[-1] in "diouxX" else "x"
                          for match in PLACEHOLDER.finditer(ids[-1]) if match.group("name")}
                try:
                    msgstr % values
                except (KeyError, TypeError, ValueError) as error:
                    wrong.append(f"{ids[0]!r}: {msgstr!r} does not format ({error})")
    assert not wrong, "translations whose placeholders differ from the msgid:\n  " + "\n  ".join(wrong)


def test_babel_checkers_pass():
    errors = [(message.id, [str(error) for error in found]) for message, found in read_catalog().check()]
    assert not errors, errors


# --- the pages ---------------------------------------------------------------------------------------------------


def test_user_who_chose_chinese_sees_a_chinese_catalog(client, make_user, login_as, synced):
    learner = make_user(audience="worker", language="zh-Hans")
    login_as(learner)

    body = client.get("/").get_data(as_text=True)

    assert '<html lang="zh-Hans">' in body
    for chinese in ("劳动权益学习平台", "搜索课程", "我的学习", "个人资料", "退出登录", "为您推荐", "认证培训路径",
                    "语言："):
        assert chinese in body, f"{chinese!r} not on the Chinese catalog page"
    for english in ("Search courses", "My learning", "Sign out", "Recommended for you", "Certification tracks"):
        assert english not in body, f"{english!r} still in English on the Chinese catalog page"


def test_chinese_course_page_uses_the_single_plural_form(client, make_user, login_as, synced):
    login_as(make_user(language="zh-Hans"))

    body = client.get("/courses/labor-contract-basics").get_data(as_text=True)

    assert "第 1 单元：" in body and "报名本课程" in body and "测验" in body
    assert "Module 1:" not in body and "Enroll in this course" not in body


def test_session_language_switch_turns_an_anonymous_visitor_to_chinese(client, synced):
    before = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in before and "Sign in" in before and "登录" not in before

    switched = client.post("/account/language", data={"language": "zh-Hans", "next": "/?q=contract"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/?q=contract")

    after = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in after
    for chinese in ("课程", "搜索课程", "登录", "认证培训路径"):
        assert chinese in after, f"{chinese!r} not shown after switching to Chinese"
    assert "Sign in" not in after and "Search courses" not in after

    login_page = client.get("/account/login").get_data(as_text=True)
    assert "电子邮箱地址" in login_page and "在此设备上保持登录" in login_page  # lazy_ form labels follow too

    client.post("/account/language", data={"language": "en"})
    assert "Search courses" in client.get("/").get_data(as_text=True)


def test_session_language_switch_rejects_an_unknown_language(client):
    assert client.post("/account/language", data={"language": "fr"}).status_code == 400
