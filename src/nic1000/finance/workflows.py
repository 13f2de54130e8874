"""The life of a policy-finance application, declared as data.

submitted ──start_review──▶ under_review ──request_info──▶ info_requested ──reply──▶ under_review
    │                           │                                │
    ├──approve / decline────────┴──approve / decline─────────────┴──decline
    ├──transfer (to another institution: back to submitted there)
    └──withdraw (the company)
declined ──reopen (an upheld appeal: back to review at the same institution)──▶ under_review
approved ──disburse (first money)──▶ disbursing ──complete (approved amount fully paid)──▶ completed
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nic1000.core.roles import Role
from nic1000.core.workflow import Transition, Workflow

OFFICER = frozenset({Role.INSTITUTION_OFFICER})
COMPANY = frozenset({Role.COMPANY, Role.PROGRAM_OFFICE})
OPEN_STATES = ("submitted", "under_review", "info_requested")

APPLICATION = Workflow(
    name="finance_application",
    states={
        "submitted": pgettext_lazy("application state", "Submitted"),
        "under_review": _("Under review"),
        "info_requested": _("Information requested"),
        "approved": _("Approved"),
        "declined": _("Declined"),
        "withdrawn": _("Withdrawn"),
        "disbursing": _("Disbursing"),
        "completed": _("Completed"),
    },
    initial="submitted",
    transitions=(
        Transition("start_review", ("submitted",), "under_review", OFFICER, _("Start review")),
        Transition(
            "request_info",
            ("submitted", "under_review"),
            "info_requested",
            OFFICER,
            _("Request information"),
            requires_reason=True,
        ),
        Transition("reply", ("info_requested",), "under_review", COMPANY, _("Send the information")),
        Transition("approve", ("submitted", "under_review"), "approved", OFFICER, _("Approve")),
        Transition("decline", OPEN_STATES, "declined", OFFICER, _("Decline"), requires_reason=True),
        Transition(
            "transfer",
            OPEN_STATES,
            "submitted",
            OFFICER,
            _("Transfer to another institution"),
            requires_reason=True,
        ),
        Transition("withdraw", OPEN_STATES, "withdrawn", COMPANY, _("Withdraw")),
        Transition("disburse", ("approved",), "disbursing", OFFICER, _("Record the first disbursement")),
        Transition("complete", ("disbursing",), "completed", OFFICER, _("Complete")),
        # No page offers it (no role): only `finance.reopening.application_reopen` fires it, for an officer of the
        # institution that declined, when the company's appeal against the refusal is upheld.
        Transition(
            "reopen",
            ("declined",),
            "under_review",
            frozenset(),
            _("Back to review after an upheld appeal"),
            requires_reason=True,
        ),
    ),
    final_states=frozenset({"declined", "withdrawn", "completed"}),
)

# The funnel the dashboard shows: applied → approved → disbursed.
APPROVED_STATES = ("approved", "disbursing", "completed")
DISBURSED_STATES = ("disbursing", "completed")
