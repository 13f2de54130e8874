"""Sorting list pages by a column the reader clicks: `?sort=<key>&dir=asc|desc`.

Each list declares a `SortSpec`: a whitelist of column keys, each mapped to the fields it orders by, and the
default. `sort_from(request.GET, spec)` reads the query string; a key that is not in the whitelist, or a
direction other than asc/desc, is ignored (the default applies), so no query string can reach `order_by` with
a field name of its own and none is an error page. `Sort.apply(qs)` orders the queryset with a stable
tie-break by primary key, so pages never repeat or skip a row between two equal values.

Templates draw the headers with `{% sort_th sort "key" label %}` (core/templatetags/nic.py): a link that keeps
the filters, drops the page and flips the direction, and `aria-sort` on the sorted column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet
from django.db.models.expressions import OrderBy

M = TypeVar("M", bound=Model)

ASC = "asc"
DESC = "desc"


@dataclass(frozen=True)
class SortSpec:
    """The sortable columns of one list: key → fields (a leading "-" reverses that field), the default key and
    its direction."""

    columns: Mapping[str, tuple[str, ...]]
    default: str
    default_dir: str = ASC

    def __post_init__(self) -> None:
        if self.default not in self.columns:
            raise ValueError(f"default sort {self.default!r} is not a column")
        if self.default_dir not in (ASC, DESC):
            raise ValueError(f"direction {self.default_dir!r}")


@dataclass(frozen=True)
class Sort:
    spec: SortSpec
    key: str
    dir: str

    @property
    def descending(self) -> bool:
        return self.dir == DESC

    def order_by(self) -> list[OrderBy]:
        """The ordering expressions: the column's fields (reversed for desc), then the primary key in the same
        direction. Plain ASC/DESC (no NULLS LAST): the list indexes (name, id) answer both directions."""
        out: list[OrderBy] = []
        for name in (*self.spec.columns[self.key], "pk"):
            reverse = name.startswith("-")
            field = F(name.lstrip("-"))
            desc = reverse != self.descending
            out.append(field.desc() if desc else field.asc())
        return out

    def apply(self, qs: QuerySet[M]) -> QuerySet[M]:
        return qs.order_by(*self.order_by())

    def is_default(self) -> bool:
        return self.key == self.spec.default and self.dir == self.spec.default_dir

    def next_dir(self, key: str) -> str:
        """The direction a click on column `key` asks for: the other one on the sorted column, else ascending."""
        if key == self.key:
            return ASC if self.descending else DESC
        return ASC


def sort_from(params: Mapping[str, Any], spec: SortSpec) -> Sort:
    """The sort asked for by `?sort=&dir=`; anything not whitelisted falls back to the default."""
    key = str(params.get("sort") or "")
    if key not in spec.columns:
        return Sort(spec=spec, key=spec.default, dir=_dir(params.get("dir"), spec.default_dir))
    return Sort(spec=spec, key=key, dir=_dir(params.get("dir"), ASC))


def _dir(raw: object, default: str) -> str:
    text = str(raw or "").lower()
    return text if text in (ASC, DESC) else default
