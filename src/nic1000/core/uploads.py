"""Uploads that cannot fill memory or disk.

- `LimitedUploadHandler` (first in FILE_UPLOAD_HANDLERS) counts each file's bytes as they stream in; past
  IMPORT_MAX_BYTES it passes no more data on (the memory or temporary-file handler after it stops receiving)
  and hands the form an empty `RefusedUpload` that still knows the file's real size.
- `LimitedFileField` refuses a file larger than its limit on `UploadedFile.size`, before anything reads it.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _


def upload_limit() -> int:
    return int(settings.IMPORT_MAX_BYTES)


class RefusedUpload(UploadedFile):
    """A file that streamed past the limit: no content kept, only its name and real size."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)


class LimitedUploadHandler(FileUploadHandler):
    """Stops keeping an uploaded file's bytes once it is larger than IMPORT_MAX_BYTES."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.over or self.seen > upload_limit():
            self.over = True
            return None  # the handlers after this one get nothing more
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.over:
            return RefusedUpload(self.file_name or "upload", self.seen, self.content_type)
        return None  # the next handler (memory or temporary file) completes the file


class LimitedFileField(forms.FileField):
    """A FileField that refuses a file larger than `max_bytes` (IMPORT_MAX_BYTES by default) by its size."""

    def __init__(self, *args: Any, max_bytes: int | None = None, **kwargs: Any) -> None:
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        limit = self.max_bytes if self.max_bytes is not None else upload_limit()
        size = getattr(value, "size", None)
        if value and size is not None and int(size) > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s bytes; nothing was read."),
                code="file_too_large",
                params={"limit": f"{limit:,}"},
            )
        return value
