"""Registry imports: companies, patents, core technologies and financial statements from XLSX or CSV.

Every row is validated before anything is written; one problem anywhere and nothing is written (the report
lists every problem by row, column and value, in English and Korean). A clean file is upserted in one
transaction with bulk queries: existing rows are fetched by key in chunks, new rows are `bulk_create`d, changed
rows `bulk_update`d, unchanged rows left alone (and not audited). Each created/updated row gets an audit entry
with the changed fields; the import itself gets one summary entry (file name, SHA-256, counts).

Keys: companies by BRN, patents by application number, technologies by BRN + technology name, statements by
BRN + fiscal year. Headers may be Korean, English, the column name, or the template's "한글 (English)" form.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from nic1000.audit.services import AuditItem, audit_record_many, created
from nic1000.core.bulk import insert_returning_ids
from nic1000.core.errors import Conflict, Forbidden
from nic1000.core.excel import FileRefused, Sheet, read_rows, sniff_format, unquote_text, xlsx_write
from nic1000.core.identifiers import brn_compact, brn_format, brn_make, brn_validate
from nic1000.registry.models import Company, CoreTechnology, FinancialStatement, KsicCode, Patent
from nic1000.registry.regions import region_parse
from nic1000.registry.statement_items import ALL_ITEMS, statement_problems

KINDS = ("companies", "patents", "technologies", "statements")
MAX_PROBLEMS = 1000  # a report lists at most this many; `more_problems` counts the rest
_CHUNK = 2000  # keys per prefetch query (well under SQLite's and PostgreSQL's parameter limits)
_BIGINT = 2**63 - 1
_POSINT = 2**31 - 1


# ---------------------------------------------------------------------------------------------------- report


@dataclass
class RowProblem:
    row: int  # spreadsheet row (header = 1), or record number from 1; 0 = the file as a whole
    column: str
    value: str
    message_en: str
    message_ko: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        col = f", {self.column}" if self.column else ""
        val = f" {self.value!r}" if self.value else ""
        return f"{where}{col}:{val} {self.message_en} / {self.message_ko}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    filename: str = ""
    sha256: str = ""
    more_problems: int = 0  # problems beyond MAX_PROBLEMS, not listed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems

    def add(self, row: int, column: str, value: Any, en: str, ko: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more_problems += 1
            return
        self.problems.append(RowProblem(row, column, _show(value), en, ko))


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    name: str  # model-facing name, also accepted as a header
    header_ko: str
    header_en: str
    required: bool
    type: str  # brn, text, url, ksic, region, date, count, amount, year, trl, bool, status
    example: Any
    help: str = ""
    help_ko: str = ""
    max_length: int | None = None
    not_future: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        """The template's header: Korean and English in one cell."""
        return f"{self.header_ko} ({self.header_en})"


_EXAMPLE_BRN = brn_format(brn_make("123810001"))


def _example_statement() -> dict[str, int]:
    ta = 12_000_000_000
    cash, sec, rec, inv = 1_200_000_000, 600_000_000, 1_500_000_000, 1_200_000_000
    ca = cash + sec + rec + inv + 600_000_000
    stl, ltl = 3_000_000_000, 2_400_000_000
    eq = ta - stl - ltl
    sales, cogs, opex = 10_800_000_000, 6_480_000_000, 9_720_000_000
    return {
        "cash": cash, "short_term_securities": sec, "receivables": rec, "inventory": inv,
        "current_assets": ca, "fixed_assets": ta - ca, "total_assets": ta,
        "short_term_liabilities": stl, "long_term_liabilities": ltl, "total_liabilities": stl + ltl,
        "share_capital": eq // 2, "retained_earnings": eq - eq // 2, "equity": eq,
        "sales": sales, "cost_of_products_sold": cogs, "operating_expenses": opex, "depreciation": 240_000_000,
        "profit_on_sales": sales - opex, "profit_on_operating_activities": sales - opex + 60_000_000,
        "financial_expenses": 120_000_000, "interest_expense": 100_000_000, "extraordinary_items": 0,
        "gross_profit": sales - opex - 60_000_000, "net_profit": 800_000_000,
    }  # fmt: skip


_BRN_HELP = ("10 digits, with or without dashes (XXX-XX-XXXXX); the check digit is verified",
             "10자리 숫자 (XXX-XX-XXXXX, 하이픈 선택), 검증번호를 확인합니다")  # fmt: skip
_DATE_HELP = (
    "a date: an Excel date, YYYY-MM-DD or YYYY.MM.DD",
    "날짜: 엑셀 날짜, YYYY-MM-DD 또는 YYYY.MM.DD",
)
_COUNT_HELP = ("a whole number, 0 or more", "0 이상의 정수")


def _brn_column(help_en: str = "", help_ko: str = "") -> Column:
    return Column(
        "brn", "사업자등록번호", "Business registration number", True, "brn", _EXAMPLE_BRN,
        help_en or _BRN_HELP[0], help_ko or _BRN_HELP[1], aliases=("brn", "사업자번호"),
    )  # fmt: skip


COMPANY_COLUMNS: tuple[Column, ...] = (
    _brn_column(),
    Column("name_ko", "기업명", "Company name", True, "text", "(주)이노베이션코리아",
           "the registered (Korean) name", "등기상 기업명", max_length=200, aliases=("상호", "회사명", "name")),
    Column("name_en", "영문 기업명", "Name in English", False, "text", "Innovation Korea Co., Ltd.",
           "optional", "선택", max_length=200),
    Column("ksic", "표준산업분류코드", "KSIC code", True, "ksic", "C26112",
           "KSIC 10th revision sub-class, 5 digits, with or without the section letter (26112 or C26112)",
           "한국표준산업분류 10차 세세분류 5자리 (대분류 문자 선택: 26112 또는 C26112)",
           aliases=("ksic", "업종코드", "산업분류코드", "ksic10")),
    Column("region", "소재지(시·도)", "Region", True, "region", "서울",
           "the province or metropolitan city: code (11), Korean (서울, 서울특별시) or English (Seoul)",
           "시·도: 코드(11), 한글(서울, 서울특별시) 또는 영문(Seoul)", aliases=("시도", "지역", "소재지")),
    Column("address", "주소", "Address", False, "text", "서울특별시 중구 세종대로 110", "", "",
           max_length=300),
    Column("founded_on", "설립일", "Founded on", True, "date", "2015-03-01",
           _DATE_HELP[0] + "; not in the future", _DATE_HELP[1] + "; 미래 날짜 불가", not_future=True,
           aliases=("설립일자", "founded", "founding date")),
    Column("employees", "종업원 수", "Employees", False, "count", 45, *_COUNT_HELP,
           aliases=("종업원수", "직원수", "상시근로자수")),
    Column("is_sme", "중소기업 여부", "SME", False, "bool", "Y",
           "Y/N (also 예/아니오, TRUE/FALSE, 1/0); default Y", "Y/N (예/아니오, TRUE/FALSE, 1/0); 기본값 Y",
           aliases=("중소기업",)),
    Column("is_listed", "상장 여부", "Listed", False, "bool", "N", "Y/N; default N", "Y/N; 기본값 N",
           aliases=("상장",)),
    Column("website", "홈페이지", "Website", False, "url", "https://www.example.co.kr",
           "http(s) address", "http(s) 주소", max_length=200, aliases=("웹사이트", "url")),
    Column("representative", "대표자", "Representative (CEO)", False, "text", "홍길동", "", "",
           max_length=100, aliases=("대표자명", "ceo", "representative")),
)  # fmt: skip

PATENT_COLUMNS: tuple[Column, ...] = (
    _brn_column("the owning company's BRN; the company must be in the registry",
                "보유 기업의 사업자등록번호 (기업이 등록되어 있어야 함)"),
    Column("application_number", "출원번호", "Application number", True, "text", "10-2020-0012345",
           "unique; the key of the patent", "고유값, 특허 식별 키", max_length=30),
    Column("registration_number", "등록번호", "Registration number", False, "text", "10-2345678", "", "",
           max_length=30),
    Column("title", "발명의 명칭", "Title", True, "text", "저전력 반도체 설계 방법", "", "", max_length=300,
           aliases=("명칭", "특허명")),
    Column("abstract", "요약", "Abstract", False, "text", "", "", ""),
    Column("ipc_classes", "IPC 분류", "IPC classes", False, "text", "H01L 21/00; G06F 17/50",
           "separated by ;", "; 로 구분", max_length=300, aliases=("ipc",)),
    Column("cpc_classes", "CPC 분류", "CPC classes", False, "text", "", "separated by ;", "; 로 구분",
           max_length=300, aliases=("cpc",)),
    Column("filed_on", "출원일", "Filed on", True, "date", "2020-01-10", *_DATE_HELP, not_future=True),
    Column("granted_on", "등록일", "Granted on", False, "date", "2021-06-01",
           _DATE_HELP[0] + "; not before the filing date", _DATE_HELP[1] + "; 출원일 이후", not_future=True),
    Column("status", "상태", "Status", False, "status", "등록",
           "filed/registered/expired/abandoned (출원/등록/소멸/포기); default: registered if granted, else filed",
           "출원/등록/소멸/포기; 기본값: 등록일이 있으면 등록, 없으면 출원"),
    Column("claims", "청구항 수", "Claims", False, "count", 12, *_COUNT_HELP, aliases=("청구항수",)),
    Column("family_size", "패밀리 수", "Family size", False, "count", 3, *_COUNT_HELP),
    Column("forward_citations", "피인용 수", "Forward citations", False, "count", 4, *_COUNT_HELP),
    Column("backward_citations", "인용 수", "Backward citations", False, "count", 7, *_COUNT_HELP),
)  # fmt: skip

TECHNOLOGY_COLUMNS: tuple[Column, ...] = (
    _brn_column("the company's BRN; the company must be in the registry",
                "기업의 사업자등록번호 (기업이 등록되어 있어야 함)"),
    Column("name", "핵심기술명", "Technology", True, "text", "AI 반도체 설계", "with the BRN, the key",
           "사업자등록번호와 함께 식별 키", max_length=200, aliases=("기술명",)),
    Column("description", "기술 설명", "Description", False, "text", "", "", "", aliases=("설명",)),
    Column("keywords", "키워드", "Keywords", False, "text", "NPU; 저전력", "separated by ;", "; 로 구분",
           max_length=300),
    Column("trl", "기술성숙도(TRL)", "Technology readiness level", True, "trl", 6, "1 to 9", "1~9",
           aliases=("trl", "기술성숙도", "기술준비도")),
)  # fmt: skip


def _statement_columns() -> tuple[Column, ...]:
    optional = {
        f.name
        for f in FinancialStatement._meta.concrete_fields
        if f.has_default() and f.name in {n for n, *_ in ALL_ITEMS}
    }
    example = _example_statement()
    cols = [
        _brn_column(
            "the company's BRN; the company must be in the registry",
            "기업의 사업자등록번호 (기업이 등록되어 있어야 함)",
        ),
        Column(
            "fiscal_year",
            "회계연도",
            "Fiscal year",
            True,
            "year",
            2024,
            "e.g. 2024; not in the future",
            "예: 2024; 미래 연도 불가",
            aliases=("사업연도", "결산연도", "year"),
        ),
        Column(
            "credit_delinquency",
            "신용정보 연체",
            "Credit delinquency",
            False,
            "bool",
            "N",
            "Y if a credit delinquency was registered in the year; default N",
            "해당 연도 신용정보 연체 등록 시 Y; 기본값 N",
        ),
    ]
    for name, ko, en, may_be_negative in ALL_ITEMS:
        sign_en = "may be negative" if may_be_negative else "0 or more"
        sign_ko = "음수 가능" if may_be_negative else "0 이상"
        cols.append(
            Column(
                name,
                ko,
                en,
                name not in optional,
                "amount",
                example[name],
                f"whole KRW, {sign_en}; thousands separators allowed"
                + ("; default 0" if name in optional else ""),
                f"원 단위 정수, {sign_ko}; 천 단위 쉼표 허용" + ("; 기본값 0" if name in optional else ""),
            )
        )
    return tuple(cols)


STATEMENT_COLUMNS = _statement_columns()
_COLUMNS: dict[str, tuple[Column, ...]] = {
    "companies": COMPANY_COLUMNS,
    "patents": PATENT_COLUMNS,
    "technologies": TECHNOLOGY_COLUMNS,
    "statements": STATEMENT_COLUMNS,
}
KIND_LABELS = {
    "companies": ("Companies", "기업"),
    "patents": ("Patents", "특허"),
    "technologies": ("Core technologies", "핵심기술"),
    "statements": ("Financial statements", "재무제표"),
}


def template_columns(kind: str) -> list[Column]:
    _check_kind(kind)
    return list(_COLUMNS[kind])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}")


def template_workbook(kind: str) -> bytes:
    """The downloadable template: a header row (Korean + English), one example row, and a sheet that
    documents each column."""
    cols = template_columns(kind)
    en, ko = KIND_LABELS[kind]
    example = [c.example for c in cols]
    widths = {i: max(14.0, min(40.0, len(c.header) * 1.2)) for i, c in enumerate(cols)}
    doc_rows = [
        [c.header_ko, c.header_en, c.name, "필수 Required" if c.required else "선택 Optional", c.type,
         c.example, c.help_ko, c.help]
        for c in cols
    ]  # fmt: skip
    doc_rows.append([])
    doc_rows.append(["첫 시트의 2행은 예시입니다. 지우고 입력해 주십시오.", "", "", "", "", "", "",
                     "Row 2 of the first sheet is an example: replace it with your data."])  # fmt: skip
    return xlsx_write(
        [
            Sheet(title=f"{ko} {en}"[:31], header=[c.header for c in cols], rows=[example], widths=widths),
            Sheet(
                title="설명 Columns",
                header=["항목", "Column", "Name", "필수 여부", "Type", "예시 Example", "설명", "Help"],
                rows=doc_rows,
                widths={0: 22, 1: 28, 2: 22, 3: 14, 4: 10, 5: 24, 6: 50, 7: 60},
            ),
        ]
    )


# ---------------------------------------------------------------------------------------------------- headers

_NORM_RE = re.compile(r"[\s_*·().,/\-]+")


def _norm(text: str) -> str:
    return _NORM_RE.sub("", text.lower())


def _aliases(cols: Iterable[Column]) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for c in cols:
        for a in (c.name, c.header_ko, c.header_en, c.header, *c.aliases):
            out.setdefault(_norm(a), c)
    return out


def _match_header(cell: Any, aliases: dict[str, Column]) -> Column | None:
    text = str(cell).strip()
    col = aliases.get(_norm(text))
    if col is None and "(" in text:  # "한글 (English)" with a different spelling on one side
        head, _, tail = text.partition("(")
        col = aliases.get(_norm(head)) or aliases.get(_norm(tail.rsplit(")", 1)[0]))
    return col


# ---------------------------------------------------------------------------------------------------- cells


class _Bad(Exception):
    def __init__(self, en: str, ko: str):
        self.en, self.ko = en, ko


_NUM_TEXT = ("a number is expected, not text", "숫자가 필요합니다 (텍스트가 입력됨)")
_NOT_WHOLE = ("a whole number is expected", "정수가 필요합니다")


def _integer(v: Any) -> int:
    t = type(v)
    if t is int:
        return v
    if t is float:
        if v.is_integer():
            return int(v)
        raise _Bad(*_NOT_WHOLE)
    if t is str:
        s = v.strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
        s = s.removeprefix("₩").removesuffix("원").removeprefix("KRW")
        neg = len(s) > 2 and s[0] == "(" and s[-1] == ")"  # accounting style (1,234) = -1234
        if neg:
            s = s[1:-1]
        if s in ("-", "–"):  # a dash for zero, as statements print it
            return 0
        if not s or "_" in s:
            raise _Bad(*_NUM_TEXT)
        try:
            n = int(s)
        except ValueError:
            try:
                f = float(s)
            except ValueError:
                raise _Bad(*_NUM_TEXT) from None
            if not f.is_integer():
                raise _Bad(*_NOT_WHOLE) from None
            n = int(f)
        return -n if neg else n
    if t is bool:
        raise _Bad("a number is expected, not TRUE/FALSE", "숫자가 필요합니다 (TRUE/FALSE가 입력됨)")
    raise _Bad("a number is expected", "숫자가 필요합니다")


def _amount(v: Any) -> int:
    n = _integer(v)
    if -_BIGINT <= n <= _BIGINT:
        return n
    raise _Bad("the amount is out of range", "금액이 허용 범위를 벗어났습니다")


def _count(v: Any) -> int:
    n = _integer(v)
    if n < 0:
        raise _Bad("must be 0 or more", "0 이상이어야 합니다")
    if n > _POSINT:
        raise _Bad("the number is too large", "숫자가 너무 큽니다")
    return n


def _trl(v: Any) -> int:
    n = _integer(v)
    if not 1 <= n <= 9:
        raise _Bad("the TRL must be between 1 and 9", "기술성숙도(TRL)는 1~9 사이여야 합니다")
    return n


def _text(v: Any) -> str:
    t = type(v)
    if t is str:
        s = v.strip()
        return unquote_text(s) if s[:1] == "'" else s
    if t is float:
        return str(int(v)) if v.is_integer() else repr(v)
    if t is dt.datetime or t is dt.date:
        return v.isoformat()[:10] if t is dt.date or v.time() == dt.time() else v.isoformat()
    return str(v).strip()


_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$|^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _url(v: Any) -> str:
    s = _text(v)
    if not _SCHEME_RE.match(s):
        s = "https://" + s
    if not _URL_RE.match(s) or "." not in s.split("://", 1)[1]:
        raise _Bad("not a web address", "올바른 웹 주소가 아닙니다")
    return s


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?$")
_BAD_DATE = ("not a date (use YYYY-MM-DD)", "날짜가 아닙니다 (YYYY-MM-DD 형식)")


def _date(v: Any) -> dt.date:
    t = type(v)
    if t is dt.date:
        return v
    if t is dt.datetime:
        return v.date()
    if t is float or t is int:
        n = float(v)
        if n.is_integer() and 19000101 <= n <= 21001231:  # 20200110 typed as a number
            return _date(str(int(n)))
        if n.is_integer() and 1 <= n <= 73050:  # Excel serial (up to 2099)
            return _EXCEL_EPOCH + dt.timedelta(days=int(n))
        raise _Bad(*_BAD_DATE)
    if t is str:
        s = v.strip()
        m = _DATE_RE.match(s)
        if m is None and len(s) == 8 and s.isdigit():
            m = re.match(r"^(\d{4})(\d{2})(\d{2})$", s)
        if m is None:
            raise _Bad(*_BAD_DATE)
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise _Bad("not a real date", "존재하지 않는 날짜입니다") from None
    raise _Bad(*_BAD_DATE)


def _brn_fast(c: str) -> bool:
    """The rules of `brn_validate` without its overhead (imports check 100k numbers); failures go to it."""
    if len(c) != 10 or not c.isdigit() or c[:3] < "101" or c[3:5] == "00" or c[5:9] == "0000":
        return False
    d = list(map(int, c))
    total = (
        d[0]
        + 3 * d[1]
        + 7 * d[2]
        + d[3]
        + 3 * d[4]
        + 7 * d[5]
        + d[6]
        + 3 * d[7]
        + 5 * d[8]
        + (d[8] * 5) // 10
    )
    return (10 - total % 10) % 10 == d[9]


def _brn(v: Any) -> str:
    t = type(v)
    if t is float or t is int:
        c = str(int(v)).zfill(10) if float(v).is_integer() else str(v)
    else:
        c = brn_compact(str(v).strip())
    if _brn_fast(c):
        return c
    try:
        return brn_validate(c)
    except ValueError as exc:
        reason = str(exc)
        if "10 digits" in reason:
            ko = "사업자등록번호는 10자리 숫자입니다 (XXX-XX-XXXXX)"
        elif "check digit" in reason:
            ko = "사업자등록번호의 검증번호가 맞지 않습니다"
        else:
            ko = "사업자등록번호 형식이 올바르지 않습니다"
        raise _Bad(reason, ko) from None


_TRUE = {"y", "yes", "true", "1", "예", "네", "o", "해당", "t", "ㅇ"}
_FALSE = {"n", "no", "false", "0", "아니오", "아니요", "x", "비해당", "f", "-"}


def _bool(v: Any) -> bool:
    if type(v) is bool:
        return v
    s = _text(v).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise _Bad("Y or N is expected", "Y 또는 N을 입력해야 합니다")


_STATUS = {
    **{s.value: s.value for s in Patent.Status},
    **{str(s.label).lower(): s.value for s in Patent.Status},
    "출원": "filed", "등록": "registered", "소멸": "expired", "만료": "expired", "포기": "abandoned",
    "취하": "abandoned", "거절": "abandoned",
}  # fmt: skip


def _status(v: Any) -> str:
    s = _STATUS.get(_text(v).lower())
    if s is None:
        raise _Bad(
            "the status is one of filed, registered, expired, abandoned",
            "상태는 출원, 등록, 소멸, 포기 중 하나입니다",
        )
    return s


class _Context:
    """What validation needs from the database, fetched once per import."""

    def __init__(self) -> None:
        self.regions: dict[str, str | None] = {}
        self.today = timezone.localdate()

    @cached_property
    def ksic(self) -> dict[str, str]:
        return dict(KsicCode.objects.filter(level=5).values_list("code", "section"))

    def ksic_code(self, v: Any) -> str:
        t = type(v)
        if t is float or t is int:
            s = f"{int(v):05d}" if float(v).is_integer() else str(v)
        else:
            s = str(v).strip().upper().replace(" ", "").replace("-", "")
        letter = ""
        if s[:1].isalpha():
            letter, s = s[0], s[1:]
        section = self.ksic.get(s)
        if section is None:
            if len(s) == 5 and s.isdigit():
                raise _Bad(
                    "not a KSIC (10th revision) sub-class code",
                    "한국표준산업분류(10차)에 없는 세세분류 코드입니다",
                )
            raise _Bad(
                "the KSIC code must be a 5-digit sub-class (e.g. 26112 or C26112)",
                "표준산업분류코드는 세세분류 5자리여야 합니다 (예: 26112 또는 C26112)",
            )
        if letter and letter != section:
            raise _Bad(
                f"the section letter {letter} does not match the code (section {section})",
                f"대분류 문자 {letter}가 코드의 대분류({section})와 맞지 않습니다",
            )
        return s

    def region(self, v: Any) -> str:
        key = _text(v)
        if key not in self.regions:
            self.regions[key] = region_parse(key)
        code = self.regions[key]
        if code is None:
            raise _Bad(
                "not a Korean province or metropolitan city (e.g. 서울, Seoul, 11)",
                "시·도를 알 수 없습니다 (예: 서울, 서울특별시, 11)",
            )
        return code

    def year(self, v: Any) -> int:
        n = _integer(v)
        if not 1950 <= n <= self.today.year:
            raise _Bad(
                f"the fiscal year must be between 1950 and {self.today.year}",
                f"회계연도는 1950년부터 {self.today.year}년 사이여야 합니다",
            )
        return n

    def converter(self, col: Column) -> Callable[[Any], Any]:
        simple: dict[str, Callable[[Any], Any]] = {
            "brn": _brn, "text": _text, "url": _url, "date": _date, "count": _count,
            "amount": _amount, "trl": _trl, "bool": _bool, "status": _status,
            "ksic": self.ksic_code, "region": self.region, "year": self.year,
        }  # fmt: skip
        return simple[col.type]


# ---------------------------------------------------------------------------------------------------- parsing


@dataclass
class _Table:
    """Validated columns: name → converted values (None where empty), with the row number of each row."""

    rownos: list[int]
    values: dict[str, list[Any]]
    bad_rows: set[int]  # indexes of rows with a cell problem

    def __len__(self) -> int:
        return len(self.rownos)


def template_column_index(kind: str, header: list[Any], name: str) -> int | None:
    """Where a template column (by `Column.name`) is in a file's header row, matched as imports match it (Korean
    or English header, case and spacing ignored); None when absent."""
    _check_kind(kind)
    aliases = _aliases(_COLUMNS[kind])
    for i, cell in enumerate(header):
        if cell is None or str(cell).strip() == "":
            continue
        col = _match_header(cell, aliases)
        if col is not None and col.name == name:
            return i
    return None


def _validate_columns(
    *,
    kind: str,
    header_cells: list[Any] | None,
    names: list[str] | None,
    report: ImportReport,
) -> list[Column | None]:
    """Map header cells (or record keys) to columns; report unknown, duplicate and missing ones."""
    cols = _COLUMNS[kind]
    mapped: list[Column | None] = []
    seen: dict[str, int] = {}
    if header_cells is not None:
        aliases = _aliases(cols)
        for cell in header_cells:
            if cell is None or str(cell).strip() == "":
                mapped.append(None)
                continue
            col = _match_header(cell, aliases)
            if col is None:
                report.add(
                    1, str(cell), cell,
                    f"unknown column; expected one of the template's columns ({', '.join(c.header_ko for c in cols)})",
                    "알 수 없는 열입니다. 서식의 열 이름을 사용해 주십시오",
                )  # fmt: skip
            mapped.append(col)
    else:
        by_name = {c.name: c for c in cols}
        for key in names or []:
            col = by_name.get(key)
            if col is None:
                report.add(0, key, key, "unknown column", "알 수 없는 열입니다")
            mapped.append(col)
    for i, col in enumerate(mapped):
        if col is None:
            continue
        if col.name in seen:
            report.add(1, col.header, "", f"the column appears twice (columns {seen[col.name] + 1} and {i + 1})",
                       "같은 열이 두 번 있습니다")  # fmt: skip
        seen[col.name] = i
    missing = [c for c in cols if c.required and c.name not in seen]
    if missing:
        report.add(
            1 if header_cells is not None else 0,
            ", ".join(c.header for c in missing),
            "",
            "required column(s) missing: " + ", ".join(f"{c.header_en} ({c.name})" for c in missing),
            "필수 열이 없습니다: " + ", ".join(c.header_ko for c in missing),
        )
    return mapped


def _convert(
    *,
    mapped: list[Column | None],
    rows: list[list[Any]] | list[tuple[Any, ...]],
    rownos: list[int],
    ctx: _Context,
    report: ImportReport,
) -> _Table:
    """Convert and check every cell, column by column (tight loops, no per-row queries)."""
    values: dict[str, list[Any]] = {}
    bad_rows: set[int] = set()
    n = len(rows)
    today = ctx.today
    for j, col in enumerate(mapped):
        if col is None:
            continue
        conv = ctx.converter(col)
        out: list[Any] = [None] * n
        required, max_length, not_future = col.required, col.max_length, col.not_future
        label = col.header
        for i, v in enumerate([row[j] for row in rows]):
            if (
                v is None
                or v == ""
                or (type(v) is str and (v[0].isspace() or v[-1].isspace()) and not v.strip())
            ):
                if required:
                    report.add(rownos[i], label, "", "a value is required", "필수 입력 항목입니다")
                    bad_rows.add(i)
                continue
            try:
                x = conv(v)
            except _Bad as bad:
                report.add(rownos[i], label, v, bad.en, bad.ko)
                bad_rows.add(i)
                continue
            if max_length is not None and len(x) > max_length:
                report.add(rownos[i], label, v, f"too long (at most {max_length} characters)",
                           f"너무 깁니다 (최대 {max_length}자)")  # fmt: skip
                bad_rows.add(i)
                continue
            if not_future and x > today:
                report.add(rownos[i], label, v, "the date is in the future", "미래의 날짜입니다")
                bad_rows.add(i)
                continue
            out[i] = x
        values[col.name] = out
    return _Table(rownos=rownos, values=values, bad_rows=bad_rows)


def _read_upload(file: BinaryIO | Path | bytes, report: ImportReport) -> bytes | None:
    limit = int(settings.IMPORT_MAX_BYTES)
    too_big = (
        f"the file is larger than the limit of {limit:,} bytes",
        f"파일이 허용 크기({limit:,} 바이트)를 넘습니다",
    )
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, Path | str):
        path = Path(file)
        if path.stat().st_size > limit:
            report.add(0, "", "", *too_big)
            return None
        data = path.read_bytes()
    else:
        if hasattr(file, "seek"):  # an upload a form has looked at may not be at its start
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)
        size = getattr(file, "size", None)  # Django's UploadedFile knows its size without reading
        if size is None and hasattr(file, "seek") and hasattr(file, "tell"):
            try:
                pos = file.tell()
                file.seek(0, io.SEEK_END)
                size = file.tell() - pos
                file.seek(pos)
            except (OSError, ValueError):
                size = None
        if size is not None and size > limit:
            report.add(0, "", "", *too_big)
            return None
        data = file.read(limit + 1)
    if len(data) > limit:
        report.add(0, "", "", *too_big)
        return None
    return data


def _is_empty_row(row: Iterable[Any]) -> bool:
    return all(c is None or c == "" or (type(c) is str and not c.strip()) for c in row)


# ---------------------------------------------------------------------------------------------------- entry points


def registry_import_file(
    *,
    kind: str,
    file: BinaryIO | Path | bytes,
    filename: str,
    acting_user: Any,
    dry_run: bool = False,
    actor_label: str = "",
) -> ImportReport:
    """Import an XLSX or CSV file of `kind`. All or nothing: any problem and nothing is written.

    `actor_label` names a system actor when `acting_user` is None (e.g. "cli")."""
    _check_kind(kind)
    _check_actor(acting_user)
    report = ImportReport(kind=kind, dry_run=dry_run, filename=filename)
    data = _read_upload(file, report)
    if data is None:
        return report
    report.sha256 = hashlib.sha256(data).hexdigest()
    try:
        rows = read_rows(data, sniff_format(data))
    except FileRefused as refused:
        report.add(0, "", filename, refused.message_en, refused.message_ko)
        return report
    # The header is the first non-empty row.
    start = 0
    while start < len(rows) and _is_empty_row(rows[start]):
        start += 1
    if start >= len(rows):
        report.add(0, "", filename, "the file is empty", "빈 파일입니다")
        return report
    header = list(rows[start])
    width = len(header)
    while width and (header[width - 1] is None or str(header[width - 1]).strip() == ""):
        width -= 1
    header = header[:width]
    mapped = _validate_columns(kind=kind, header_cells=header, names=None, report=report)
    if report.problems:
        return report
    body: list[list[Any]] = []
    rownos: list[int] = []
    for i in range(start + 1, len(rows)):
        row = rows[i]
        if len(row) < width:
            row = list(row) + [""] * (width - len(row))
        if _is_empty_row(row[:width]):
            continue
        body.append(row)
        rownos.append(i + 1)
    if not body:
        report.add(
            0, "", filename, "the file has a header but no data rows", "제목 행만 있고 데이터가 없습니다"
        )
        return report
    del rows
    return _run(
        kind=kind, mapped=mapped, rows=body, rownos=rownos, report=report, acting_user=acting_user,
        actor_label=actor_label, source=FinancialStatement.Source.IMPORT, dry_run=dry_run,
    )  # fmt: skip


def registry_import_records(
    *,
    kind: str,
    records: list[dict[str, Any]],
    acting_user: Any,
    source: str = "import",
    dry_run: bool = False,
    actor_label: str = "",
) -> ImportReport:
    """The same validation and upsert from already-parsed dicts keyed by template column names
    (`Column.name`). Row numbers in problems count records from 1."""
    _check_kind(kind)
    _check_actor(acting_user)
    report = ImportReport(kind=kind, dry_run=dry_run, filename=f"({source})")
    if not records:
        report.add(0, "", "", "no records to import", "가져올 자료가 없습니다")
        return report
    names: list[str] = []
    seen: set[str] = set()
    for rec in records:
        for key in rec:
            if key not in seen:
                seen.add(key)
                names.append(key)
    mapped = _validate_columns(kind=kind, header_cells=None, names=names, report=report)
    if report.problems:
        return report
    rows = [[rec.get(k) for k in names] for rec in records]
    return _run(
        kind=kind, mapped=mapped, rows=rows, rownos=list(range(1, len(rows) + 1)), report=report,
        acting_user=acting_user, actor_label=actor_label, source=source, dry_run=dry_run,
    )  # fmt: skip


def _check_actor(acting_user: Any) -> None:
    """Registry imports are for the programme office (or the system: demo generator, CLI)."""
    if acting_user is None:
        return
    if getattr(acting_user, "is_superuser", False) or getattr(acting_user, "role", None) == "program_office":
        return
    raise Forbidden("Only the programme office may import into the registry", code="import_forbidden")


def _run(
    *,
    kind: str,
    mapped: list[Column | None],
    rows: list[list[Any]],
    rownos: list[int],
    report: ImportReport,
    acting_user: Any,
    actor_label: str,
    source: str,
    dry_run: bool,
) -> ImportReport:
    report.rows = len(rows)
    try:
        with transaction.atomic():
            ctx = _Context()
            table = _convert(mapped=mapped, rows=rows, rownos=rownos, ctx=ctx, report=report)
            plan = _PLANNERS[kind](table=table, ctx=ctx, report=report, source=source)
            if report.problems or plan is None:
                report.created = report.updated = report.unchanged = 0
                return report
            report.created, report.updated, report.unchanged = (
                len(plan.creates),
                len(plan.updates),
                plan.unchanged,
            )
            if dry_run:
                return report
            actor = acting_user if acting_user is not None else (actor_label or None)
            _apply(plan=plan, actor=actor, report=report)
    except IntegrityError as exc:  # a concurrent import created the same key between our read and write
        raise Conflict(
            "The registry changed while the file was being imported; please import it again",
            code="import_conflict",
        ) from exc
    return report


# ---------------------------------------------------------------------------------------------------- planning


@dataclass
class _Plan:
    model: Any
    entity: str  # audit action prefix
    creates: list[dict[str, Any]]  # attname → value
    updates: list[tuple[int, dict[str, Any], dict[str, dict[str, Any]], str]]  # id, new values, diff, repr
    unchanged: int
    repr_field: str
    touch_updated_at: bool = False


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _duplicates(table: _Table, keys: list[Any], label: str, report: ImportReport) -> None:
    first: dict[Any, int] = {}
    for i, key in enumerate(keys):
        if key is None or i in table.bad_rows:
            continue
        j = first.setdefault(key, i)
        if j != i:
            shown = key if not isinstance(key, tuple) else " / ".join(str(k) for k in key)
            report.add(table.rownos[i], label, shown,
                       f"duplicate key: the same as row {table.rownos[j]}", f"{table.rownos[j]}행과 중복됩니다")  # fmt: skip
            table.bad_rows.add(i)


def _company_ids(table: _Table, report: ImportReport) -> list[int | None]:
    """BRN → company id for rows that refer to a company; report BRNs not in the registry."""
    brns = table.values["brn"]
    wanted = sorted({b for b in brns if b is not None})
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(Company.objects.filter(brn__in=chunk).values_list("brn", "id"))
    out: list[int | None] = []
    label = COMPANY_COLUMNS[0].header
    for i, b in enumerate(brns):
        cid = found.get(b) if b is not None else None
        if b is not None and cid is None:
            report.add(table.rownos[i], label, brn_format(b),
                       "no company with this BRN in the registry (import the company first)",
                       "이 사업자등록번호의 기업이 등록되어 있지 않습니다 (기업을 먼저 등록해 주십시오)")  # fmt: skip
            table.bad_rows.add(i)
        out.append(cid)
    return out


def _compare(
    *,
    model: Any,
    entity: str,
    repr_field: str,
    records: list[dict[str, Any]],
    keys: list[Any],
    existing: dict[Any, dict[str, Any]],
    fields: list[str],
    touch_updated_at: bool = False,
) -> _Plan:
    creates: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, dict[str, Any]], str]] = []
    unchanged = 0
    for rec, key in zip(records, keys, strict=True):
        old = existing.get(key)
        if old is None:
            creates.append(rec)
            continue
        changes = {f: {"before": old[f], "after": rec[f]} for f in fields if f in rec and old[f] != rec[f]}
        if changes:
            updates.append((old["id"], rec, changes, str(rec.get(repr_field) or old.get(repr_field) or "")))
        else:
            unchanged += 1
    return _Plan(model, entity, creates, updates, unchanged, repr_field, touch_updated_at)


def _records(table: _Table, names: list[str], defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """Row dicts of the columns present in the file; empty optional cells take the model default."""
    present = [n for n in names if n in table.values]
    cols = [table.values[n] for n in present]
    fill = [defaults.get(n) for n in present]
    out = []
    for i in range(len(table)):
        rec = {}
        for n, c, d in zip(present, cols, fill, strict=True):
            v = c[i]
            rec[n] = d if v is None else v
        out.append(rec)
    return out


def _model_defaults(model: Any, names: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        f = model._meta.get_field(name)
        out[name] = f.get_default() if f.has_default() else ("" if f.empty_strings_allowed else None)
    return out


def _plan_companies(*, table: _Table, ctx: _Context, report: ImportReport, source: str) -> _Plan | None:
    _duplicates(table, table.values["brn"], COMPANY_COLUMNS[0].header, report)
    if report.problems:
        return None
    names = [c.name for c in COMPANY_COLUMNS if c.name != "ksic"]
    records = _records(table, names, _model_defaults(Company, names))
    ksic = table.values["ksic"]
    for rec, code in zip(records, ksic, strict=True):
        rec["ksic_id"] = code
        rec["ksic_section"] = ctx.ksic[code]
    fields = [n for n in names if n in table.values and n != "brn"] + ["ksic_id", "ksic_section"]
    keys = table.values["brn"]
    existing: dict[Any, dict[str, Any]] = {}
    for chunk in _chunks(keys):
        for row in Company.objects.filter(brn__in=chunk).values("id", "brn", *fields):
            existing[row["brn"]] = row
    return _compare(model=Company, entity="company", repr_field="name_ko", records=records, keys=keys,
                    existing=existing, fields=fields, touch_updated_at=True)  # fmt: skip


def _plan_patents(*, table: _Table, ctx: _Context, report: ImportReport, source: str) -> _Plan | None:
    label = next(c.header for c in PATENT_COLUMNS if c.name == "application_number")
    _duplicates(table, table.values["application_number"], label, report)
    company_ids = _company_ids(table, report)
    filed, granted = table.values["filed_on"], table.values.get("granted_on")
    if granted is not None:
        glabel = next(c.header for c in PATENT_COLUMNS if c.name == "granted_on")
        for i, (f, g) in enumerate(zip(filed, granted, strict=True)):
            if f is not None and g is not None and g < f:
                report.add(table.rownos[i], glabel, g.isoformat(),
                           f"granted before it was filed ({f.isoformat()})",
                           f"등록일이 출원일({f.isoformat()})보다 앞섭니다")  # fmt: skip
    if report.problems:
        return None
    names = [c.name for c in PATENT_COLUMNS if c.name != "brn"]
    defaults = _model_defaults(Patent, names)
    defaults.pop("status")
    records = _records(table, names, defaults)
    has_status = "status" in table.values
    for rec, cid in zip(records, company_ids, strict=True):
        rec["company_id"] = cid
        if not has_status or rec["status"] is None:
            rec["status"] = (
                Patent.Status.REGISTERED.value if rec.get("granted_on") else Patent.Status.FILED.value
            )
    # Without a status column, the status is derived for new patents only; existing ones keep theirs.
    fields = [n for n in names if n in table.values and n != "application_number"] + ["company_id"]
    keys = table.values["application_number"]
    existing: dict[Any, dict[str, Any]] = {}
    for chunk in _chunks(keys):
        for row in Patent.objects.filter(application_number__in=chunk).values(
            "id", "application_number", *fields
        ):
            existing[row["application_number"]] = row
    return _compare(model=Patent, entity="patent", repr_field="application_number", records=records,
                    keys=keys, existing=existing, fields=fields)  # fmt: skip


def _plan_technologies(*, table: _Table, ctx: _Context, report: ImportReport, source: str) -> _Plan | None:
    keys_in_file = [
        (b, n) if b is not None and n is not None else None
        for b, n in zip(table.values["brn"], table.values["name"], strict=True)
    ]
    _duplicates(table, keys_in_file, TECHNOLOGY_COLUMNS[1].header, report)
    company_ids = _company_ids(table, report)
    if report.problems:
        return None
    names = [c.name for c in TECHNOLOGY_COLUMNS if c.name != "brn"]
    records = _records(table, names, _model_defaults(CoreTechnology, names))
    for rec, cid in zip(records, company_ids, strict=True):
        rec["company_id"] = cid
    fields = [n for n in names if n in table.values and n != "name"]
    keys = [(cid, rec["name"]) for cid, rec in zip(company_ids, records, strict=True)]
    existing: dict[Any, dict[str, Any]] = {}
    for chunk in _chunks(sorted({k[0] for k in keys})):
        qs = CoreTechnology.objects.filter(company_id__in=chunk).order_by("id")
        for row in qs.values("id", "company_id", "name", *fields):
            existing.setdefault((row["company_id"], row["name"]), row)
    return _compare(model=CoreTechnology, entity="technology", repr_field="name", records=records, keys=keys,
                    existing=existing, fields=fields)  # fmt: skip


def _plan_statements(*, table: _Table, ctx: _Context, report: ImportReport, source: str) -> _Plan | None:
    keys_in_file = [
        (b, y) if b is not None and y is not None else None
        for b, y in zip(table.values["brn"], table.values["fiscal_year"], strict=True)
    ]
    _duplicates(table, keys_in_file, STATEMENT_COLUMNS[1].header, report)
    company_ids = _company_ids(table, report)
    item_cols = [c for c in STATEMENT_COLUMNS if c.type == "amount"]
    names = [c.name for c in STATEMENT_COLUMNS if c.name != "brn"]
    defaults = _model_defaults(FinancialStatement, names)
    records = _records(table, names, defaults)
    headers = {c.name: c.header for c in item_cols}
    item_names = [c.name for c in item_cols]
    bad = table.bad_rows
    for i, rec in enumerate(records):
        if i in bad:
            continue
        values = {n: rec.get(n) for n in item_names}
        for fld, en, ko in statement_problems(values):
            report.add(table.rownos[i], headers.get(fld, fld), rec.get(fld), en, ko)
    if report.problems:
        return None
    for rec, cid in zip(records, company_ids, strict=True):
        rec["company_id"] = cid
        rec["source"] = source
    fields = [n for n in names if n in table.values and n != "fiscal_year"]
    keys = [(rec["company_id"], rec["fiscal_year"]) for rec in records]
    existing: dict[Any, dict[str, Any]] = {}
    for chunk in _chunks(sorted({k[0] for k in keys})):
        qs = FinancialStatement.objects.filter(company_id__in=chunk)
        for row in qs.values("id", "company_id", "fiscal_year", *fields):
            existing[(row["company_id"], row["fiscal_year"])] = row
    return _compare(model=FinancialStatement, entity="statement", repr_field="fiscal_year", records=records,
                    keys=keys, existing=existing, fields=fields)  # fmt: skip


_PLANNERS: dict[str, Callable[..., _Plan | None]] = {
    "companies": _plan_companies,
    "patents": _plan_patents,
    "technologies": _plan_technologies,
    "statements": _plan_statements,
}


# ---------------------------------------------------------------------------------------------------- writing


def _apply(*, plan: _Plan, actor: Any, report: ImportReport) -> None:
    model = plan.model
    object_type = model._meta.label_lower
    reason = f"import {report.filename}"[:300]
    now = timezone.now()
    items: list[AuditItem] = []
    if plan.creates:
        ids = insert_returning_ids(model, plan.creates, now)
        for pk, rec in zip(ids, plan.creates, strict=True):
            items.append(
                AuditItem(
                    action=f"{plan.entity}.create",
                    object_type=object_type,
                    object_id=str(pk),
                    object_repr=str(rec.get(plan.repr_field) or ""),
                    changes=created(rec),
                    reason=reason,
                )
            )
    if plan.updates:
        changed_fields = sorted({f for _id, _rec, changes, _r in plan.updates for f in changes})
        objs = []
        for pk, rec, changes, rep in plan.updates:
            obj = model(id=pk, **{f: rec[f] for f in changed_fields if f in rec})
            objs.append(obj)
            changes_out = dict(changes)
            items.append(
                AuditItem(action=f"{plan.entity}.update", object_type=object_type, object_id=str(pk),
                          object_repr=rep, changes=changes_out, reason=reason)
            )  # fmt: skip
        update_fields = [f for f in changed_fields if all(f in rec for _i, rec, _c, _r in plan.updates)]
        if plan.touch_updated_at:
            for obj in objs:
                obj.updated_at = now
            update_fields.append("updated_at")
        model.objects.bulk_update(objs, update_fields, batch_size=500)
    items.append(
        AuditItem(
            action="registry.import",
            object_type="registry.import",
            object_id=report.kind,
            object_repr=report.filename,
            changes={
                "kind": report.kind,
                "filename": report.filename,
                "sha256": report.sha256,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
            reason=reason,
        )
    )
    audit_record_many(actor=actor, items=items)


__all__ = [
    "KINDS",
    "Column",
    "ImportReport",
    "RowProblem",
    "registry_import_file",
    "registry_import_records",
    "template_column_index",
    "template_columns",
    "template_workbook",
]
