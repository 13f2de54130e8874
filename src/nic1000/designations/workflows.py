"""A designation's life, as data: designated → (under re-evaluation ⇄ designated) → removed or expired.

The codes are the `Membership.status` values ("active" is designated, "ended" is expired). Moved only through
`activity.services.workflow_transition` (state history and audit): filing a re-evaluation
(`designations.reevaluations.reevaluation_file`), the office's decision (continue here, removal through
monitoring's `membership_remove` → `designations.services.designation_remove`), and the daily expiry job.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nic1000.core.roles import OFFICE, Role
from nic1000.core.workflow import Transition, Workflow

LIVE = ("active", "under_reevaluation")

MEMBERSHIP = Workflow(
    name="membership",
    states={
        "active": _("Designated"),
        "under_reevaluation": _("Under re-evaluation"),
        "removed": _("Removed"),
        "ended": _("Expired"),
    },
    initial="active",
    transitions=(
        Transition(
            "reevaluate",
            ("active",),
            "under_reevaluation",
            frozenset({Role.MINISTRY_OFFICER}),
            _("File the re-evaluation"),
        ),
        Transition("continue", ("under_reevaluation",), "active", OFFICE, _("Continue the designation")),
        Transition("remove", LIVE, "removed", OFFICE, _("Remove the company"), requires_reason=True),
        # An upheld appeal against the removal (appeals) gives the designation back, its end date unchanged.
        Transition("reinstate", ("removed",), "active", OFFICE, _("Reinstate the designation")),
        # The daily job (no user) ends designations past their end date.
        Transition("expire", LIVE, "ended", OFFICE, _("End the designation period")),
    ),
    final_states=frozenset({"ended"}),
)
