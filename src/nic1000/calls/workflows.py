"""The life of an application to a public call, declared as data.

submitted ──accept (becomes a nomination)──▶ accepted
    ├──reject (with a reason)──▶ rejected
    └──withdraw (the company, while the call is open)──▶ withdrawn
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nic1000.core.roles import Role
from nic1000.core.workflow import Transition, Workflow

SCREENERS = frozenset({Role.MINISTRY_OFFICER})
APPLICANTS = frozenset({Role.COMPANY})
WITHDRAWN = "withdrawn"

APPLICATION = Workflow(
    name="call_application",
    states={
        "submitted": pgettext_lazy("call application state", "Submitted"),
        "accepted": pgettext_lazy("call application state", "Accepted: nominated"),
        "rejected": pgettext_lazy("call application state", "Not accepted"),
        "withdrawn": pgettext_lazy("call application state", "Withdrawn"),
    },
    initial="submitted",
    transitions=(
        Transition("accept", ("submitted",), "accepted", SCREENERS, _("Accept and nominate")),
        Transition("reject", ("submitted",), "rejected", SCREENERS, _("Do not accept"), requires_reason=True),
        Transition("withdraw", ("submitted",), "withdrawn", APPLICANTS, _("Withdraw the application")),
    ),
    final_states=frozenset({"accepted", "rejected", "withdrawn"}),
)
