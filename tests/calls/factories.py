from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nic1000.calls.models import Call
from nic1000.calls.services import call_create
from nic1000.rounds.models import Round

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def xlsx(name: str = "finance.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def make_call(*, round: Round, by: Any, open_now: bool = True, **kwargs: Any) -> Call:
    now = timezone.now()
    opens = now - dt.timedelta(days=1) if open_now else now + dt.timedelta(days=3)
    values: dict[str, Any] = {
        "title": "2026 중기부 혁신기업 공모",
        "opens_at": opens,
        "closes_at": opens + dt.timedelta(days=14),
        "required_documents": ["사업계획서", "재무제표"],
        "eligibility": "중소기업",
    }
    values.update(kwargs)
    return call_create(round=round, acting_user=by, **values)
