"""Documents attached to a finance application: the type from the content, the size bounded, stored privately,
downloaded only by those who see the application, removed only while it is open."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, NotFound, ValidationFailed
from nic1000.core.filetypes import TYPES
from nic1000.finance import documents
from nic1000.finance.models import ApplicationDocument
from tests.finance.factories import make_application

pytestmark = pytest.mark.django_db


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _xlsx() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAMPLES = {
    "pdf": b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n",
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32,
    "docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "xlsx": _xlsx(),
    "hwpx": _zip({"mimetype": b"application/hwp+zip", "Contents/content.hpf": b"<opf/>"}),
    "hwp": OLE2 + b"\x00" * 2000 + b"HWP Document File" + b"\x00" * 100,
}
REFUSED = {
    "an executable named .pdf": ("report.pdf", b"MZ\x90\x00" + b"\x00" * 64),
    "a Word 97 file (OLE2, not HWP)": ("old.doc", OLE2 + b"\x00" * 600),
    "a ZIP that is no office file": ("photos.docx", _zip({"a.txt": b"hello"})),
    "plain text": ("notes.pdf", b"just some text"),
    "HTML": ("page.png", b"<html><script>alert(1)</script></html>"),
}


@pytest.fixture
def private_root(settings: Any, tmp_path: Path) -> Path:
    settings.FINANCE_DOCUMENT_ROOT = tmp_path / "private"
    return Path(settings.FINANCE_DOCUMENT_ROOT)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_accepted_types_are_recognised_by_content(
    personas: Any, products: None, private_root: Path, kind: str
) -> None:
    app = make_application(personas.company_a_obj)
    upload = SimpleUploadedFile("../../etc/사업계획서.exe", SAMPLES[kind], content_type="text/plain")
    doc = documents.document_attach(application=app, acting_user=personas.company_a, upload=upload)
    assert doc.kind == kind and doc.size == len(SAMPLES[kind])
    assert doc.name == "사업계획서" + TYPES[kind].extension  # no directories, the real extension
    stored = private_root / doc.stored_as
    assert stored.read_bytes() == SAMPLES[kind]
    assert AuditEntry.objects.filter(action="finance_document.attach").count() == 1


@pytest.mark.parametrize("label", sorted(REFUSED))
def test_other_types_are_refused_and_nothing_is_stored(
    personas: Any, products: None, private_root: Path, label: str
) -> None:
    app = make_application(personas.company_a_obj)
    name, content = REFUSED[label]
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        documents.document_attach(application=app, acting_user=personas.company_a, upload=upload)
    assert exc.value.code == "file_type_refused"
    assert not ApplicationDocument.objects.exists() and not _files(private_root)


def test_too_large_or_empty_is_refused(
    personas: Any, products: None, private_root: Path, settings: Any
) -> None:
    settings.FINANCE_DOCUMENT_MAX_BYTES = 1000
    app = make_application(personas.company_a_obj)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 1000)
    with pytest.raises(ValidationFailed) as exc:
        documents.document_attach(application=app, acting_user=personas.company_a, upload=big)
    assert exc.value.code == "file_too_large"
    with pytest.raises(ValidationFailed) as exc:
        documents.document_attach(
            application=app, acting_user=personas.company_a, upload=SimpleUploadedFile("e.pdf", b"")
        )
    assert exc.value.code == "file_empty"
    assert not ApplicationDocument.objects.exists() and not _files(private_root)


def test_only_the_company_itself_attaches_while_open(
    personas: Any, products: None, private_root: Path
) -> None:
    app = make_application(personas.company_a_obj)
    pdf = SAMPLES["pdf"]
    with pytest.raises(NotFound):
        documents.document_attach(
            application=app, acting_user=personas.company_b, upload=SimpleUploadedFile("a.pdf", pdf)
        )
    closed = make_application(personas.company_a_obj, state="approved", approved_amount=10**9)
    with pytest.raises(Conflict):
        documents.document_attach(
            application=closed, acting_user=personas.company_a, upload=SimpleUploadedFile("a.pdf", pdf)
        )
    assert not ApplicationDocument.objects.exists() and not _files(private_root)


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_upload_page_and_errors(personas: Any, products: None, private_root: Path, settings: Any) -> None:
    app = make_application(personas.company_a_obj)
    c = _login(personas.company_a)
    url = f"/finance/applications/{app.pk}/documents/"
    assert 'data-testid="document-upload"' in c.get(f"/finance/applications/{app.pk}/").content.decode()
    r = c.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf")})
    assert r.status_code == 422 and "has-error" in r.content.decode()
    settings.FINANCE_DOCUMENT_MAX_BYTES = 100
    r = c.post(url, {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200)})
    assert r.status_code == 422 and "has-error" in r.content.decode()
    assert not ApplicationDocument.objects.exists() and not _files(private_root)
    settings.FINANCE_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    r = c.post(url, {"file": SimpleUploadedFile("계획.pdf", SAMPLES["pdf"])})
    assert r.status_code == 302
    assert ApplicationDocument.objects.get().name == "계획.pdf"
    # Another company's application: not found, nothing stored.
    other = make_application(personas.company_b_obj, code="IBK-OPER")
    r = c.post(
        f"/finance/applications/{other.pk}/documents/", {"file": SimpleUploadedFile("a.pdf", SAMPLES["pdf"])}
    )
    assert r.status_code == 404
    assert ApplicationDocument.objects.count() == 1 and len(_files(private_root)) == 1


def test_download_only_for_those_who_see_the_application(
    personas: Any, products: None, private_root: Path
) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    doc = documents.document_attach(
        application=app,
        acting_user=personas.company_a,
        upload=SimpleUploadedFile("보고서.pdf", SAMPLES["pdf"]),
    )
    url = f"/finance/documents/{doc.pk}/"
    for who in ("company_a", "institution_kdb", "program_office", "auditor", "support"):
        r = _login(getattr(personas, who)).get(url)
        assert r.status_code == 200, who
        assert b"".join(r.streaming_content) == SAMPLES["pdf"]  # type: ignore[attr-defined]
        assert r["Content-Type"] == "application/pdf"
        assert (
            r["Content-Disposition"].startswith("attachment;")
            and "filename*=utf-8''" in r["Content-Disposition"]
        )
        assert r["X-Content-Type-Options"] == "nosniff"
    for who in ("company_b", "institution_ibk"):
        assert _login(getattr(personas, who)).get(url).status_code == 404, who
    assert _login(personas.ministry_mss).get(url).status_code == 403
    assert _login(personas.company_a).get("/finance/documents/999999/").status_code == 404


def test_the_private_root_is_not_served() -> None:
    from django.conf import settings

    root = Path(settings.FINANCE_DOCUMENT_ROOT).resolve()
    for served in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        assert not root.is_relative_to(Path(served).resolve())


def test_removal_asks_first_is_audited_and_only_while_open(
    personas: Any, products: None, private_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    doc = documents.document_attach(
        application=app, acting_user=personas.company_a, upload=SimpleUploadedFile("a.png", SAMPLES["png"])
    )
    url = f"/finance/documents/{doc.pk}/remove/"
    assert _login(personas.company_b).post(url, {"confirmed": "1"}).status_code == 404
    c = _login(personas.company_a)
    r = c.post(url)
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()
    assert ApplicationDocument.objects.exists()
    with pytest.raises(Conflict):
        app.state = "approved"
        documents.document_remove(document=doc, acting_user=personas.company_a)
    app.state = "submitted"
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal commits
        r = c.post(url, {"confirmed": "1"}, follow=True)
    assert r.status_code == 200
    assert not ApplicationDocument.objects.exists() and not _files(private_root)
    assert AuditEntry.objects.filter(action="finance_document.remove").count() == 1


def test_upload_to_a_closed_application_says_why(personas: Any, products: None, private_root: Path) -> None:
    from django.contrib.messages import get_messages

    app = make_application(personas.company_a_obj, state="declined")
    c = _login(personas.company_a)
    assert 'data-testid="document-upload"' not in c.get(f"/finance/applications/{app.pk}/").content.decode()
    r = c.post(
        f"/finance/applications/{app.pk}/documents/", {"file": SimpleUploadedFile("a.pdf", SAMPLES["pdf"])}
    )
    assert r.status_code == 302
    assert [m.level_tag for m in get_messages(r.wsgi_request)] == ["error"]
    assert not ApplicationDocument.objects.exists() and not _files(private_root)
