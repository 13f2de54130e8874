"""What an uploaded document really is, judged by its content (never by its name or the browser's word).

One table serves every upload of documents (finance applications, public calls, appeals):
- `detect(file)` gives the `DocType` (kind, content type, extension) or None: a small table of signatures;
  ZIP containers (XLSX, DOCX, HWPX) are told apart by their parts and OLE2 files are HWP only with its mark;
- `document_problem(file, max_bytes=..., accepted=...)` gives the reason to refuse (too large, empty, not an
  accepted type) or None;
- `clean_name(raw, doc_type)` is the uploader's name made safe, ending in the detected type's extension."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DocType:
    kind: str
    content_type: str
    extension: str


TYPES = {
    t.kind: t
    for t in (
        DocType("pdf", "application/pdf", ".pdf"),
        DocType("png", "image/png", ".png"),
        DocType("jpeg", "image/jpeg", ".jpg"),
        DocType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        DocType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
        DocType("hwp", "application/x-hwp", ".hwp"),
        DocType("hwpx", "application/hwp+zip", ".hwpx"),
    )
}
# The first bytes of each accepted format. ZIP and OLE2 are containers: what is inside decides (below).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
)
HWP_MARK = b"HWP Document File"  # the FileHeader stream of an HWP 5 compound file begins with it
HWPX_MIMETYPE = b"application/hwp+zip"


def _zip_kind(f: IO[bytes]) -> str | None:
    """Which office format a ZIP is, from its directory (nothing is unpacked but HWPX's tiny mimetype)."""
    try:
        with zipfile.ZipFile(f) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            small_mimetype = "mimetype" in names and z.getinfo("mimetype").file_size <= 64
            if small_mimetype and z.read("mimetype").strip() == HWPX_MIMETYPE:
                return "hwpx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def _has_hwp_mark(f: IO[bytes]) -> bool:
    """An OLE2 compound file is HWP only if its FileHeader stream's mark is in it (.doc and .xls are not)."""
    f.seek(0)
    tail = b""
    for chunk in iter(lambda: f.read(1 << 16), b""):
        if HWP_MARK in tail + chunk:
            return True
        tail = chunk[-len(HWP_MARK) :]
    return False


def detect(f: IO[bytes]) -> DocType | None:
    """The document's type from its content, or None when it is not one we accept; `f` is left at the start."""
    f.seek(0)
    head = f.read(16)
    kind = next((k for magic, k in SIGNATURES if head.startswith(magic)), None)
    if kind == "zip":
        f.seek(0)
        kind = _zip_kind(f)
    elif kind == "ole2":
        kind = "hwp" if _has_hwp_mark(f) else None
    f.seek(0)
    return TYPES.get(kind) if kind else None


def document_type(file: Any) -> str | None:
    """The type key ("pdf", "xlsx"…) of an uploaded file by its content, or None."""
    found = detect(file)
    return found.kind if found else None


def document_problem(file: Any, *, max_bytes: int, accepted: Collection[str] | None = None) -> str | None:
    """Why the upload is refused (too large, empty, not an accepted type), or None. `accepted` narrows the kinds."""
    size = int(getattr(file, "size", 0) or 0)
    if size > max_bytes:
        return _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
    if size == 0:
        return _("The file is empty.")
    kind = document_type(file)
    if kind is None or (accepted is not None and kind not in accepted):
        return _(
            "This is not a PDF, image, Excel, Word or HWP document (judged by its content, not its name)."
        )
    return None


def clean_name(raw: str, doc_type: DocType) -> str:
    """The uploader's file name without directories or control characters, ending in the detected type's
    extension (a PDF named report.exe is downloaded as report.pdf)."""
    name = PurePath(str(raw).replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    stem = re.sub(r"\s+", " ", PurePath(name).stem).strip(" .") or _("document")
    return stem[: 200 - len(doc_type.extension)] + doc_type.extension
