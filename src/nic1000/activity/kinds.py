"""Every kind of notification, declared once: its key (stored on each notification), its label (the
preferences page and the outbox), its group, and whether a user may switch its channels off.

`notify(kind=...)` refuses a kind that is not here, so a new workflow event is added to this table first.
Keys are stable (stored rows carry them); the older ones keep their short spelling."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

IN_APP = "in_app"
EMAIL = "email"
CHANNELS = (IN_APP, EMAIL)


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    group: Promise
    # Security notices (password, second factor, invitation) reach the user whatever their preferences say.
    mandatory: bool = False


_ACCOUNT = pgettext_lazy("notification group", "Account")
_ROUNDS = pgettext_lazy("notification group", "Nominations and evaluation")
_SELECTION = pgettext_lazy("notification group", "Selection and designation")
_CALLS = pgettext_lazy("notification group", "Public calls")
_FINANCE = pgettext_lazy("notification group", "Policy finance")
_MONITORING = pgettext_lazy("notification group", "Monitoring and support")
_APPEALS = pgettext_lazy("notification group", "Appeals")
_REGISTRY = pgettext_lazy("notification group", "Company records")

KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        # accounts
        Kind("account", _("Account security"), _ACCOUNT, mandatory=True),
        Kind("account.changed", _("Role, binding or access changed"), _ACCOUNT, mandatory=True),
        # rounds: nominations and evaluation
        Kind("round.nominations_open", _("Nomination window opened"), _ROUNDS),
        Kind("round.nominations_closing", _("Nomination window closing"), _ROUNDS),
        Kind("round.nomination_changed", _("Nomination edited or withdrawn"), _ROUNDS),
        Kind("round.ineligible", _("Candidacy found ineligible"), _ROUNDS),
        Kind("round.assigned", _("Evaluation assigned"), _ROUNDS),
        Kind("round.unassigned", _("Evaluation unassigned"), _ROUNDS),
        Kind("round.review_due", _("Review deadline near"), _ROUNDS),
        Kind("round.review_late", _("Review deadline passed"), _ROUNDS),
        Kind("round.committee_decided", _("A body's committee decided its list"), _ROUNDS),
        # selection, designation
        Kind("round.selected", _("Company selected"), _SELECTION),
        Kind("round.not_selected", _("Company not selected"), _SELECTION),
        Kind("round.results", _("Results for a nominating body"), _SELECTION),
        Kind("designation.reevaluation_due", _("Re-evaluation due"), _SELECTION),
        Kind("designation.reevaluated", _("Re-evaluation decided"), _SELECTION),
        Kind("designation.expiring", _("Designation ending"), _SELECTION),
        Kind("designation.removed", _("Designation removed"), _SELECTION),
        # public calls
        Kind("call.opened", _("Public call opened"), _CALLS),
        Kind("call.application_received", _("Call application received"), _CALLS),
        Kind("call.application_decided", _("Call application decided"), _CALLS),
        # policy finance
        Kind("finance.routed", _("Finance application received"), _FINANCE),
        Kind("finance.info_requested", _("Information requested"), _FINANCE),
        Kind("finance.info_answered", _("Information request answered"), _FINANCE),
        Kind("finance.approved", _("Finance approved"), _FINANCE),
        Kind("finance.declined", _("Finance declined"), _FINANCE),
        Kind("finance.disbursed", _("Loan disbursed"), _FINANCE),
        Kind("finance.repayment_due", _("Repayment due"), _FINANCE),
        # monitoring and support
        Kind("inspection", _("Inspection results"), _MONITORING),
        Kind("monitoring.statement_due", _("Financial statements due"), _MONITORING),
        Kind("statement_missing", _("Financial statements overdue"), _MONITORING),
        Kind("monitoring.survey_due", _("Survey due"), _MONITORING),
        Kind("monitoring.survey_overdue", _("Survey overdue"), _MONITORING),
        Kind("monitoring.warning", _("Early warning raised"), _MONITORING),
        Kind("monitoring.case_opened", _("Support case opened"), _MONITORING),
        Kind("monitoring.case_assigned", _("Support case assigned"), _MONITORING),
        Kind("monitoring.case_due", _("Support case due"), _MONITORING),
        Kind("monitoring.risk_calibration", _("Risk calibration changed"), _MONITORING),
        # appeals
        Kind("appeal.filed", _("Appeal filed"), _APPEALS),
        Kind("appeal.decided", _("Appeal decided"), _APPEALS),
        # registry
        Kind("registry.profile_changed", _("Company profile changed"), _REGISTRY),
    )
}


def kind(key: str) -> Kind:
    """The declared kind; a key not in the table is a programming error."""
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"notification kind {key!r} is not declared in activity.kinds") from None
