"""Paging every list page: a page number from the query string can never fail.

`page_number` reads `?page=` as a whole number from 1 to MAX_PAGE (anything else, "abc", "-3", "1e9", is page 1;
a larger number is MAX_PAGE), so no offset ever overflows a database integer
(`?page=99999999999999999999` used to be a 500 on SQLite and 9223372036854775807 on PostgreSQL).
`paginate` gives a Django `Page` (past the last page: the last page); `list_page` one page of a queryset
counted only up to COUNT_CAP (a constant number of queries at any page size).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

# No list is browsed this deep; it keeps offsets (page x size) far inside a 64-bit integer.
MAX_PAGE = 100_000
# Counting every match on every page is what makes long lists slow; beyond this we say "10,000+".
COUNT_CAP = 10_000

T = TypeVar("T")


def page_number(raw: object) -> int:
    """`?page=` as a number from 1 to MAX_PAGE; anything that is not a whole number is page 1."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not text.isascii():
        return 1
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return max(1, min(int(text), MAX_PAGE))


def paginate(object_list: QuerySet[Any] | Sequence[T], raw_page: object, per_page: int) -> Page[Any]:
    """The page asked for, the last page past the end, the first for nonsense."""
    return Paginator(object_list, per_page).get_page(page_number(raw_page))


@dataclass
class ListPage:
    """One page of a list, counted only up to COUNT_CAP (a constant number of queries at any page size)."""

    rows: list[Any]
    number: int
    size: int
    count: int
    capped: bool  # the true count is larger than `count` (not counted, or beyond COUNT_CAP)
    more: bool = False  # a row exists after this page
    counted: bool = True  # False for text searches (no COUNT query)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        return None if self.capped else max(1, math.ceil(self.count / self.size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def list_page(qs: QuerySet[Any], page: object, size: int, *, count: bool = True) -> ListPage:
    """One page of `qs`: size + 1 rows tell whether there is a next page; the total is counted only when asked
    (and only up to COUNT_CAP). Text searches skip the count: it would scan the whole table a second time."""
    number = page_number(page)
    total: int | None = None
    if count:
        total = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
        if total <= COUNT_CAP:
            number = min(number, max(1, math.ceil(total / size)))
    offset = (number - 1) * size
    rows = list(qs[offset : offset + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if total is None:  # not counted: known exactly only when this is the last page
        capped = more
        total = offset + len(rows)
    else:
        capped = total > COUNT_CAP
    return ListPage(
        rows=rows,
        number=number,
        size=size,
        count=min(total, COUNT_CAP),
        capped=capped,
        more=more,
        counted=count,
    )
