"""Published course versions as plain, immutable outlines, cached per app.

A published version never changes, so each worker loads its outline once instead of on every page: the lesson
and "My learning" pages are mostly outline. Outlines are plain data, never ORM objects, so they are safe to share
across requests and sessions.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalog.models import CourseVersion, Module
from lms.db import session

CACHE_SIZE = 256


@dataclass(frozen=True)
class CourseRef:
    id: int
    slug: str


@dataclass(frozen=True)
class ItemOutline:
    id: int
    kind: str
    slug: str
    position: int
    title: dict
    minutes: int | None
    body: dict | None
    quiz: dict | None
    module_id: int
    launch: dict | None = None  # a cmi5 AU's or Tin Can activity's launch data (CourseItem.launch)


@dataclass(frozen=True)
class ModuleOutline:
    id: int
    slug: str
    position: int
    title: dict
    items: tuple[ItemOutline, ...]


@dataclass(frozen=True)
class VersionOutline:
    id: int
    number: int
    label: str | None
    content_hash: str
    title: dict
    summary: dict
    audience: tuple[str, ...]
    languages: tuple[str, ...]
    created_at: datetime
    course: CourseRef
    modules: tuple[ModuleOutline, ...]

    @property
    def items(self) -> list[ItemOutline]:
        """Every item in the order learners take them."""
        return [item for module in self.modules for item in module.items]

    def item(self, kind: str, slug: str) -> ItemOutline | None:
        return next((item for item in self.items if item.kind == kind and item.slug == slug), None)

    def module_of(self, item: ItemOutline) -> ModuleOutline:
        return next(module for module in self.modules if module.id == item.module_id)


class _Cache:
    def __init__(self) -> None:
        self.entries: OrderedDict[int, VersionOutline] = OrderedDict()
        self.lock = Lock()


def outline(version_id: int) -> VersionOutline:
    """The outline of a published version (cached). Raises NoResultFound for an unknown id."""
    cache: _Cache = current_app.extensions.setdefault("lms.outlines", _Cache())
    with cache.lock:
        found = cache.entries.get(version_id)
        if found is not None:
            cache.entries.move_to_end(version_id)
            return found
    loaded = _load(version_id)
    with cache.lock:
        cache.entries[version_id] = loaded
        while len(cache.entries) > CACHE_SIZE:
            cache.entries.popitem(last=False)
    return loaded


def forget_outlines() -> None:
    """Drop every cached outline (after versions are deleted, e.g. when a test empties the database)."""
    current_app.extensions.pop("lms.outlines", None)


def _load(version_id: int) -> VersionOutline:
    version = session.execute(
        select(CourseVersion).where(CourseVersion.id == version_id)
        .options(selectinload(CourseVersion.modules).selectinload(Module.items), selectinload(CourseVersion.course))
    ).scalar_one()
    modules = tuple(
        ModuleOutline(
            id=module.id, slug=module.slug, position=module.position, title=dict(module.title),
            items=tuple(ItemOutline(id=item.id, kind=item.kind, slug=item.slug, position=item.position,
                                    title=dict(item.title), minutes=item.minutes, body=item.body, quiz=item.quiz,
                                    module_id=module.id, launch=item.launch) for item in module.items),
        ) for module in version.modules
    )
    return VersionOutline(
        id=version.id, number=version.number, label=version.label, content_hash=version.content_hash,
        title=dict(version.title), summary=dict(version.summary), audience=tuple(version.audience),
        languages=tuple(version.languages), created_at=version.created_at,
        course=CourseRef(id=version.course.id, slug=version.course.slug), modules=modules,
    )
