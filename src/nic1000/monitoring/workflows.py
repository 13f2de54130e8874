"""The support case workflow, as data: open → in progress → resolved / closed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nic1000.core.roles import MONITORING_ACTORS
from nic1000.core.workflow import Transition, Workflow

CASE_WORKFLOW = Workflow(
    name="support_case",
    states={
        "open": pgettext_lazy("support case state", "Open"),
        "in_progress": _("In progress"),
        "resolved": _("Resolved"),
        "closed": _("Closed"),
    },
    initial="open",
    transitions=(
        Transition("start", ("open",), "in_progress", MONITORING_ACTORS, _("Start work")),
        Transition(
            "resolve",
            ("open", "in_progress"),
            "resolved",
            MONITORING_ACTORS,
            _("Resolve"),
            requires_reason=True,
        ),
        Transition(
            "close",
            ("open", "in_progress", "resolved"),
            "closed",
            MONITORING_ACTORS,
            _("Close"),
            requires_reason=True,
        ),
        Transition(
            "reopen", ("resolved",), "in_progress", MONITORING_ACTORS, _("Reopen"), requires_reason=True
        ),
    ),
    final_states=frozenset({"closed"}),
)
ACTIVE_STATES = ("open", "in_progress")
