"""Slugs made from titles, and short stable hashes for identifiers: one way, for every importer and editor."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def slugify(text: str) -> str:
    """A slug from a title: ASCII letters and digits in lower case, single hyphens ("" when nothing is left, as for
    a title in Chinese only: callers give their own fallback)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")


def unique_slug(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``-3``... the first not in ``taken``; the result is added to ``taken``."""
    slug, number = wanted, 2
    while slug in taken:
        slug = f"{wanted[:55]}-{number}"
        number += 1
    taken.add(slug)
    return slug


def short_hash(value: str, length: int = 16) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``value``: a stable, short identifier."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:length]
