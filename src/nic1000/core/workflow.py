"""Workflows declared as data: states, transitions, who may fire them and what each requires.

Each domain app declares its workflow in its own `workflows.py`; `activity.services.workflow_transition`
is the one place that runs any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db.models import Model
from django.utils.functional import Promise

# A guard returns None when the transition may happen, or a message saying what is missing. It takes the
# workflow's own model (a Round, an Application...), hence Any: a guard of one model is no guard of Model.
Guard = Callable[[Any], "str | None"]
# Labels are shown to users: plain or lazily translated text (gettext_lazy).
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    Label: TypeAlias = StrOrPromise
else:
    Label = str | Promise


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: Label
    guards: tuple[Guard, ...] = ()
    requires_reason: bool = False


@dataclass(frozen=True)
class Workflow:
    name: str
    states: dict[str, Label]  # state -> label
    initial: str
    transitions: tuple[Transition, ...]
    final_states: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"workflow {self.name}: duplicate transition names")
        for t in self.transitions:
            unknown = {*t.sources, t.target} - set(self.states)
            if unknown:
                raise ValueError(f"workflow {self.name}: transition {t.name} uses unknown states {unknown}")
        if self.initial not in self.states:
            raise ValueError(f"workflow {self.name}: unknown initial state {self.initial}")

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise KeyError(name)

    def available(self, state: str, roles: Iterable[str]) -> list[Transition]:
        role_set = set(roles)
        return [t for t in self.transitions if state in t.sources and t.roles & role_set]

    def blockers(self, transition: Transition, obj: Model) -> list[str]:
        return [msg for guard in transition.guards if (msg := guard(obj))]
