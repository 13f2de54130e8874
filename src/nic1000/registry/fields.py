"""The registry's fields: every column of the import templates, how a cell or a form value is read into it, and
the limits it must keep. The one place of these rules: the importer reads whole columns with them, the services
(`company_create`, `statement_submit`, ...) read one company or statement with them, and forms take their names,
labels and which are required from here.

A field is named as the model names it (`brn`, `name_ko`, `ksic`, ...); its template header is Korean and
English in one cell ("기업명 (Company name)"), and files may use either half, the name, or an alias. The Korean
headers are part of the file format (they are matched, not translated), so they live here; help texts and
problems are msgids, rendered in the language of whoever reads them.

Converters raise `CellInvalid` with a message and a stable code; `column_convert` applies a field's converter and
limits to a column of cells, `values_convert` to a dict of form or API values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nic1000.core.errors import ErrorDetail
from nic1000.core.excel import unquote_text
from nic1000.core.identifiers import brn_compact, brn_format, brn_make, brn_validate
from nic1000.registry.messages import lazy_format
from nic1000.registry.models import FinancialStatement, KsicCode, Patent
from nic1000.registry.regions import region_parse
from nic1000.registry.statement_items import ALL_ITEMS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FieldType = Literal[
    "brn", "text", "url", "ksic", "region", "date", "count", "amount", "year", "trl", "bool", "status"
]  # fmt: skip
Kind = Literal["companies", "patents", "technologies", "statements"]
KINDS: tuple[Kind, ...] = ("companies", "patents", "technologies", "statements")
KIND_LABELS: dict[str, StrOrPromise] = {
    "companies": _("Companies"),
    "patents": _("Patents"),
    "technologies": _("Core technologies"),
    "statements": _("Financial statements"),
}
_BIGINT = 2**63 - 1
_POSINT = 2**31 - 1


class CellInvalid(Exception):
    """A value that a field cannot take. `code`: invalid, too_long, future (stable, for API clients)."""

    def __init__(self, message: StrOrPromise, code: str = "invalid") -> None:
        super().__init__(message)  # rendered when shown, not when raised
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Field:
    name: str  # the model's name for it, also accepted as a header
    header_ko: str
    header_en: str
    required: bool
    type: FieldType
    example: object
    help: StrOrPromise = ""
    max_length: int | None = None
    not_future: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        """The template's header: Korean and English in one cell."""
        return f"{self.header_ko} ({self.header_en})"


# ---------------------------------------------------------------------------------------------------- definitions

_EXAMPLE_BRN = brn_format(brn_make("123810001"))
_DATE_HELP = _("a date: an Excel date, YYYY-MM-DD or YYYY.MM.DD")
_COUNT_HELP = _("a whole number, 0 or more")
_LIST_HELP = _("separated by ;")
_REGISTERED_HELP = _("the company's BRN; the company must be in the registry")


def _brn_field(help_text: StrOrPromise) -> Field:
    return Field("brn", "사업자등록번호", "Business registration number", True, "brn", _EXAMPLE_BRN, help_text,
                 aliases=("brn", "사업자번호"))  # fmt: skip


COMPANY_FIELDS: tuple[Field, ...] = (
    _brn_field(_("10 digits, with or without dashes (XXX-XX-XXXXX); the check digit is verified")),
    Field("name_ko", "기업명", "Company name", True, "text", "(주)이노베이션코리아", _("the registered (Korean) name"),
          max_length=200, aliases=("상호", "회사명", "name")),
    Field("name_en", "영문 기업명", "Name in English", False, "text", "Innovation Korea Co., Ltd.", _("optional"),
          max_length=200),
    Field("ksic", "표준산업분류코드", "KSIC code", True, "ksic", "C26112",
          _("KSIC 10th revision sub-class, 5 digits, with or without the section letter (26112 or C26112)"),
          aliases=("ksic", "업종코드", "산업분류코드", "ksic10")),
    Field("region", "소재지(시·도)", "Region", True, "region", "서울",
          _("the province or metropolitan city: code (11), Korean (서울, 서울특별시) or English (Seoul)"),
          aliases=("시도", "지역", "소재지")),
    Field("address", "주소", "Address", False, "text", "서울특별시 중구 세종대로 110", max_length=300),
    Field("founded_on", "설립일", "Founded on", True, "date", "2015-03-01",
          _("a date: an Excel date, YYYY-MM-DD or YYYY.MM.DD; not in the future"), not_future=True,
          aliases=("설립일자", "founded", "founding date")),
    Field("employees", "종업원 수", "Employees", False, "count", 45, _COUNT_HELP,
          aliases=("종업원수", "직원수", "상시근로자수")),
    Field("is_sme", "중소기업 여부", "SME", False, "bool", "Y",
          _("Y/N (also 예/아니오, TRUE/FALSE, 1/0); default Y"), aliases=("중소기업",)),
    Field("is_listed", "상장 여부", "Listed", False, "bool", "N", _("Y/N; default N"), aliases=("상장",)),
    Field("website", "홈페이지", "Website", False, "url", "https://www.example.co.kr", _("http(s) address"),
          max_length=200, aliases=("웹사이트", "url")),
    Field("representative", "대표자", "Representative (CEO)", False, "text", "홍길동", max_length=100,
          aliases=("대표자명", "ceo", "representative")),
)  # fmt: skip

PATENT_FIELDS: tuple[Field, ...] = (
    _brn_field(_("the owning company's BRN; the company must be in the registry")),
    Field("application_number", "출원번호", "Application number", True, "text", "10-2020-0012345",
          _("unique; the key of the patent"), max_length=30),
    Field("registration_number", "등록번호", "Registration number", False, "text", "10-2345678", max_length=30),
    Field("title", "발명의 명칭", "Title", True, "text", "저전력 반도체 설계 방법", max_length=300,
          aliases=("명칭", "특허명")),
    Field("abstract", "요약", "Abstract", False, "text", ""),
    Field("ipc_classes", "IPC 분류", "IPC classes", False, "text", "H01L 21/00; G06F 17/50", _LIST_HELP,
          max_length=300, aliases=("ipc",)),
    Field("cpc_classes", "CPC 분류", "CPC classes", False, "text", "", _LIST_HELP, max_length=300,
          aliases=("cpc",)),
    Field("filed_on", "출원일", "Filed on", True, "date", "2020-01-10", _DATE_HELP, not_future=True),
    Field("granted_on", "등록일", "Granted on", False, "date", "2021-06-01",
          _("a date: an Excel date, YYYY-MM-DD or YYYY.MM.DD; not before the filing date"), not_future=True),
    Field("status", "상태", "Status", False, "status", "등록",
          _("filed/registered/expired/abandoned (출원/등록/소멸/포기); default: registered if granted, else filed")),
    Field("claims", "청구항 수", "Claims", False, "count", 12, _COUNT_HELP, aliases=("청구항수",)),
    Field("family_size", "패밀리 수", "Family size", False, "count", 3, _COUNT_HELP),
    Field("forward_citations", "피인용 수", "Forward citations", False, "count", 4, _COUNT_HELP),
    Field("backward_citations", "인용 수", "Backward citations", False, "count", 7, _COUNT_HELP),
)  # fmt: skip

TECHNOLOGY_FIELDS: tuple[Field, ...] = (
    _brn_field(_REGISTERED_HELP),
    Field("name", "핵심기술명", "Technology", True, "text", "AI 반도체 설계", _("with the BRN, the key"),
          max_length=200, aliases=("기술명",)),
    Field("description", "기술 설명", "Description", False, "text", "", aliases=("설명",)),
    Field("keywords", "키워드", "Keywords", False, "text", "NPU; 저전력", _LIST_HELP, max_length=300),
    Field("trl", "기술성숙도(TRL)", "Technology readiness level", True, "trl", 6, _("1 to 9"),
          aliases=("trl", "기술성숙도", "기술준비도")),
)  # fmt: skip


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


_AMOUNT_HELP = {  # (may be negative, has a default) → help
    (True, False): _("whole KRW, may be negative; thousands separators allowed"),
    (False, False): _("whole KRW, 0 or more; thousands separators allowed"),
    (True, True): _("whole KRW, may be negative; thousands separators allowed; default 0"),
    (False, True): _("whole KRW, 0 or more; thousands separators allowed; default 0"),
}


def _statement_fields() -> tuple[Field, ...]:
    item_names = {name for name, *_rest in ALL_ITEMS}
    optional = {
        f.name for f in FinancialStatement._meta.concrete_fields if f.has_default() and f.name in item_names
    }
    example = _example_statement()
    fields = [
        _brn_field(_REGISTERED_HELP),
        Field("fiscal_year", "회계연도", "Fiscal year", True, "year", 2024, _("e.g. 2024; not in the future"),
              aliases=("사업연도", "결산연도", "year")),
        Field("credit_delinquency", "신용정보 연체", "Credit delinquency", False, "bool", "N",
              _("Y if a credit delinquency was registered in the year; default N")),
    ]  # fmt: skip
    for name, ko, en, may_be_negative in ALL_ITEMS:
        has_default = name in optional
        help_text = _AMOUNT_HELP[(may_be_negative, has_default)]
        fields.append(Field(name, ko, en, not has_default, "amount", example[name], help_text))
    return tuple(fields)


STATEMENT_FIELDS = _statement_fields()
FIELDS: dict[str, tuple[Field, ...]] = {
    "companies": COMPANY_FIELDS,
    "patents": PATENT_FIELDS,
    "technologies": TECHNOLOGY_FIELDS,
    "statements": STATEMENT_FIELDS,
}


def fields_of(kind: str) -> tuple[Field, ...]:
    """The fields of an import kind, in template order; ValueError for an unknown kind."""
    try:
        return FIELDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}") from None


def field_named(kind: str, name: str) -> Field:
    return next(f for f in fields_of(kind) if f.name == name)


# ---------------------------------------------------------------------------------------------------- converters
# Each takes what a spreadsheet, a CSV or a form gives (str, int, float, bool, date, datetime) and returns the
# model's value or raises CellInvalid. Type checks by `type(v) is` keep a 100k-row import fast.

_NUM_TEXT = _("a number is expected, not text")
_NOT_WHOLE = _("a whole number is expected")
_BAD_DATE = _("not a date (use YYYY-MM-DD)")


def parse_integer(v: Any) -> int:
    t = type(v)
    if t is int:
        n: int = v  # no int() call: amounts are checked by the million
        return n
    if t is float:
        if v.is_integer():
            return int(v)
        raise CellInvalid(_NOT_WHOLE)
    if t is str:
        return _integer_text(v)
    if t is bool:
        raise CellInvalid(_("a number is expected, not TRUE/FALSE"))
    raise CellInvalid(_("a number is expected"))


def _integer_text(v: str) -> int:
    s = v.strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
    s = s.removeprefix("₩").removesuffix("원").removeprefix("KRW")
    neg = len(s) > 2 and s[0] == "(" and s[-1] == ")"  # accounting style (1,234) = -1234
    if neg:
        s = s[1:-1]
    if s in ("-", "–"):  # a dash for zero, as statements print it
        return 0
    if not s or "_" in s:
        raise CellInvalid(_NUM_TEXT)
    try:
        n = int(s)
    except ValueError:
        try:
            f = float(s)
        except ValueError:
            raise CellInvalid(_NUM_TEXT) from None
        if not f.is_integer():
            raise CellInvalid(_NOT_WHOLE) from None
        n = int(f)
    return -n if neg else n


def parse_amount(v: Any) -> int:
    n = parse_integer(v)
    if -_BIGINT <= n <= _BIGINT:
        return n
    raise CellInvalid(_("the amount is out of range"))


def parse_count(v: Any) -> int:
    n = parse_integer(v)
    if n < 0:
        raise CellInvalid(_("must be 0 or more"))
    if n > _POSINT:
        raise CellInvalid(_("the number is too large"))
    return n


def parse_trl(v: Any) -> int:
    n = parse_integer(v)
    if not 1 <= n <= 9:
        raise CellInvalid(_("the TRL must be between 1 and 9"))
    return n


def parse_text(v: Any) -> str:
    t = type(v)
    if t is str:
        s: str = v.strip()
        return unquote_text(s) if s[:1] == "'" else s
    if t is float:
        return str(int(v)) if v.is_integer() else repr(v)
    if t is dt.date:
        return str(v.isoformat())
    if t is dt.datetime:
        return str(v.isoformat()[:10] if v.time() == dt.time() else v.isoformat())
    return str(v).strip()


_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$|^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def parse_url(v: Any) -> str:
    s = parse_text(v)
    if not _SCHEME_RE.match(s):
        s = "https://" + s
    if not _URL_RE.match(s) or "." not in s.split("://", 1)[1]:
        raise CellInvalid(_("not a web address"))
    return s


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(v: Any) -> dt.date:
    t = type(v)
    if t is dt.date:
        day: dt.date = v
        return day
    if t is dt.datetime:
        moment: dt.datetime = v
        return moment.date()
    if t is float or t is int:
        n = float(v)
        if n.is_integer() and 19000101 <= n <= 21001231:  # 20200110 typed as a number
            return parse_date(str(int(n)))
        if n.is_integer() and 1 <= n <= 73050:  # Excel serial (up to 2099)
            return _EXCEL_EPOCH + dt.timedelta(days=int(n))
        raise CellInvalid(_BAD_DATE)
    if t is str:
        s: str = v.strip()
        m = _DATE_RE.match(s)
        if m is None and len(s) == 8 and s.isdigit():
            m = _COMPACT_DATE_RE.match(s)
        if m is None:
            raise CellInvalid(_BAD_DATE)
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise CellInvalid(_("not a real date")) from None
    raise CellInvalid(_BAD_DATE)


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


def parse_brn(v: Any) -> str:
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
        raise CellInvalid(_("a business registration number has 10 digits (XXX-XX-XXXXX)"))
    if "check digit" in reason:
        raise CellInvalid(_("the check digit of the business registration number is wrong"))
    raise CellInvalid(_("not a valid business registration number"))


_TRUE = {"y", "yes", "true", "1", "예", "네", "o", "해당", "t", "ㅇ"}
_FALSE = {"n", "no", "false", "0", "아니오", "아니요", "x", "비해당", "f", "-"}


def parse_bool(v: Any) -> bool:
    if type(v) is bool:
        given: bool = v
        return given
    s = parse_text(v).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellInvalid(_("Y or N is expected"))


_STATUS = {
    **{s.value: s.value for s in Patent.Status},
    **{str(s.label).lower(): s.value for s in Patent.Status},
    "출원": "filed", "등록": "registered", "소멸": "expired", "만료": "expired", "포기": "abandoned",
    "취하": "abandoned", "거절": "abandoned",
}  # fmt: skip


def parse_status(v: Any) -> str:
    s = _STATUS.get(parse_text(v).lower())
    if s is None:
        raise CellInvalid(_("the status is one of filed, registered, expired, abandoned"))
    return s


# ---------------------------------------------------------------------------------------------------- context


class FieldContext:
    """What the converters need from the database and the clock, fetched once per import or service call."""

    def __init__(self) -> None:
        self.regions: dict[str, str | None] = {}
        self.today = timezone.localdate()

    @cached_property
    def ksic(self) -> dict[str, str]:
        """KSIC sub-class code → its section letter."""
        return dict(KsicCode.objects.filter(level=5).values_list("code", "section"))

    def parse_ksic(self, v: Any) -> str:
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
                raise CellInvalid(_("not a KSIC (10th revision) sub-class code"))
            raise CellInvalid(_("the KSIC code must be a 5-digit sub-class (e.g. 26112 or C26112)"))
        if letter and letter != section:
            raise CellInvalid(
                lazy_format(
                    _("the section letter %(letter)s does not match the code (section %(section)s)"),
                    letter=letter,
                    section=section,
                )
            )
        return s

    def parse_region(self, v: Any) -> str:
        key = parse_text(v)
        if key not in self.regions:
            self.regions[key] = region_parse(key)
        code = self.regions[key]
        if code is None:
            raise CellInvalid(_("not a Korean province or metropolitan city (e.g. 서울, Seoul, 11)"))
        return code

    def parse_year(self, v: Any) -> int:
        n = parse_integer(v)
        if not 1950 <= n <= self.today.year:
            raise CellInvalid(
                lazy_format(_("the fiscal year must be between 1950 and %(year)s"), year=self.today.year)
            )
        return n

    def converter(self, field: Field) -> Callable[[Any], Any]:
        converters: dict[str, Callable[[Any], Any]] = {
            "brn": parse_brn, "text": parse_text, "url": parse_url, "date": parse_date, "count": parse_count,
            "amount": parse_amount, "trl": parse_trl, "bool": parse_bool, "status": parse_status,
            "ksic": self.parse_ksic, "region": self.parse_region, "year": self.parse_year,
        }  # fmt: skip
        return converters[field.type]


# ---------------------------------------------------------------------------------------------------- validation

VALUE_REQUIRED = _("a value is required")


@dataclass(frozen=True)
class CellProblem:
    index: int  # position in the column
    value: object  # as given (None for a missing required value)
    message: StrOrPromise
    code: str  # required, invalid, too_long, future


def column_convert(
    field: Field, cells: Sequence[Any], ctx: FieldContext
) -> tuple[list[Any], list[CellProblem]]:
    """Read a column of cells into `field`: the values (None where blank) and the problems, in order.

    Blank: None, "" or whitespace; a problem when the field is required. The loop is tight on purpose: an
    import sends 100,000 cells per column through it."""
    conv = ctx.converter(field)
    required, max_length, not_future, today = field.required, field.max_length, field.not_future, ctx.today
    out: list[Any] = [None] * len(cells)
    problems: list[CellProblem] = []
    for i, v in enumerate(cells):
        if v is None or v == "" or (type(v) is str and (v[0].isspace() or v[-1].isspace()) and not v.strip()):
            if required:
                problems.append(CellProblem(i, None, VALUE_REQUIRED, "required"))
            continue
        try:
            x = conv(v)
        except CellInvalid as bad:
            problems.append(CellProblem(i, v, bad.message, bad.code))
            continue
        if max_length is not None and len(x) > max_length:
            too_long = lazy_format(_("too long (at most %(n)s characters)"), n=max_length)
            problems.append(CellProblem(i, v, too_long, "too_long"))
            continue
        if not_future and x > today:
            problems.append(CellProblem(i, v, _("the date is in the future"), "future"))
            continue
        out[i] = x
    return out, problems


def values_convert(
    values: Mapping[str, Any], fields: Iterable[Field], ctx: FieldContext, *, require: bool
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """Read a dict of form or API values (keyed by field name) with the same rules as an import's cells.

    Returns the converted values (None for an emptied optional field) and the problems, one per field;
    `require`: a required field missing from `values` is a problem too (a new object, not a change)."""
    by_name = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    problems: list[ErrorDetail] = []
    for name, value in values.items():
        field = by_name.get(name)
        if field is None:
            problems.append(ErrorDetail(message=str(_("unknown field")), field=name))
            continue
        if isinstance(value, KsicCode):
            value = value.code
        converted, cell_problems = column_convert(field, [value], ctx)
        if cell_problems:
            p = cell_problems[0]
            problems.append(ErrorDetail(message=str(p.message), field=name, value=p.value, code=p.code))
            continue
        out[name] = converted[0]
    if require:
        for field in by_name.values():
            if field.required and field.name not in values:
                problems.append(ErrorDetail(message=str(VALUE_REQUIRED), field=field.name, code="required"))
    return out, problems
