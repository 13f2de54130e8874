"""Reading and writing spreadsheets (XLSX and CSV) safely. No Django import.

- Reading: the format is decided by the file's content (magic bytes), never by its name. XLSX is read with
  python-calamine (fast, Rust); CSV is decoded as UTF-8 (with or without BOM) or CP949/EUC-KR, which Korean
  Excel writes.
- Before an XLSX is parsed, its ZIP directory is inspected (`check_xlsx`): a workbook whose parts unpack to
  more than IMPORT_MAX_UNCOMPRESSED_BYTES, whose sheet is compressed more than IMPORT_MAX_COMPRESSION_RATIO
  times, or whose sheet declares more than IMPORT_MAX_CELLS cells is refused unparsed (a "ZIP bomb": 3 MB
  that unpack to 800 MB of sheet XML would otherwise hold gigabytes while parsed).
- Writing: every text cell that a spreadsheet would treat as a formula (= + - @ tab CR) is neutralised with a
  leading apostrophe (formula injection, OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nic1000.core.workflow import Label

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# Binary formats people upload by mistake; refused with a clear message.
_BINARY_MAGIC = (
    b"\xd0\xcf\x11\xe0",  # OLE2: legacy .xls / .hwp / .doc
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",  # JPEG
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
    b"MZ",  # executables
    b"\x7fELF",
)

Format = Literal["xlsx", "csv"]


class FileRefused(ValueError):
    """The file cannot be read as a table: `code` is stable; the message is a lazily translated msgid, read in
    either language by the bilingual import report."""

    def __init__(self, code: str, message: Label, detail: str = "", params: dict[str, object] | None = None):
        self.code = code
        self.message = message
        self.params = params or {}  # %(name)s values, filled in when the message is rendered in a language
        self.detail = detail  # the reader's own words (not translated), appended in English
        super().__init__(self._render())

    def _render(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def _in(self, lang: str) -> str:
        with translation.override(lang):
            return self._render()

    @property
    def message_en(self) -> str:
        return self._in("en") + (f": {self.detail}" if self.detail else "")

    @property
    def message_ko(self) -> str:
        return self._in("ko")


def safe_text(value: str) -> str:
    """Neutralise a text that a spreadsheet would evaluate as a formula."""
    if value and value[0] in FORMULA_PREFIXES:
        return QUOTE + value
    return value


def safe_cell(value: Any) -> Any:
    """A cell value ready to write: text (lazy translations and str subclasses too) neutralised as a plain
    str; numbers, dates, bools and None unchanged."""
    if isinstance(value, str):
        return safe_text(str(value))
    if isinstance(value, Promise):
        return safe_text(str(value))
    return value


def unquote_text(value: str) -> str:
    """Undo `safe_text` when reading a file we exported: "'=x" → "=x" (only before a formula character)."""
    if len(value) > 1 and value[0] == QUOTE and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def sniff_format(data: bytes) -> Format:
    """'xlsx' or 'csv' from the content, or raise FileRefused."""
    if not data or not data.strip():
        raise FileRefused("empty_file", _("the file is empty"))
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile as exc:
            raise FileRefused("not_a_table", _("the file is a damaged ZIP/XLSX file")) from exc
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"
        raise FileRefused("not_a_table", _("the file is a ZIP archive but not an Excel workbook (XLSX)"))
    for magic in _BINARY_MAGIC:
        if data.startswith(magic):
            if magic == _BINARY_MAGIC[0]:
                raise FileRefused(
                    "not_a_table", _("the file is not an XLSX or CSV file (legacy .xls: save it as .xlsx)")
                )
            raise FileRefused("not_a_table", _("the file is not an XLSX or CSV file"))
    if b"\x00" in data[:8192]:
        raise FileRefused("not_a_table", _("the file is not an XLSX or CSV file"))
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), else CP949 (a superset of EUC-KR). Raise FileRefused for anything else."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "bad_encoding",
            _("the CSV file is neither UTF-8 nor CP949/EUC-KR text (or it is not a CSV file)"),
        ) from exc


@dataclass(frozen=True)
class XlsxLimits:
    """What an uploaded workbook may unpack to. Defaults from settings (`XlsxLimits.from_settings`)."""

    max_uncompressed: int
    max_ratio: int
    max_cells: int

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        return cls(
            max_uncompressed=int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)),
            max_ratio=int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", 100)),
            max_cells=int(getattr(settings, "IMPORT_MAX_CELLS", 10_000_000)),
        )


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?:?([A-Z]{1,3})?(\d+)?\"")
_RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked are too small to matter, whatever their ratio


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _declared_cells(head: bytes) -> int | None:
    """Cells of the sheet's <dimension ref="A1:K100000"/>, read from the first bytes of its XML."""
    m = _DIMENSION.search(head)
    if not m:
        return None
    c1, r1, c2, r2 = m.groups()
    if c2 is None and r2 is None:  # a single cell, e.g. "A1"
        return 1
    cols = abs(_column_number(c2 or b"A") - _column_number(c1 or b"A")) + 1
    rows = abs(int(r2 or b"1") - int(r1 or b"1")) + 1
    return cols * rows


def check_xlsx(data: bytes, limits: XlsxLimits | None = None) -> None:
    """Refuse (FileRefused) a workbook too large unpacked, from its ZIP directory alone: the total unpacked
    size, each sheet's compression ratio, and each sheet's declared size in cells (<dimension>, in the first
    64 KiB of the sheet's XML). Nothing is parsed and at most 64 KiB per sheet is unpacked."""
    limits = limits or XlsxLimits.from_settings()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > limits.max_uncompressed:
                raise FileRefused(
                    "too_large_unpacked",
                    _("the Excel file unpacks to more than the limit of %(limit)s bytes"),
                    params={"limit": f"{limits.max_uncompressed:,}"},
                    detail=f"{total:,} bytes",
                )
            for info in infos:
                if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                    continue
                ratio = info.file_size / max(1, info.compress_size)
                if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
                    raise FileRefused(
                        "compression_ratio",
                        _("the Excel file is compressed more than %(ratio)s times (a ZIP bomb?)"),
                        params={"ratio": limits.max_ratio},
                        detail=f"{info.filename}: {ratio:.0f}x",
                    )
                with z.open(info) as part:
                    cells = _declared_cells(part.read(64 * 1024))
                if cells is not None and cells > limits.max_cells:
                    raise FileRefused(
                        "too_many_cells",
                        _("the Excel sheet has more than the limit of %(limit)s cells"),
                        params={"limit": f"{limits.max_cells:,}"},
                        detail=f"{info.filename}: {cells:,} cells",
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise FileRefused("not_a_table", _("the file is a damaged ZIP/XLSX file"), detail=str(exc)) from exc


def read_rows(data: bytes, fmt: Format | None = None, *, limits: XlsxLimits | None = None) -> list[list[Any]]:
    """All rows of the first sheet (XLSX) or of the CSV, header included. Cells: str, float, int, bool,
    date, datetime, '' for empty. An XLSX goes through `check_xlsx` before it is parsed."""
    fmt = fmt or sniff_format(data)
    if fmt == "xlsx":
        check_xlsx(data, limits)
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several error types for damaged files
            raise FileRefused(
                "not_a_table",
                _("the Excel file cannot be read (damaged or an unsupported format)"),
                detail=str(exc),
            ) from exc
        return rows
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)  # the header decides; ties go to the comma
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileRefused("not_a_table", _("the CSV file cannot be read"), detail=str(exc)) from exc


@dataclass
class Sheet:
    """One sheet to write: a header row, data rows, optional number formats and widths by column index."""

    title: Label
    header: Sequence[Label]  # lazy labels are written in the active language (the exporter's)
    rows: Iterable[Sequence[Any]]
    number_formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    freeze_header: bool = True


KRW_FORMAT = '#,##0"원";-#,##0"원"'
DATE_FORMAT = "yyyy-mm-dd"


def field_headers(model: Any, names: Sequence[str]) -> list[Label]:
    """Column headers from a model's fields' verbose names (lazy: written in the exporter's language)."""
    return [model._meta.get_field(name).verbose_name for name in names]


def xlsx_write(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook (openpyxl write-only mode, so memory stays flat), every text cell made safe."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF7")
    for sheet in sheets:
        ws = wb.create_sheet(title=str(sheet.title)[:31])
        for idx, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(idx + 1)].width = width
        if sheet.freeze_header:
            ws.freeze_panes = "A2"
        header = []
        for name in sheet.header:
            cell = WriteOnlyCell(ws, value=safe_cell(name))
            cell.font = bold
            cell.fill = fill
            header.append(cell)
        ws.append(header)
        formats = sheet.number_formats
        for row in sheet.rows:
            if formats:
                out: list[Any] = []
                for i, value in enumerate(row):
                    fmt = formats.get(i)
                    if fmt is not None and value is not None and not isinstance(value, str):
                        cell = WriteOnlyCell(ws, value=value)
                        cell.number_format = fmt
                        out.append(cell)
                    else:
                        out.append(safe_cell(value))
                ws.append(out)
            else:
                ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_write(header: Sequence[Label], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """UTF-8 CSV (with a BOM so Korean Excel opens it correctly), every text cell made safe."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data
