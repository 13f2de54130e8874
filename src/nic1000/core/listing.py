"""Exporting a list page as Excel with the page's own filters and sort.

A list view answers `?format=xlsx` (the `{% export_link %}` of the page, with every filter and the sort kept and
the page dropped) with `xlsx_response`: the same queryset the page shows, every row rather than one page, read in
chunks (`rows_of`: `QuerySet.iterator(chunk_size=...)`, a constant number of queries with `select_related`) and
written through the one formula-safe writer (`core.excel.xlsx_write`, openpyxl write-only mode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from nic1000.core.excel import Sheet, xlsx_write

EXPORT_PARAM = "format"
EXPORT_FORMAT = "xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000

M = TypeVar("M", bound=Model)


def wants_xlsx(request: HttpRequest) -> bool:
    """The list was asked for as an Excel file (`?format=xlsx`)."""
    return request.GET.get(EXPORT_PARAM) == EXPORT_FORMAT


def rows_of(
    qs: QuerySet[M] | Iterable[M], row: Callable[[M], Sequence[object]]
) -> Iterator[Sequence[object]]:
    """Rows for a sheet, read from the database in chunks (memory bounded on long lists)."""
    items: Iterable[M] = qs.iterator(chunk_size=CHUNK) if isinstance(qs, QuerySet) else qs
    for item in items:
        yield row(item)


def local_naive(value: Any) -> Any:
    """Spreadsheets hold no time zones: an aware datetime in local time without its zone."""
    if value is None or not hasattr(value, "tzinfo") or value.tzinfo is None:
        return value
    return timezone.localtime(value).replace(tzinfo=None)


def xlsx_response(*, name: str, header: Sequence[Any], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """One sheet as a download named nic1000-<name>-<date>.xlsx."""
    return xlsx_sheets_response(
        name=name, sheets=[Sheet(title=name, header=[str(h) for h in header], rows=rows)]
    )


def xlsx_sheets_response(*, name: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """Several sheets as one download named nic1000-<name>-<date>.xlsx."""
    content = xlsx_write(sheets)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nic1000-{name}-{stamp}.xlsx"'
    return response
