"""A ZIP-bomb workbook built quickly by streaming repeated rows into a deflated sheet (used by tests and bench)."""

from __future__ import annotations

import io
import zipfile

_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main"><sheets><sheet name="s" sheetId="1"/></sheets></workbook>'
)
_ROW = b'<row><c t="inlineStr"><is><t>' + b"A" * 200 + b"</t></is></c></row>"


def xlsx_bomb(unpacked_bytes: int, *, dimension: str | None = None) -> bytes:
    """A workbook whose sheet XML unpacks to about `unpacked_bytes` (compressed ~1000 times)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = b'<?xml version="1.0"?><worksheet>'
            if dimension:
                head += f'<dimension ref="{dimension}"/>'.encode()
            sheet.write(head + b"<sheetData>")
            chunk = _ROW * 4096
            written = 0
            while written < unpacked_bytes:
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buf.getvalue()
