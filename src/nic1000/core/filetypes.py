"""What an uploaded document really is, judged by its first bytes (never by its name or the browser's word).

One table of signatures serves every upload of documents (call applications, finance applications, appeals):
`document_type(file)` gives the type key or None, `document_problem(file, max_bytes)` a reason to refuse or None.
Office formats that are ZIP containers (XLSX, DOCX, HWPX) are told apart by the names inside the archive."""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.utils.translation import gettext as _

# type key -> (label shown to people, extensions offered for download)
DOCUMENT_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("PDF", ".pdf"),
    "png": ("PNG", ".png"),
    "jpeg": ("JPEG", ".jpg"),
    "xlsx": ("Excel (XLSX)", ".xlsx"),
    "docx": ("Word (DOCX)", ".docx"),
    "hwp": ("HWP", ".hwp"),
    "hwpx": ("HWPX", ".hwpx"),
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "hwp"),  # OLE compound file: HWP 5 (old .doc/.xls are not offered)
)
_ZIP_MEMBERS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "xlsx"),
    ("word/document.xml", "docx"),
    ("Contents/content.hpf", "hwpx"),
)


def _zip_type(file: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return next((kind for member, kind in _ZIP_MEMBERS if member in names), None)


def document_type(file: Any) -> str | None:
    """The document's type key by its content, or None when it is none of DOCUMENT_TYPES."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_type(file)
        file.seek(0)
        return kind
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def document_problem(file: Any, *, max_bytes: int) -> str | None:
    """Why the upload is refused (too large, empty, not an accepted type), or None."""
    size = int(getattr(file, "size", 0) or 0)
    if size > max_bytes:
        return _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
    if size == 0:
        return _("The file is empty.")
    if document_type(file) is None:
        return _(
            "This is not a PDF, image, Excel, Word or HWP document (judged by its content, not its name)."
        )
    return None
