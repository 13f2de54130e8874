import datetime as dt
from decimal import Decimal

import pytest

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic1000.core.models import StateChange
from nic1000.designations.models import Membership
from nic1000.finance import selectors, services
from nic1000.finance.models import Application, Disbursement
from tests.factories import CoreTechnologyFactory, UserFactory, institution
from tests.finance.factories import product, select

pytestmark = pytest.mark.django_db


def _submit(personas, **kw):  # type: ignore[no-untyped-def]
    args = {
        "company": personas.company_a_obj,
        "acting_user": personas.company_a,
        "purpose": "operating",
        "amount": 1_000_000_000,
        "channel": "center",
    }
    args.update(kw)
    return services.application_submit(**args)


def test_terms_show_preferential_limit_and_rate(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    rows = {r.product.code: r for r in selectors.terms_for_company(company_id=personas.company_a_obj.pk)}
    kdb = rows["KDB-OPER"]
    assert kdb.eligible
    assert kdb.quote.limit_krw == 6_000_000_000  # 60% of estimated sales
    assert kdb.quote.base_limit_krw == 5_000_000_000
    assert kdb.quote.rate_pct == Decimal("3.50")  # 4.50 - 1.0 pp
    kodit = rows["KODIT-GUAR"].quote
    assert kodit.limit_krw == 5_000_000_000 and kodit.guarantee_ratio_pct == Decimal("95.00")
    assert kodit.fee_pct == Decimal("0.80")
    assert not rows["KEXIM-EXPORT"].eligible  # no export performance stated
    assert not rows["KIBO-GUAR"].eligible  # not a technology company
    rows = {
        r.product.code: r
        for r in selectors.terms_for_company(
            company_id=personas.company_a_obj.pk,
            estimated_sales=20_000_000_000,
            export_performance=3_000_000_000,
        )
    }
    assert rows["KEXIM-EXPORT"].quote.limit_krw == 3_000_000_000  # 100% of export performance
    assert rows["KDB-OPER"].quote.limit_krw == 12_000_000_000


def test_unselected_company_gets_base_terms_only(personas, products) -> None:  # type: ignore[no-untyped-def]
    rows = selectors.terms_for_company(company_id=personas.company_b_obj.pk, estimated_sales=10_000_000_000)
    assert all(not r.eligible for r in rows)


def test_center_routing_assigns_lead_and_says_why(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=20_000_000_000)
    small = _submit(personas, amount=1_000_000_000)
    assert small.institution.code == "IBK" and "IBK" in small.routing_reason
    big = _submit(personas, amount=4_000_000_000)
    assert big.institution.code == "KDB"
    g = _submit(personas, purpose="guarantee", amount=1_000_000_000)
    assert g.institution.code == "KODIT"
    CoreTechnologyFactory(company=personas.company_a_obj)
    g2 = _submit(personas, purpose="guarantee", amount=1_000_000_000)
    assert g2.institution.code == "KIBO"
    x = _submit(personas, purpose="export", amount=1_000_000_000, export_performance=2_000_000_000)
    assert x.institution.code == "KEXIM"
    inv = _submit(personas, purpose="investment", amount=1_000_000_000)
    assert inv.institution.code == "KGF"
    assert AuditEntry.objects.filter(action="finance_application.submit").count() == 6


def test_amount_above_limit_is_refused_and_nothing_changes(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as e:
        _submit(personas, channel="direct", product=product("KDB-OPER"), amount=6_000_000_001)
    assert e.value.code == "amount_above_limit"
    assert Application.objects.count() == 0 and AuditEntry.objects.count() == before
    # The limit counts what is already asked for on the same product.
    _submit(personas, channel="direct", product=product("KDB-OPER"), amount=4_000_000_000)
    with pytest.raises(ValidationFailed):
        _submit(personas, channel="direct", product=product("KDB-OPER"), amount=2_500_000_000)


def test_company_not_selected_or_no_longer_active(personas, products) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as e:
        _submit(personas)
    assert e.value.code == "not_selected"
    m = select(personas.company_a_obj)
    Membership.objects.filter(pk=m.pk).update(status="removed")
    with pytest.raises(ValidationFailed) as e:
        _submit(personas)
    assert e.value.code == "not_selected"
    assert Application.objects.count() == 0


def test_company_applies_only_for_itself(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_b_obj)
    with pytest.raises(Forbidden):
        _submit(personas, company=personas.company_b_obj)
    with pytest.raises(Forbidden):
        _submit(personas, acting_user=personas.institution_kdb)


def test_full_path_review_info_approve_disburse_repay(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    app = _submit(personas, channel="direct", product=product("KDB-OPER"), amount=3_000_000_000)
    kdb = personas.institution_kdb
    services.application_start_review(application=app, acting_user=kdb)
    services.application_request_info(
        application=app, acting_user=kdb, message="최근 수주 계약서를 보내 주세요"
    )
    assert app.state == "info_requested"
    services.application_reply(application=app, acting_user=personas.company_a, reply="첨부합니다")
    assert app.state == "under_review"
    with pytest.raises(ValidationFailed) as e:
        services.application_approve(
            application=app,
            acting_user=kdb,
            amount=7_000_000_000,
            rate_pct=Decimal("3.5"),
            maturity_months=36,
        )
    assert e.value.code == "amount_above_limit"
    services.application_approve(
        application=app, acting_user=kdb, amount=3_000_000_000, rate_pct=Decimal("3.5"), maturity_months=36
    )
    assert app.state == "approved" and app.approved_amount == 3_000_000_000
    services.disbursement_record(
        application=app, acting_user=kdb, amount=1_000_000_000, on=dt.date(2021, 6, 1)
    )
    assert app.state == "disbursing" and app.disbursed_total == 1_000_000_000
    with pytest.raises(ValidationFailed):
        services.disbursement_record(
            application=app, acting_user=kdb, amount=2_500_000_000, on=dt.date(2021, 6, 2)
        )
    services.disbursement_record(
        application=app, acting_user=kdb, amount=2_000_000_000, on=dt.date(2021, 7, 1)
    )
    assert app.state == "completed"
    services.repayment_record(application=app, acting_user=kdb, amount=500_000_000, on=dt.date(2022, 1, 1))
    with pytest.raises(ValidationFailed):
        services.repayment_record(
            application=app, acting_user=kdb, amount=2_600_000_000, on=dt.date(2022, 2, 1)
        )
    rows = selectors.exposure_for_company(company_id=personas.company_a_obj.pk)
    assert len(rows) == 1
    r = rows[0]
    assert (r.institution_code, r.product_kind) == ("KDB", "operating")
    assert (r.approved, r.disbursed, r.repaid, r.outstanding) == (3e9, 3e9, 5e8, 2.5e9)
    totals = selectors.program_totals()
    assert totals.cases == 1 and totals.companies == 1 and totals.loans_krw == 3_000_000_000
    assert totals.guarantees_krw == 0 and totals.total_krw == 3_000_000_000
    transitions = list(
        StateChange.objects.filter(object_type="finance.application", object_id=str(app.pk)).values_list(
            "transition", flat=True
        )
    )
    assert transitions == ["start_review", "request_info", "reply", "approve", "disburse", "complete"]
    history = selectors.application_history(application=app)
    assert history[-1].to_state == "completed"
    tis = {r["state"]: r for r in selectors.time_in_state()}
    assert tis["under_review"]["stays"] == 2 and tis["submitted"]["stays"] == 1


def test_decision_in_wrong_state_changes_nothing(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj)
    app = _submit(personas)
    ibk = personas.institution_ibk
    services.application_decline(application=app, acting_user=ibk, reason="신용등급 부족")
    count = AuditEntry.objects.count()
    with pytest.raises(Conflict) as e:
        services.application_approve(
            application=app, acting_user=ibk, amount=1, rate_pct=Decimal("4"), maturity_months=12
        )
    assert e.value.code == "invalid_state"
    with pytest.raises(Conflict):
        services.disbursement_record(application=app, acting_user=ibk, amount=1, on=dt.date(2021, 1, 1))
    app.refresh_from_db()
    assert app.state == "declined" and app.approved_amount is None
    assert AuditEntry.objects.count() == count and not Disbursement.objects.exists()


def test_decline_needs_a_reason(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj)
    app = _submit(personas)
    with pytest.raises(ValidationFailed):
        services.application_decline(application=app, acting_user=personas.institution_ibk, reason=" ")
    app.refresh_from_db()
    assert app.state == "submitted"


def test_officer_of_another_institution_cannot_act(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj)
    app = _submit(personas)  # routed to IBK
    with pytest.raises(NotFound):
        services.application_start_review(application=app, acting_user=personas.institution_kdb)
    with pytest.raises(Forbidden):
        services.application_start_review(application=app, acting_user=personas.program_office)
    assert [a.pk for a in selectors.application_list(user=personas.institution_kdb)] == []
    assert [a.pk for a in selectors.application_list(user=personas.institution_ibk)] == [app.pk]
    assert [a.pk for a in selectors.application_list(user=personas.company_b)] == []


def test_transfer_moves_to_another_institution(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj, sales=10_000_000_000)
    app = _submit(personas)  # IBK
    services.application_transfer(
        application=app,
        acting_user=personas.institution_ibk,
        institution=institution("KDB"),
        reason="대형 시설 연계",
    )
    assert app.institution.code == "KDB" and app.product.code == "KDB-OPER" and app.state == "submitted"
    assert app.limit_krw == 6_000_000_000
    services.application_start_review(application=app, acting_user=personas.institution_kdb)
    with pytest.raises(ValidationFailed):
        services.application_transfer(
            application=app, acting_user=personas.institution_kdb, institution=institution("KGF"), reason="x"
        )


def test_guarantee_approval_needs_ratio(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj)
    app = _submit(personas, purpose="guarantee")
    kodit = UserFactory(username="kodit", role="institution_officer", institution=institution("KODIT"))
    with pytest.raises(ValidationFailed) as e:
        services.application_approve(
            application=app, acting_user=kodit, amount=1_000_000_000, maturity_months=12
        )
    assert e.value.code == "guarantee_ratio_required"
    services.application_approve(
        application=app,
        acting_user=kodit,
        amount=1_000_000_000,
        guarantee_ratio_pct=Decimal("95"),
        maturity_months=12,
    )
    assert selectors.program_totals().guarantees_krw == 1_000_000_000


def test_withdraw_by_company(personas, products) -> None:  # type: ignore[no-untyped-def]
    select(personas.company_a_obj)
    app = _submit(personas)
    services.application_withdraw(application=app, acting_user=personas.company_a)
    assert app.state == "withdrawn"
