"""The programme office's decision on a half-yearly re-evaluation (issue 15.3): continue the designation, or
remove the company through the one removal path (`removals.membership_remove`, which frees the body's place for
its next round). The filing and the decision's record are `designations.reevaluations`."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, ValidationFailed
from nic1000.core.roles import OFFICE
from nic1000.designations.models import Reevaluation
from nic1000.designations.reevaluations import reevaluation_decision_record
from nic1000.monitoring.services.removals import membership_remove


@transaction.atomic
def reevaluation_decide(
    *, reevaluation: Reevaluation, decision: str, note: str, acting_user: User, reason: str = ""
) -> Reevaluation:
    """Continue or remove (with one of the removal reasons); all or nothing."""
    require_role(acting_user, OFFICE, message=_("Only the programme office decides."))
    if reevaluation.decision:
        raise Conflict(_("The re-evaluation is already decided."), code="already_decided")
    if not note.strip():
        raise ValidationFailed(
            _("Explain the decision."), [ErrorDetail(message=_("Explain the decision."), field="note")]
        )
    if decision == Reevaluation.Decision.REMOVE:
        membership_remove(
            membership=reevaluation.membership, reason=reason, note=note, acting_user=acting_user
        )
    return reevaluation_decision_record(
        reevaluation=reevaluation, decision=decision, note=note, acting_user=acting_user
    )
