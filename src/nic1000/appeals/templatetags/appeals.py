"""`{{ appeal.state|appeal_state }}`: an appeal's state by its label, never its code."""

from __future__ import annotations

from django import template

from nic1000.appeals.workflows import state_label

register = template.Library()


@register.filter
def appeal_state(state: str) -> str:
    return state_label(state)
