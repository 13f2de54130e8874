"""Documents are judged by their content: a renamed program is refused, office files are told apart."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nic1000.core.filetypes import document_problem, document_type


def _zip(*members: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in members:
            z.writestr(name, content)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TYPES_XML = ("[Content_Types].xml", "<Types/>")


@pytest.mark.parametrize(
    "content,kind",
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
        (OLE2 + b"....HWP Document File....", "hwp"),
        (OLE2 + b"a Word 97 document", None),  # an old .doc is not offered
        (_zip(TYPES_XML, ("xl/workbook.xml", "<x/>")), "xlsx"),
        (_zip(TYPES_XML, ("word/document.xml", "<x/>")), "docx"),
        (_zip(("mimetype", "application/hwp+zip"), ("Contents/content.hpf", "<x/>")), "hwpx"),
        (_zip(("xl/workbook.xml", "<x/>")), None),  # not a real workbook package
        (_zip(("other.txt", "x")), None),
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
