"""What an appeal document may be: PDF, PNG, JPEG or XLSX, told by its content (magic bytes), never by its name
or the browser's content type, and at most DOCUMENT_MAX_BYTES. Pure checks; the services store the file."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.core.filetypes import detect

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENTS_PER_APPEAL = 5

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", XLSX: ".xlsx"}


ACCEPTED_KINDS = ("pdf", "png", "jpeg", "xlsx")


def sniff_document(data: bytes) -> str | None:
    """The content type of an accepted document (`core.filetypes.detect`), or None."""
    found = detect(io.BytesIO(data))
    return found.content_type if found is not None and found.kind in ACCEPTED_KINDS else None


def document_check(*, name: str, data: bytes, size: int) -> str:
    """The document's content type, or ValidationFailed (field `document`) for a file too large, empty or of a
    type not accepted."""
    if size > DOCUMENT_MAX_BYTES or len(data) > DOCUMENT_MAX_BYTES:
        message = _("%(name)s is larger than 10 MB; nothing was saved.") % {"name": name}
        code = "document_too_large"
    elif not data:
        message = _("%(name)s is empty; nothing was saved.") % {"name": name}
        code = "document_empty"
    else:
        content_type = sniff_document(data)
        if content_type is not None:
            return content_type
        message = _("%(name)s is not a PDF, PNG, JPEG or XLSX file; nothing was saved.") % {"name": name}
        code = "document_type"
    raise ValidationFailed(message, [ErrorDetail(message=message, field="document", code=code)], code=code)
