"""The downloadable import templates: a header row (Korean and English), one example row, and a sheet that
documents each field in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from nic1000.core.excel import Sheet, xlsx_write
from nic1000.registry.fields import KIND_LABELS, fields_of
from nic1000.registry.messages import in_language

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _ko_en(message: StrOrPromise) -> tuple[str, str]:
    return in_language(message, "ko"), in_language(message, "en")


def sheet_title(kind: str) -> str:
    """A sheet's name in Korean and English, e.g. "기업 Companies" (Excel allows 31 characters)."""
    ko, en = _ko_en(KIND_LABELS[kind])
    return f"{ko} {en}"[:31]


def template_workbook(kind: str) -> bytes:
    """The template of an import kind, as XLSX bytes."""
    fields = fields_of(kind)
    widths = {i: max(14.0, min(40.0, len(f.header) * 1.2)) for i, f in enumerate(fields)}
    required, optional = " ".join(_ko_en(_("Required"))), " ".join(_ko_en(_("Optional")))
    doc_rows: list[list[object]] = [
        [f.header_ko, f.header_en, f.name, required if f.required else optional, f.type, f.example,
         *_ko_en(f.help)]
        for f in fields
    ]  # fmt: skip
    note_ko, note_en = _ko_en(_("Row 2 of the first sheet is an example: replace it with your data."))
    doc_rows.append([])
    doc_rows.append([note_ko, "", "", "", "", "", "", note_en])
    column_ko, column_en = _ko_en(_("Column"))
    help_ko, help_en = _ko_en(_("Help"))
    example = " ".join(_ko_en(_("Example")))
    return xlsx_write(
        [
            Sheet(title=sheet_title(kind), header=[f.header for f in fields], rows=[[f.example for f in fields]],
                  widths=widths),
            Sheet(
                title=" ".join(_ko_en(_("Column help")))[:31],
                header=[column_ko, column_en, "Name", in_language(_("Required?"), "ko"), "Type", example,
                        help_ko, help_en],
                rows=doc_rows,
                widths={0: 22, 1: 28, 2: 22, 3: 14, 4: 10, 5: 24, 6: 50, 7: 60},
            ),
        ]
    )  # fmt: skip
