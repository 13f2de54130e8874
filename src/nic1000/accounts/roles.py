"""The programme's roles. Anonymous visitors are the public."""

from __future__ import annotations

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


PUBLIC = "public"  # the anonymous role in access specs

# Roles that work inside the programme (may enrol TOTP; the programme office can require it).
STAFF_ROLES = frozenset(
    {
        Role.PROGRAM_OFFICE,
        Role.MINISTRY_OFFICER,
        Role.EVALUATOR,
        Role.INSTITUTION_OFFICER,
        Role.SUPPORT_GROUP,
        Role.AUDITOR,
    }
)
ALL_ROLES = tuple(Role)
