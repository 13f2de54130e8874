"""Documents are judged by their content: a renamed program is refused, office files are told apart."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nic1000.core.filetypes import document_problem, document_type


def _zip(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(member, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content,kind",
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "hwp"),
        (_zip("xl/workbook.xml"), "xlsx"),
        (_zip("word/document.xml"), "docx"),
        (_zip("Contents/content.hpf"), "hwpx"),
        (_zip("other.txt"), None),
        (b"MZ\x90\x00 a program", None),
        (b"<script>alert(1)</script>", None),
    ],
)
def test_document_type_by_content(content: bytes, kind: str | None) -> None:
    file = SimpleUploadedFile("anything.pdf", content)
    assert document_type(file) == kind
    assert file.tell() == 0  # left readable from the start for storing


def test_document_problem() -> None:
    assert document_problem(SimpleUploadedFile("a.pdf", b"%PDF-1.4"), max_bytes=100) is None
    assert document_problem(SimpleUploadedFile("a.pdf", b"%PDF-1.4" * 20), max_bytes=100)
    assert document_problem(SimpleUploadedFile("a.pdf", b""), max_bytes=100)
    assert document_problem(SimpleUploadedFile("a.pdf", b"MZ"), max_bytes=100)
