"""Reading an import: the upload's bytes (within the size limit), its rows, and which field each header cell or
record key names. Headers may be Korean, English, the field name, an alias, or the template's
"한글 (English)" form; case, spaces and punctuation are ignored."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from nic1000.core.excel import FileRefused, read_rows, sniff_format
from nic1000.registry.fields import Field, fields_of
from nic1000.registry.importing.report import ImportReport
from nic1000.registry.messages import lazy_format

Upload = IO[bytes] | Path | bytes  # an open file (Django's UploadedFile too), a path, or the bytes


@dataclass
class Rows:
    """A file's data rows (blank rows skipped) with the field of each column and each row's number."""

    mapped: list[Field | None]
    body: list[list[Any]]
    rownos: list[int]


# ---------------------------------------------------------------------------------------------------- the upload


def upload_bytes(file: Upload, report: ImportReport) -> bytes | None:
    """The upload's bytes, or None (and a problem) when it is larger than IMPORT_MAX_BYTES. An open file is
    measured before it is read."""
    limit = int(settings.IMPORT_MAX_BYTES)
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, Path | str):
        path = Path(file)
        if path.stat().st_size > limit:
            _too_big(report, limit)
            return None
        data = path.read_bytes()
    else:
        size = _size_of(file)
        if size is not None and size > limit:
            _too_big(report, limit)
            return None
        data = file.read(limit + 1)
    if len(data) > limit:
        _too_big(report, limit)
        return None
    return data


def _size_of(file: IO[bytes]) -> int | None:
    if hasattr(file, "seek"):  # an upload a form has looked at may not be at its start
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    size = getattr(file, "size", None)  # Django's UploadedFile knows its size without reading
    if size is None and hasattr(file, "seek") and hasattr(file, "tell"):
        try:
            pos = file.tell()
            file.seek(0, io.SEEK_END)
            size = file.tell() - pos
            file.seek(pos)
        except (OSError, ValueError):
            size = None
    return None if size is None else int(size)


def _too_big(report: ImportReport, limit: int) -> None:
    message = _("the file is larger than the limit of %(limit)s bytes")
    report.add(0, "", "", lazy_format(message, limit=f"{limit:,}"))


# ---------------------------------------------------------------------------------------------------- the rows


def _is_empty_row(row: Iterable[Any]) -> bool:
    return all(c is None or c == "" or (type(c) is str and not c.strip()) for c in row)


def file_rows(*, kind: str, data: bytes, filename: str, report: ImportReport) -> Rows | None:
    """The data rows under the header (the first non-empty row), or None with the problems reported."""
    try:
        rows = read_rows(data, sniff_format(data))
    except FileRefused as refused:
        report.add_refused(refused, filename)
        return None
    start = 0
    while start < len(rows) and _is_empty_row(rows[start]):
        start += 1
    if start >= len(rows):
        report.add(0, "", filename, _("the file is empty"))
        return None
    header = list(rows[start])
    width = len(header)
    while width and (header[width - 1] is None or str(header[width - 1]).strip() == ""):
        width -= 1
    header = header[:width]
    mapped = map_header(kind=kind, cells=header, report=report)
    if report.problems:
        return None
    body: list[list[Any]] = []
    rownos: list[int] = []
    for i in range(start + 1, len(rows)):
        row = rows[i]
        if len(row) < width:
            row = list(row) + [""] * (width - len(row))
        if _is_empty_row(row[:width]):
            continue
        body.append(row)
        rownos.append(i + 1)
    if not body:
        report.add(0, "", filename, _("the file has a header but no data rows"))
        return None
    return Rows(mapped=mapped, body=body, rownos=rownos)


def record_rows(*, kind: str, records: Sequence[dict[str, Any]], report: ImportReport) -> Rows | None:
    """Already-parsed dicts keyed by field name as rows; row numbers count records from 1."""
    if not records:
        report.add(0, "", "", _("no records to import"))
        return None
    names = list(dict.fromkeys(key for rec in records for key in rec))
    mapped = map_names(kind=kind, names=names, report=report)
    if report.problems:
        return None
    body = [[rec.get(k) for k in names] for rec in records]
    return Rows(mapped=mapped, body=body, rownos=list(range(1, len(body) + 1)))


# ---------------------------------------------------------------------------------------------------- headers

_NORM_RE = re.compile(r"[\s_*·().,/\-]+")


def _norm(text: str) -> str:
    return _NORM_RE.sub("", text.lower())


def _aliases(fields: Iterable[Field]) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in fields:
        for a in (f.name, f.header_ko, f.header_en, f.header, *f.aliases):
            out.setdefault(_norm(a), f)
    return out


def _match_header(cell: Any, aliases: dict[str, Field]) -> Field | None:
    text = str(cell).strip()
    found = aliases.get(_norm(text))
    if found is None and "(" in text:  # "한글 (English)" with a different spelling on one side
        head, _sep, tail = text.partition("(")
        found = aliases.get(_norm(head)) or aliases.get(_norm(tail.rsplit(")", 1)[0]))
    return found


def map_header(*, kind: str, cells: list[Any], report: ImportReport) -> list[Field | None]:
    """The field of each header cell; unknown, duplicate and missing required columns are problems."""
    fields = fields_of(kind)
    aliases = _aliases(fields)
    mapped: list[Field | None] = []
    for cell in cells:
        if cell is None or str(cell).strip() == "":
            mapped.append(None)
            continue
        found = _match_header(cell, aliases)
        if found is None:
            known = ", ".join(f.header_ko for f in fields)
            message = _("unknown column; expected one of the template's columns (%(columns)s)")
            report.add(1, str(cell), cell, lazy_format(message, columns=known))
        mapped.append(found)
    _check_columns(fields, mapped, report, row=1)
    return mapped


def map_names(*, kind: str, names: list[str], report: ImportReport) -> list[Field | None]:
    """The field of each record key (field names only)."""
    fields = fields_of(kind)
    by_name = {f.name: f for f in fields}
    mapped: list[Field | None] = []
    for key in names:
        found = by_name.get(key)
        if found is None:
            report.add(0, key, key, _("unknown column"))
        mapped.append(found)
    _check_columns(fields, mapped, report, row=0)
    return mapped


def _check_columns(
    fields: Sequence[Field], mapped: list[Field | None], report: ImportReport, *, row: int
) -> None:
    seen: dict[str, int] = {}
    for i, found in enumerate(mapped):
        if found is None:
            continue
        if found.name in seen:
            message = _("the column appears twice (columns %(first)s and %(second)s)")
            report.add(1, found.header, "", lazy_format(message, first=seen[found.name] + 1, second=i + 1))
        seen[found.name] = i
    missing = [f for f in fields if f.required and f.name not in seen]
    if missing:
        names = ", ".join(f.header for f in missing)
        report.add(row, names, "", lazy_format(_("required column(s) missing: %(columns)s"), columns=names))
