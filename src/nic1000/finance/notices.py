"""Who is told what about a finance application. Called by the services inside their transactions, so a
decision made on a page and one made through the institutions' API tell the same people the same thing.

Titles and bodies are English msgids (gettext_noop) worded when read; amounts go in as digits with separators
("1,800,000,000") and the msgid says the currency ("KRW %(amount)s", 원 in Korean), so each reader sees them in
their own language."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.core.roles import Role
from nic1000.finance.models import Application, Disbursement

TEXT_PARAM_MAX = 500  # a request or reason quoted in a notification is cut here (the page has all of it)


def officers(institution_id: int) -> QuerySet[User]:
    return User.objects.filter(role=Role.INSTITUTION_OFFICER, institution_id=institution_id, is_active=True)


def representatives(company_id: int) -> QuerySet[User]:
    return User.objects.filter(role=Role.COMPANY, company_id=company_id, is_active=True)


def amount(value: int | None) -> str:
    """Whole won with thousands separators, without the currency (the msgid carries it)."""
    return f"{int(value or 0):,}"


def _link(app: Application) -> str:
    return reverse("finance:application_detail", kwargs={"pk": app.pk})


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_PARAM_MAX else text[: TEXT_PARAM_MAX - 1] + "…"


def _base(app: Application) -> dict[str, str | int]:
    return {
        "number": str(app),
        "company": app.company.name_ko,
        "institution": app.institution.code,
        "requested": amount(app.amount_requested),
    }


def routed(app: Application, *, transferred_from: str = "") -> int:
    """The receiving institution's officers: a new application (Center routing or direct) or one transferred
    to them by another institution."""
    params = _base(app)
    if transferred_from:
        params["from"] = transferred_from
        title = gettext_noop("%(from)s transferred finance application %(number)s from %(company)s to you")
    elif app.channel == Application.Channel.CENTER:
        title = gettext_noop("The Center routed finance application %(number)s from %(company)s to you")
    else:
        title = gettext_noop("New finance application %(number)s from %(company)s")
    return notify(
        recipients=officers(app.institution_id),
        kind="finance.routed",
        title=title,
        body=gettext_noop("Requested: KRW %(requested)s. Open the application to review it."),
        params=params,
        link=_link(app),
    )


def info_requested(app: Application, message: str) -> int:
    return notify(
        recipients=representatives(app.company_id),
        kind="finance.info_requested",
        title=gettext_noop("%(institution)s asks for information on finance application %(number)s"),
        body=gettext_noop("What is needed: %(message)s"),
        params={**_base(app), "message": _quote(message)},
        link=_link(app),
    )


def info_answered(app: Application) -> int:
    return notify(
        recipients=officers(app.institution_id),
        kind="finance.info_answered",
        title=gettext_noop("%(company)s answered your information request on %(number)s"),
        body=gettext_noop("The application is back under review."),
        params=_base(app),
        link=_link(app),
    )


def approved(app: Application) -> int:
    return notify(
        recipients=representatives(app.company_id),
        kind="finance.approved",
        title=gettext_noop("%(institution)s approved KRW %(amount)s for finance application %(number)s"),
        body=gettext_noop("Requested: KRW %(requested)s; approved: KRW %(amount)s."),
        params={**_base(app), "amount": amount(app.approved_amount)},
        link=_link(app),
        dedupe_key=f"finance-approved-{app.pk}",
    )


def declined(app: Application) -> int:
    return notify(
        recipients=representatives(app.company_id),
        kind="finance.declined",
        title=gettext_noop("%(institution)s declined finance application %(number)s"),
        body=gettext_noop("The reason given: %(reason)s"),
        params={**_base(app), "reason": _quote(app.decline_reason)},
        link=_link(app),
        dedupe_key=f"finance-declined-{app.pk}",
    )


def disbursed(app: Application, disbursement: Disbursement) -> int:
    return notify(
        recipients=representatives(app.company_id),
        kind="finance.disbursed",
        title=gettext_noop("%(institution)s paid out KRW %(amount)s on finance application %(number)s"),
        body=gettext_noop("Paid on %(on)s; KRW %(total)s of the KRW %(approved)s approved is paid out."),
        params={
            **_base(app),
            "amount": amount(disbursement.amount),
            "on": disbursement.on.isoformat(),
            "total": amount(app.disbursed_total),
            "approved": amount(app.approved_amount),
        },
        link=_link(app),
        dedupe_key=f"finance-disbursed-{disbursement.pk}",
    )


def repayment_due(app: Application, *, due: dt.date) -> int:
    """Once per application and due date, however often the daily job runs."""
    return notify(
        recipients=representatives(app.company_id),
        kind="finance.repayment_due",
        title=gettext_noop("Finance application %(number)s falls due on %(due)s"),
        body=gettext_noop("KRW %(outstanding)s is outstanding with %(institution)s, due on %(due)s."),
        params={**_base(app), "due": due.isoformat(), "outstanding": amount(app.outstanding)},
        link=_link(app),
        dedupe_key=f"finance-due-{app.pk}-{due.isoformat()}",
    )
