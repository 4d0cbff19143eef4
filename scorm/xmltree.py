"""Manifest XML read by local name, whatever the namespace: real packages mix ``adlcp:scormtype`` and
``adlcp:scormType``, ``adlcp:datafromlms`` and ``adlcp:dataFromLMS``, and sometimes put SCORM elements in the wrong
namespace, so names compare case-insensitively and prefixes are ignored."""

from __future__ import annotations

from xml.etree.ElementTree import Element


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def find_all(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    name = name.lower()
    return [child for child in element if local_name(child.tag).lower() == name]


def find(element: Element | None, name: str) -> Element | None:
    found = find_all(element, name)
    return found[0] if found else None


def text_of(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def child_text(element: Element, name: str) -> str | None:
    child = find(element, name)
    if child is None:
        return None
    return (child.text or "").strip() or None


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, in any namespace, case-insensitively (adlcp:scormtype vs adlcp:scormType)."""
    name = name.lower()
    return next((value for key, value in element.attrib.items() if local_name(key).lower() == name), None)


def namespaces_in(root: Element) -> set[str]:
    found = set()
    for element in root.iter():
        for tag in (element.tag, *element.attrib):
            if isinstance(tag, str) and tag.startswith("{"):
                found.add(tag[1:].split("}", 1)[0])
    return found


def as_bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    value = value.strip().lower()
    return True if value in ("true", "1") else False if value in ("false", "0") else default


def as_float(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None
