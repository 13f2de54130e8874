"""Every PDF document rendered, its text read back from the bytes and compared with the database; the PDFs are
kept in test-artifacts/pdfs/. Korean text must come out as Korean (an embedded Noto Sans CJK KR font, no
replacement characters)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from nic1000.core.identifiers import brn_format
from nic1000.designations.services import designation_remove
from nic1000.reports import certificates, finance_letter, profiles, round_report
from nic1000.rounds import selectors as rounds_selectors
from nic1000.rounds.models import Candidacy, PublishedSelection, Quota, Review
from tests.finance.factories import make_application
from tests.reports.conftest import after, keep
from tests.reports.pdftext import PdfText
from tests.rounds.factories import make_round

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[가-힣]")


def assert_korean(text: PdfText) -> None:
    assert text.fonts and all("Noto-Sans-CJK-KR" in f for f in text.fonts), text.fonts
    assert "\ufffd" not in text.text  # every glyph maps back to a character
    assert HANGUL.search(text.text)


# ---------------------------------------------------------------- round report


def test_round_report_numbers_match_the_database(selected_round: Any) -> None:
    rnd = selected_round
    text = keep("round-report.pdf", round_report.round_report_pdf(round=rnd))
    assert_korean(text)
    runs = [r for page in text.pages for r in page]
    cands = list(Candidacy.objects.filter(round=rnd).select_related("company", "lead_body"))
    selected = [c for c in cands if c.selected]
    assert len(selected) == 3
    # Summary figures.
    summary = round_report.round_report(round=rnd).counts
    assert summary["candidacies"] == len(cands) == 6
    assert summary["reviews"] == Review.objects.filter(assignment__round=rnd).count() == 18
    assert str(len(cands)) in runs and str(summary["reviews"]) in runs
    # Per body: candidacies, eligible, selected, each in its own cell after the body's name.
    for code in ("MSS", "MOTIE"):
        mine = [c for c in cands if c.lead_body.code == code]
        label = f"{code} · {mine[0].lead_body.name_ko}"
        assert after(runs, label, 3) == [
            str(len(mine)),
            str(sum(c.eligible for c in mine)),
            str(sum(bool(c.selected) for c in mine)),
        ]
    # Every selected company with its score, as stored.
    for c in selected:
        assert c.company.name_ko in runs
        assert brn_format(c.company.brn) in runs
        assert f"{c.score:.2f}" in runs
    # Flagged disagreements, if any, are listed with their spread (six panels are too few to judge: none here).
    flagged = [c for c in cands if c.disagreement]
    assert all(f"{c.spread:.1f}" in runs for c in flagged)
    # Quotas: the total is binding at 3.
    total = Quota.objects.get(round=rnd, family="total")
    assert total.max_count == 3
    quota_rows = round_report.round_report(round=rnd).quotas
    assert {q.key: q.binding for q in quota_rows}[""] == "both"
    # The committee's note.
    assert any("위원회 의결" in r for r in runs)
    # Reliability per body, as stored with the run.
    quality = round_report.round_report(round=rnd).quality
    assert {b.body for b in quality.reliability} == {"MSS", "MOTIE"}
    # Six candidacies are too few for alpha: the report says so rather than guess.
    assert quality.reliability_overall is None
    assert rounds_selectors.selection_quality(round=rnd).alpha.band == "not_computed"  # type: ignore[union-attr]
    # The figures are the ones stored with the selection run (one definition with the results page).
    stored = rounds_selectors.selection_quality(round=rnd)
    assert stored is not None and quality.reliability_overall == stored.alpha.alpha
    assert [(b.body, b.alpha) for b in quality.reliability] == [
        (a.label, a.alpha) for a in stored.alpha_by_body
    ]
    effects = [e for e in rounds_selectors.evaluator_effects(round=rnd) if e.effect is not None]
    assert sorted(e.reviews for e in quality.leniency) == sorted(e.n_reviews for e in effects)
    # The cut-off is the lowest score selected on merit.
    assert quality.cutoff_score == pytest.approx(min(c.score for c in selected if not c.forced))
    # The agenda: every candidacy selected in 10–90% of the resamples, with its probability in the PDF.
    agenda = [
        c for c in cands if c.selection_probability is not None and 0.1 <= c.selection_probability <= 0.9
    ]
    assert {r.company for r in quality.near_cutoff} == {c.company.name_ko for c in agenda}
    for c in agenda:
        assert f"{c.selection_probability * 100:.1f}%" in runs
    # Weight sensitivity: one row per criterion and direction, as stored.
    assert len(quality.sensitivity) == len(stored.sensitivity) > 0
    assert all(x.criterion in runs for x in quality.sensitivity)
    assert text.page_count >= 2


def test_round_report_prefers_published_rows_label_and_charts_are_svg(selected_round: Any) -> None:
    report = round_report.round_report(round=selected_round)
    assert not report.published
    assert PublishedSelection.objects.filter(round=selected_round).count() == 0
    for chart in (report.by_body_chart, report.criteria_chart, report.bodies_chart, report.histogram_chart):
        assert chart.startswith("<svg") and "<script" not in chart


def test_round_report_of_an_empty_round_renders(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, number=7)
    text = keep("round-report-empty.pdf", round_report.round_report_pdf(round=rnd))
    assert text.page_count >= 1
    assert rnd.name in text.text
    assert_korean(text)


# ---------------------------------------------------------------- certificate and verification


def test_certificate_shows_the_designation_and_its_code(personas: Any) -> None:
    from tests.monitoring.factories import member

    m = member(personas.company_a_obj, body="MSS")
    text = keep(
        "certificate.pdf", certificates.certificate_pdf(membership=m, site_url="https://nic1000.example")
    )
    assert_korean(text)
    runs = [r for page in text.pages for r in page]
    assert text.page_count == 1
    assert personas.company_a_obj.name_ko in text.text
    assert brn_format(personas.company_a_obj.brn) in runs
    assert m.body.name_ko in runs and m.round.name in runs
    assert m.selected_on.isoformat() in runs
    assert m.certificate_code in runs and len(m.certificate_code) == 20
    assert any(f"https://nic1000.example/verify/{m.certificate_code}/" in r for r in runs)


def test_codes_are_distinct_and_verification_follows_the_designation(personas: Any) -> None:
    from tests.monitoring.factories import member

    a = member(personas.company_a_obj, body="MSS")
    b = member(personas.company_b_obj, body="MOTIE")
    assert a.certificate_code != b.certificate_code
    ok = certificates.verify_code(a.certificate_code.lower())
    assert ok.status == "valid" and ok.company_name == personas.company_a_obj.name_ko
    assert ok.brn_masked.endswith(personas.company_a_obj.brn[-2:]) and "***" in ok.brn_masked
    designation_remove(
        membership=a, reason="weak_marketability", note="재평가 결과", on=dt.date(2026, 6, 1),
        acting_user=personas.program_office,
    )  # fmt: skip
    gone = certificates.verify_code(a.certificate_code)
    assert gone.status == "removed" and gone.ended_on == dt.date(2026, 6, 1) and not gone.valid
    assert certificates.verify_code("A" * 20).status == "unknown"
    assert certificates.verify_code("../../etc").status == "unknown"


# ---------------------------------------------------------------- finance letters


def test_approval_letter_states_the_terms(personas: Any) -> None:
    app = make_application(
        personas.company_a_obj, state="approved", approved_amount=800_000_000, approved_rate_pct="3.25",
        approved_maturity_months=36, decided_at=timezone.now(),
    )  # fmt: skip
    text = keep("letter-approved.pdf", finance_letter.letter_pdf(application=app))
    assert_korean(text)
    runs = [r for page in text.pages for r in page]
    assert "800,000,000원" in runs and "1,000,000,000원" in runs  # approved and requested (the PDF is Korean)
    assert "3.25%" in runs
    assert str(app) in text.text


def test_decline_letter_gives_the_reasons(personas: Any) -> None:
    app = make_application(
        personas.company_a_obj, state="declined", decline_reason="상환능력 부족: 부채비율 과다",
        decided_at=timezone.now(),
    )  # fmt: skip
    text = keep("letter-declined.pdf", finance_letter.letter_pdf(application=app))
    assert "상환능력 부족: 부채비율 과다" in text.text
    assert "800,000,000원" not in text.text


def test_no_letter_before_the_decision(personas: Any) -> None:
    app = make_application(personas.company_a_obj, state="under_review")
    assert not finance_letter.has_letter(app)


# ---------------------------------------------------------------- risk profile and case summary


def test_risk_profile_ratios_results_and_actions(monitored_company: Any) -> None:
    company, _m, case = monitored_company
    text = keep("risk-profile.pdf", profiles.risk_pdf(company=company))
    assert_korean(text)
    runs = [r for page in text.pages for r in page]
    for s in company.statements.all():
        assert str(s.fiscal_year) in runs
        assert f"{s.total_liabilities / s.equity * 100:.1f}%" in runs
        assert f"{s.profit_on_operating_activities / s.sales * 100:.1f}%" in runs
    for r in company.inspections.all():
        assert (
            r.period in runs and f"{r.probability * 100:.1f}%" in runs
        )  # the model probability, with its grade
    assert "대표이사 면담: 만기연장 필요" in runs
    assert f"#{case.pk}" in runs


def test_case_summary_history(monitored_company: Any) -> None:
    _company, _m, case = monitored_company
    text = keep("case-summary.pdf", profiles.case_pdf(case=case))
    assert_korean(text)
    assert "대표이사 면담: 만기연장 필요" in text.text
    assert "운전자금 부족" in text.text
    assert case.opened_from is not None and case.opened_from.period in text.text
