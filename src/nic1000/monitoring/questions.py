"""The questions monitoring's irreversible actions ask first (`core.confirm`): what a removal or a calibration
change will do, concretely, computed before it is done."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.core.confirm import Confirmation
from nic1000.designations.models import Membership
from nic1000.monitoring import selectors
from nic1000.monitoring.models import RiskCalibration
from nic1000.monitoring.services.risk import CalibrationPreview


def removal(membership: Membership, reason: str) -> Confirmation:
    """What a removal does, concretely, before it is done."""
    after = selectors.removal_consequences(membership=membership)
    on = timezone.localdate().isoformat()
    lines = [
        _("The designation of %(company)s (%(round)s, %(body)s) ends on %(on)s, for the reason: %(reason)s.")
        % {
            "company": membership.company,
            "round": membership.round,
            "body": membership.body,
            "on": on,
            "reason": dict(Membership.RemovalReason.choices).get(reason, reason),
        },
        _(
            "Its policy-finance eligibility ends on that day: institutions no longer see it as a designated company."
        ),
        _("The company's %(reps)s representatives and %(officers)s officers of %(body)s are notified.")
        % {"reps": after.representatives, "officers": after.officers, "body": membership.body},
        _("The place becomes a vacancy for the next round (%(n)s vacancies with this one).")
        % {"n": after.vacancies_after},
    ]
    if after.open_case is not None:
        lines.append(
            _("Its open support case #%(case)s stays open for the support group to close.")
            % {"case": after.open_case.pk}
        )
    return Confirmation(
        title=_("Remove %(company)s from the programme?") % {"company": membership.company},
        consequences=lines,
        action=reverse("monitoring:membership_remove", args=[membership.pk]),
        button=_("Remove"),
        cancel_url=reverse("monitoring:company_detail", args=[membership.company_id]),
    )


def risk_change(preview: CalibrationPreview) -> Confirmation:
    """What a calibration change puts in force, computed before it is made."""
    current = selectors.programme_risk_in_force().current
    before = (
        f"{current.base_rate * 100:.2f}%"
        if current is not None and current.base_rate is not None
        else (_("a refitted map") if current is not None else _("the training sample's base rate"))
    )
    if preview.method == RiskCalibration.Method.REFIT:
        what = _(
            "The probability map is refitted on %(observations)s recorded outcomes with %(events)s distress"
            " events (a=%(a)s, b=%(b)s), replacing %(before)s."
        ) % {
            "observations": preview.observations,
            "events": preview.events,
            "a": f"{preview.a:.3f}",
            "b": f"{preview.b:.3f}",
            "before": before,
        }
    elif preview.method == RiskCalibration.Method.BASE_RATE_ESTIMATED:
        what = _(
            "The programme base rate changes from %(before)s to %(after)s, estimated from %(observations)s"
            " recorded outcomes with %(events)s distress events."
        ) % {
            "before": before,
            "after": f"{(preview.base_rate or 0) * 100:.2f}%",
            "observations": preview.observations,
            "events": preview.events,
        }
    else:
        what = _("The programme base rate changes from %(before)s to %(after)s.") % {
            "before": before,
            "after": f"{(preview.base_rate or 0) * 100:.2f}%",
        }
    return Confirmation(
        title=_("Change the programme's risk calibration?"),
        consequences=[
            what,
            _(
                "Every programme probability and risk grade on the monitoring pages and reports is recomputed with it."
            ),
            _("The support group and the programme office are notified."),
        ],
        action=reverse("monitoring:risk_calibration_change"),
        button=_("Change the calibration"),
        cancel_url=reverse("monitoring:risk_calibration"),
        irreversible=False,
    )
