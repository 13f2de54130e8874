"""One convention per language for dates, times, money and percentages (docs/architecture.md, Conventions):
the template filters of `core.templatetags.nic` and the format modules in `core/formats`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from nic1000.core.sectors import sector_label

SEOUL = ZoneInfo("Asia/Seoul")


def _render(text: str, lang: str, **context: object) -> str:
    with translation.override(lang):
        return Template("{% load nic %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("lang", "morning", "evening"),
    [
        ("ko", "2026-03-31 오전 10:00", "2026-03-31 오후 7:05"),
        ("en", "2026-03-31 10:00 AM", "2026-03-31 7:05 PM"),
    ],
)
def test_when_puts_the_day_half_where_the_language_does(lang: str, morning: str, evening: str) -> None:
    at = dt.datetime(2026, 3, 31, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul
    assert _render("{{ at|when }}", lang, at=at) == morning
    assert _render("{{ at|when }}", lang, at=at.replace(hour=10, minute=5)) == evening
    # A date stays a date; the day of a datetime is Seoul's.
    assert _render("{{ d|day }}", lang, d=dt.date(2026, 3, 31)) == "2026-03-31"
    assert _render("{{ at|day }}", lang, at=dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)) == "2026-04-01"


def test_django_date_formats_follow_the_convention() -> None:
    at = dt.datetime(2026, 3, 31, 10, 0, tzinfo=SEOUL)
    assert _render("{{ at }}", "ko", at=at) == "2026-03-31 오전 10:00"
    assert _render("{{ at }}", "en", at=at) == "2026-03-31 10:00 AM"
    assert _render('{{ at|date:"TIME_FORMAT" }}', "ko", at=at) == "오전 10:00"


def test_money_full_in_tables_short_in_summaries() -> None:
    assert _render("{{ v|krw }}", "ko", v=2_000_000_000) == "2,000,000,000원"
    assert _render("{{ v|krw }}", "en", v=2_000_000_000) == "KRW 2,000,000,000"
    assert _render("{{ v|krw_short }}", "ko", v=2_000_000_000) == "20.0억원"
    assert _render("{{ v|krw_short }}", "ko", v=1_800_000_000_000) == "1.80조원"
    assert _render("{{ v|krw_short }}", "en", v=2_000_000_000) == "KRW 2.0 billion"
    assert _render("{{ v|krw }}", "ko", v=None) == "–"


def test_percentages() -> None:
    assert _render("{{ p|percent }}", "ko", p=0.233) == "23.3%"
    assert _render("{{ p|percent }}", "en", p=0.2334) == "23.3%"
    assert _render("{{ p|percent:2 }}", "ko", p=0.05) == "5.00%"
    assert _render("{{ p|percent }}", "ko", p=None) == "–"


def test_sectors_show_their_labels_never_their_keys() -> None:
    assert _render("{{ s|sector }}", "ko", s="ict_software") == "ICT·소프트웨어"
    assert _render("{{ s|sector }}", "en", s="ict_software") == "ICT and software"
    assert _render("{{ s|sector }}", "ko", s="machinery") == "기계·로봇"
    with translation.override("ko"):
        assert sector_label("C") == "제조업"  # a KSIC section, the default sector of a nomination
        assert sector_label("custom_key") == "custom_key"  # configured by hand: shown as it is
        assert sector_label("") == ""
