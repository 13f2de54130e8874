"""A declined application back to review, when the company's appeal against the refusal is upheld (called by
`appeals.services` in its transaction). The institution that declined reviews it again; its decision fields are
cleared (the state history and the audit trail keep the refusal)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.activity.services import workflow_transition
from nic1000.core.text import text_check
from nic1000.finance.models import Application
from nic1000.finance.services import _check_officer
from nic1000.finance.workflows import APPLICATION


@transaction.atomic
def application_reopen(*, application: Application, reason: str, acting_user: User) -> Application:
    """Fire `reopen` (declined → under review) for an officer of the application's institution; the reason is
    required (the workflow says so)."""
    text_check(reason=reason)
    _check_officer(application, acting_user)
    workflow_transition(
        obj=application,
        workflow=APPLICATION,
        transition="reopen",
        acting_user=acting_user,
        reason=reason,
        extra_changes={"decided_at": None, "updated_at": timezone.now()},
        check_roles=False,  # no page fires it; the officer of the deciding institution was checked above
    )
    application.refresh_from_db()
    return application
