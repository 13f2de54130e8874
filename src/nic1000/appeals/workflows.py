"""The life of an appeal, declared as data.

filed ──start_review──▶ under_review ──uphold──▶ upheld (the decision is reopened)
  │                          └────────dismiss──▶ dismissed
  └──withdraw (the company, while filed or under review)──▶ withdrawn

The roles here are who may ever fire a transition; which body decides a given appeal (the programme office, or
the officers of the institution that refused) is checked by `appeals.services` (`deciding_body_check`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.utils.translation import gettext_lazy, pgettext_lazy

from nic1000.core.roles import Role
from nic1000.core.workflow import Transition, Workflow

_ = cast(Callable[[str], str], gettext_lazy)

DECIDERS = frozenset({Role.PROGRAM_OFFICE, Role.INSTITUTION_OFFICER})
COMPANY = frozenset({Role.COMPANY})

APPEAL = Workflow(
    name="appeal",
    states={
        "filed": cast(str, pgettext_lazy("appeal state", "Filed")),
        "under_review": cast(str, pgettext_lazy("appeal state", "Under review")),
        "upheld": cast(str, pgettext_lazy("appeal state", "Upheld")),
        "dismissed": cast(str, pgettext_lazy("appeal state", "Dismissed")),
        "withdrawn": cast(str, pgettext_lazy("appeal state", "Withdrawn")),
    },
    initial="filed",
    transitions=(
        Transition("start_review", ("filed",), "under_review", DECIDERS, _("Start the review")),
        Transition(
            "uphold",
            ("under_review",),
            "upheld",
            DECIDERS,
            _("Uphold the appeal"),
            requires_reason=True,
        ),
        Transition(
            "dismiss",
            ("under_review",),
            "dismissed",
            DECIDERS,
            _("Dismiss the appeal"),
            requires_reason=True,
        ),
        Transition("withdraw", ("filed", "under_review"), "withdrawn", COMPANY, _("Withdraw the appeal")),
    ),
    final_states=frozenset({"upheld", "dismissed", "withdrawn"}),
)

DECISIONS = ("uphold", "dismiss")


def state_label(state: str) -> str:
    return str(APPEAL.states.get(state, state))
