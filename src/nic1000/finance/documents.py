"""Documents a company attaches to its finance application: checked, stored privately, removed while open.

- The type is decided by the file's content (`detect`: a small table of signatures, ZIP containers told apart
  by their parts), never by its name or the browser's content type; anything else is refused.
- The size is bounded (FINANCE_DOCUMENT_MAX_BYTES); the upload handler stops keeping bytes past the import
  limit and the form refuses by size, the service checks again before it stores anything.
- Files live under FINANCE_DOCUMENT_ROOT, which nothing serves; the download view streams them to those who
  may see the application (`selectors.access_document`).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record, created, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, NotFound, ValidationFailed
from nic1000.core.filetypes import clean_name, detect
from nic1000.core.roles import Role
from nic1000.finance.models import Application, ApplicationDocument
from nic1000.finance.workflows import OPEN_STATES

ACCEPTED = "PDF, PNG, JPEG, XLSX, DOCX, HWP, HWPX"


def max_bytes() -> int:
    return int(settings.FINANCE_DOCUMENT_MAX_BYTES)


def storage() -> FileSystemStorage:
    """The private store (read at call time, so tests can point it at a temporary directory)."""
    return FileSystemStorage(location=settings.FINANCE_DOCUMENT_ROOT)


def _bad(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(
        message, code=code, details=[ErrorDetail(message=message, field="file", code=code)]
    )


def _check_company(application: Application, acting_user: User) -> None:
    """The company's own representative, while the application is still open."""
    require_role(acting_user, Role.COMPANY, message=_("Only the company's representative may do this."))
    if acting_user.company_id != application.company_id:
        raise NotFound(_("Application not found."))
    if application.state not in OPEN_STATES:
        raise Conflict(
            _("Documents can be added or removed only while the application is open."),
            code="application_closed",
        )


def _sha256(f: IO[bytes]) -> str:
    f.seek(0)
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 16), b""):
        h.update(chunk)
    f.seek(0)
    return h.hexdigest()


_FIELDS = ["application_id", "name", "kind", "content_type", "size", "sha256", "stored_as"]


@transaction.atomic
def document_attach(
    *, application: Application, acting_user: User, upload: File[bytes]
) -> ApplicationDocument:
    """Attach one file to the company's open application: refused unless its content is an accepted type and
    it is within the size limit; nothing is stored when refused."""
    _check_company(application, acting_user)
    size = int(upload.size or 0)
    if size > max_bytes():
        raise _bad(
            _("The file is larger than the limit of %(limit)s bytes; nothing was stored.")
            % {"limit": f"{max_bytes():,}"},
            "file_too_large",
        )
    if size == 0:
        raise _bad(_("The file is empty."), "file_empty")
    doc_type = detect(upload)
    if doc_type is None:
        raise _bad(
            _("This kind of file is not accepted; attach one of %(types)s.") % {"types": ACCEPTED},
            "file_type_refused",
        )
    digest = _sha256(upload)
    name = clean_name(upload.name or "", doc_type)
    store = storage()
    stored_as = store.save(f"{application.pk}/{uuid.uuid4().hex}{doc_type.extension}", upload)
    try:
        doc = ApplicationDocument.objects.create(
            application=application,
            name=name,
            kind=doc_type.kind,
            content_type=doc_type.content_type,
            size=size,
            sha256=digest,
            stored_as=stored_as,
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        audit_record(
            actor=acting_user,
            action="finance_document.attach",
            obj=doc,
            changes=created(snapshot(doc, _FIELDS)),
        )
    except BaseException:
        store.delete(stored_as)
        raise
    return doc


@transaction.atomic
def document_remove(*, document: ApplicationDocument, acting_user: User) -> None:
    """The company removes a document from its open application; the file goes once the removal commits."""
    _check_company(document.application, acting_user)
    before = snapshot(document, _FIELDS)
    stored_as = document.stored_as
    audit_record(
        actor=acting_user,
        action="finance_document.remove",
        obj=document,
        changes={k: {"before": v, "after": None} for k, v in before.items()},
    )
    document.delete()
    transaction.on_commit(lambda: storage().delete(stored_as))


def document_open(document: ApplicationDocument) -> IO[bytes]:
    """The stored file, opened for streaming (the caller closes it)."""
    f: IO[bytes] = storage().open(document.stored_as, "rb")
    return f
