"""The programme's roles and the named sets of them that pages and services check.

One vocabulary for authorisation: a page says `@role_required(roles.PROGRAMME_READERS)`, a service says
`require_role(acting_user, roles.OFFICE)`. Which rows of a permitted kind a user sees is decided by the
`access_*` selectors of each app (their ministry, institution or company). Anonymous visitors are the public.
"""

from __future__ import annotations

from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAM_OFFICE = "program_office", _("Programme office (FSC)")
    MINISTRY_OFFICER = "ministry_officer", _("Ministry officer")
    EVALUATOR = "evaluator", _("Expert evaluator")
    INSTITUTION_OFFICER = "institution_officer", _("Institution officer")
    COMPANY = "company", _("Company representative")
    SUPPORT_GROUP = "support_group", _("Support group member")
    AUDITOR = "auditor", _("Auditor")


class Actor(Protocol):
    """What the lower layers (audit, activity) need of whoever acts: a signed-in `accounts.User`, or a system
    acting for an organisation (an institution's API token). Domain services take `accounts.User`."""

    @property
    def pk(self) -> object: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


PUBLIC = "public"  # the anonymous role in access specs and navigation

RoleSet = frozenset[str]

ALL_ROLES: RoleSet = frozenset(Role)
# The programme office runs the programme; nobody else changes its settings.
OFFICE: RoleSet = frozenset({Role.PROGRAM_OFFICE})
# The office and the auditors read every round, nomination, review and decision.
OFFICE_AND_AUDIT: RoleSet = frozenset({Role.PROGRAM_OFFICE, Role.AUDITOR})
# Read every company's finance and monitoring data across the programme (not bound to one organisation).
PROGRAMME_READERS: RoleSet = frozenset({Role.PROGRAM_OFFICE, Role.AUDITOR, Role.SUPPORT_GROUP})
# Act on monitoring: inspections, support cases, removals.
MONITORING_ACTORS: RoleSet = frozenset({Role.PROGRAM_OFFICE, Role.SUPPORT_GROUP})
# See monitoring pages: programme readers, and ministry officers for the companies their body nominated.
MONITORING_READERS: RoleSet = PROGRAMME_READERS | {Role.MINISTRY_OFFICER}
# Browse the registry: programme readers and ministry officers (companies see only their own page).
REGISTRY_READERS: RoleSet = PROGRAMME_READERS | {Role.MINISTRY_OFFICER}
# Roles that work inside the programme (may enrol TOTP; the programme office can require it).
STAFF_ROLES: RoleSet = ALL_ROLES - {Role.COMPANY}
