"""The rounds' pages, exports and reasons speak the reader's language: sector labels instead of keys, quota
names in words, the optimiser's reasons and diagnoses translated from their codes, notifications rendered
for the reader."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from nic1000.activity.services import notify
from nic1000.core.models import Notification
from nic1000.rounds.selection_texts import diagnosis_text, explanation_store, explanation_text
from nic1000.rounds.services.publication import round_publish
from tests.rounds.factories import make_selecting_round

pytestmark = pytest.mark.django_db


def _client(lang: str) -> Client:
    c = Client()
    c.cookies["django_language"] = lang
    return c


def test_public_list_and_its_excel_show_sector_labels_not_keys(personas) -> None:  # type: ignore[no-untyped-def]
    rnd = make_selecting_round(acting_user=personas.program_office, n=3, selected=2)
    rnd.candidacies.update(sector="ict_software")
    round_publish(round=rnd, acting_user=personas.program_office)
    html = _client("ko").get(f"/rounds/{rnd.pk}/selection/").content.decode()
    assert "ICT·소프트웨어" in html and "ict_software" not in html
    assert "ICT and software" in _client("en").get(f"/rounds/{rnd.pk}/selection/").content.decode()

    ws = load_workbook(io.BytesIO(_client("ko").get(f"/rounds/{rnd.pk}/selection.xlsx").content)).active
    header = [c.value for c in ws[1]]
    assert header == ["순위", "기업", "추천 부처·청", "추천 부처·청(전체)", "분야", "지역"]
    assert ws.cell(row=2, column=5).value == "ICT·소프트웨어"
    ws_en = load_workbook(io.BytesIO(_client("en").get(f"/rounds/{rnd.pk}/selection.xlsx").content)).active
    assert [c.value for c in ws_en[1]][4] == "Sector" and ws_en.cell(
        row=2, column=5
    ).value == "ICT and software"


def test_round_state_and_quotas_are_shown_in_words(personas) -> None:  # type: ignore[no-untyped-def]
    rnd = make_selecting_round(acting_user=personas.program_office, n=2, selected=1)
    rnd.quotas.create(family="sector", key="machinery", min_count=1, max_count=None)
    rnd.quotas.create(family="body", key="MSS", min_count=None, max_count=5)
    c = _client("ko")
    c.force_login(personas.program_office)
    html = c.get(f"/rounds/{rnd.pk}/results/").content.decode()
    assert "분야 기계·로봇: 1~–" in html and "추천 부처·청 MSS: –~5" in html
    assert "sector:machinery" not in html and "body:MSS" not in html
    assert "선정 중" in c.get("/rounds/").content.decode()


def test_optimiser_reasons_are_translated_from_their_codes() -> None:
    stored = explanation_store("quota_max", ["body:MOTIE:max", "sector:machinery:max"])
    with translation.override("ko"):
        assert explanation_text(stored) == "제외: 추천 부처·청 MOTIE 최대 인원, 분야 기계·로봇 최대 인원 도달"
        assert explanation_text(explanation_store("within_cutoff", [])) == "선정: 점수가 선정 기준선 이내"
    with translation.override("en"):
        assert explanation_text(stored) == (
            "Excluded: Nominating body MOTIE maximum, Sector Machinery and robotics maximum reached"
        )
    # An explanation stored by an older version (English text) is shown as it is.
    assert (
        explanation_text("excluded: score 12 below the cut-off (40)")
        == "excluded: score 12 below the cut-off (40)"
    )

    d = {
        "code": "quota_min_exceeds_available",
        "quota": "sector:biohealth:min",
        "message": "sector 'biohealth' minimum 3 but only 1 eligible candidacies",
        "constraints": ["sector:biohealth:min"],
        "details": {"min": 3, "available": 1},
    }
    with translation.override("ko"):
        assert diagnosis_text(d) == {
            "quota": "분야 바이오헬스 최소 인원",
            "message": "최소 인원 3명이 해당 자격 충족 후보 1건보다 많습니다.",
        }


def test_a_notification_is_read_in_the_readers_language(personas) -> None:  # type: ignore[no-untyped-def]
    notify(
        recipients=[personas.company_a],
        kind="round.selected",
        title=gettext_noop("Your company was selected in %(round)s"),
        body=gettext_noop("Congratulations: your company is now a National Innovation Company 1000 member."),
        params={"round": "3차 선정"},
    )
    note = Notification.objects.get(recipient=personas.company_a)
    with translation.override("ko"):
        assert note.title_text == "귀사가 3차 선정에서 선정되었습니다"
        assert note.body_text.startswith("축하합니다")
    with translation.override("en"):
        assert note.title_text == "Your company was selected in 3차 선정"
    c = _client("ko")
    c.force_login(personas.company_a)
    html = c.get("/notifications/").content.decode()
    assert "귀사가 3차 선정에서 선정되었습니다" in html and "Your company" not in html


def test_eligibility_reasons_are_worded_for_each_reader(personas) -> None:  # type: ignore[no-untyped-def]
    from nic1000.rounds.selection_texts import eligibility_text

    stored = {
        "rule": "capital_impairment",
        "ok": "no",
        "msgid": "Full capital impairment in fiscal year %(y)d (equity %(e)s).",
        "params": {"y": 2025, "e": -120_000_000},
        "message": "Full capital impairment in fiscal year 2025 (equity KRW -120,000,000).",  # an English officer's
    }
    with translation.override("ko"):
        assert eligibility_text(stored) == "2025 회계연도 완전자본잠식 상태입니다 (자본총계 -120,000,000원)."
    with translation.override("en"):
        assert (
            eligibility_text(stored)
            == "Full capital impairment in fiscal year 2025 (equity KRW -120,000,000)."
        )
    # Reasons stored by an older version keep their words.
    assert eligibility_text({"ok": "yes", "message": "예전 문장"}) == "예전 문장"


def test_detected_conflicts_are_worded_for_each_reader() -> None:
    from nic1000.rounds.models import Conflict

    c = Conflict(source="detected", kind="shareholding", reason="Declared shareholding relationship")
    with translation.override("ko"):
        assert c.reason_text == "신고된 관계 (지분 보유)"
    assert Conflict(source="detected", kind="affiliation", reason="x").reason_text != "x"
    assert Conflict(source="declared", kind="other", reason="전 직장").reason_text == "전 직장"


def test_assignment_diagnoses_are_translated_from_their_codes() -> None:
    from nic1000.rounds.selection_texts import assignment_diagnosis_text

    details = {"available": 1, "required": 3, "locked": 0}
    with translation.override("ko"):
        text = assignment_diagnosis_text("too_few_evaluators", details, "x: only 1 ... needs 3")
    assert text == "이해충돌이 없고 여력이 있는 평가위원이 1명뿐입니다. 3명이 필요합니다."
    assert assignment_diagnosis_text("new_code", {}, "the optimiser's words") == "the optimiser's words"
