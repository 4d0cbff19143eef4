"""Pagination of a SELECT, the same way on every list page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from lms.db import session


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query: Select, page: int, per_page: int = 20) -> Page:
    """One page of a query's rows (scalars) and the total count; out-of-range pages are clamped."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = list(session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars())
    return Page(items=items, page=page, per_page=per_page, total=total)
