"""What the application page asks before an irreversible action and says after it (views only; no writes).

Approving, declining, recording a disbursement and transferring (routing) to another institution cannot be
undone: the first POST shows a `core.confirm` page saying concretely what will happen (amounts in full KRW, and
in so many words when the approval is MORE than the company asked for); the confirmed POST runs the service and
`done_message` says what was done."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nic1000.core.confirm import Confirmation
from nic1000.core.money import krw
from nic1000.finance.models import Application

CONFIRM_ACTIONS = frozenset({"approve", "decline", "disburse", "transfer"})


def _krw(amount: int | None) -> str:
    return krw(amount, get_language() or "ko")


def names(app: Application) -> dict[str, str]:
    return {"number": str(app), "company": app.company.name_ko, "institution": app.institution.code}


def _approve(app: Application, d: dict[str, Any]) -> tuple[str, list[str], str]:
    n = {**names(app), "amount": _krw(d["amount"]), "requested": _krw(app.amount_requested)}
    lines = [_("%(institution)s approves %(amount)s for %(number)s (requested: %(requested)s).") % n]
    if d["amount"] > app.amount_requested:
        lines.append(
            _(
                "This is MORE than the company asked for: %(amount)s approved against %(requested)s "
                "requested (%(extra)s more)."
            )
            % {**n, "extra": _krw(d["amount"] - app.amount_requested)}
        )
    elif d["amount"] < app.amount_requested:
        lines.append(_("This is less than the %(requested)s the company asked for.") % n)
    terms = []
    if d.get("rate_pct") is not None:
        terms.append(_("rate %(rate)s%%") % {"rate": d["rate_pct"]})
    if d.get("guarantee_ratio_pct") is not None:
        terms.append(_("guarantee ratio %(ratio)s%%") % {"ratio": d["guarantee_ratio_pct"]})
    terms.append(_("maturity %(months)s months") % {"months": d["maturity_months"]})
    lines.append(_("Terms: %(terms)s.") % {"terms": ", ".join(terms)})
    return _("Approve %(number)s for %(company)s?") % n, lines, _("Approve")


def _decline(app: Application, d: dict[str, Any]) -> tuple[str, list[str], str]:
    n = names(app)
    lines = [
        _("%(number)s from %(company)s is declined; this ends the application.") % n,
        _("The reason sent to the company: %(reason)s") % {"reason": d["reason"]},
    ]
    return _("Decline %(number)s?") % n, lines, _("Decline")


def _disburse(app: Application, d: dict[str, Any]) -> tuple[str, list[str], str]:
    n = {**names(app), "amount": _krw(d["amount"]), "on": d["on"].isoformat()}
    lines = [_("%(amount)s is recorded as paid out to %(company)s on %(on)s.") % n]
    remaining = int(app.approved_amount or 0) - app.disbursed_total - int(d["amount"])
    if remaining == 0:
        lines.append(_("This pays out the whole approved amount: the application is completed."))
    elif remaining > 0:
        lines.append(
            _("%(remaining)s of the approved amount remains to pay out.") % {"remaining": _krw(remaining)}
        )
    return _("Record a disbursement of %(amount)s on %(number)s?") % n, lines, _("Record the disbursement")


def _transfer(app: Application, d: dict[str, Any]) -> tuple[str, list[str], str]:
    n = {**names(app), "to": d["institution"].code}
    lines = [
        _("%(number)s moves from %(institution)s to %(to)s; your institution will no longer see it.") % n,
        _("Its limit is worked out again for %(to)s's product.") % n,
        _("%(to)s's officers are notified.") % n,
    ]
    return _("Transfer %(number)s to %(to)s?") % n, lines, _("Transfer")


_ASK = {"approve": _approve, "decline": _decline, "disburse": _disburse, "transfer": _transfer}


def confirmation_for(name: str, app: Application, data: dict[str, Any]) -> Confirmation:
    title, lines, button = _ASK[name](app, data)
    if name != "transfer":
        lines.append(_("The company's representatives are notified."))
    url = reverse("finance:application_detail", kwargs={"pk": app.pk})
    return Confirmation(
        title=title,
        consequences=lines,
        action=reverse("finance:application_action", kwargs={"pk": app.pk}),
        button=button,
        cancel_url=url,
    )


def done_message(name: str, app: Application, data: dict[str, Any], *, was: dict[str, str]) -> str:
    """What was done, after the service ran (`app` as it is now, `was` its `names` before)."""
    n = {**was, "amount": _krw(data.get("amount"))}
    if name == "approve":
        return _("%(institution)s approved %(amount)s for %(number)s; the company was notified.") % n
    if name == "decline":
        return _("%(institution)s declined %(number)s; the company was notified.") % n
    if name == "disburse":
        return _("%(amount)s paid out on %(number)s is recorded; the company was notified.") % n
    if name == "transfer":
        return _("%(number)s was transferred to %(to)s; its officers were notified.") % {
            **n,
            "to": app.institution.code,
        }
    if name == "request_info":
        return _("The request for information on %(number)s was sent; the company was notified.") % n
    if name == "reply":
        return _("Your answer on %(number)s was sent to %(institution)s.") % n
    if name == "repay":
        return _("%(amount)s repaid on %(number)s is recorded.") % n
    if name == "withdraw":
        return _("%(number)s was withdrawn.") % n
    return _("Review of %(number)s started.") % n
