"""Template tags of the round pages: `{% round_nav round %}`, the links a reader has on a round."""

from __future__ import annotations

from typing import Any

from django import template

from nic1000.core.access import has_role
from nic1000.core.roles import OFFICE, OFFICE_AND_AUDIT, Role
from nic1000.rounds.models import Round
from nic1000.rounds.workflows import RoundAction, round_allows

register = template.Library()


def _own_body_code(user: Any) -> str:
    """A ministry officer's body code (its committee page), else ""."""
    if user is not None and has_role(user, {Role.MINISTRY_OFFICER}) and user.body_id:
        return str(user.body.code)
    return ""


@register.inclusion_tag("rounds/_nav.html", takes_context=True)
def round_nav(context: template.Context, round: Round) -> dict[str, Any]:
    user = context.get("user")
    return {
        "round": round,
        "show": {
            "nominate": has_role(user, {Role.MINISTRY_OFFICER}),
            "nominations": has_role(user, OFFICE_AND_AUDIT | {Role.MINISTRY_OFFICER}),
            "evaluation": has_role(user, OFFICE_AND_AUDIT),
            "configuration": has_role(user, OFFICE),
            "publication": round_allows(round, RoundAction.SHOW_PUBLICATION),
            "committees": has_role(user, OFFICE_AND_AUDIT),
            "own_body": _own_body_code(user),
        },
    }
