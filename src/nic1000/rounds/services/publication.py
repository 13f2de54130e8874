"""Publication: freeze the selection, make the selected companies members, tell the companies (selected or
not) and each nominating body its results."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.activity.services import workflow_transition
from nic1000.audit.services import audit_record
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict
from nic1000.core.roles import OFFICE
from nic1000.designations.services import DesignationEntry, designation_end, designations_create
from nic1000.rounds.models import Candidacy, Publication, PublishedSelection, Round
from nic1000.rounds.services import notices
from nic1000.rounds.workflows import ROUND, RoundAction, require_round_allows, round_allows


def _already_published() -> Conflict:
    return Conflict(
        _("This round has already been published; its selection is frozen."), code="already_published"
    )


def round_publish(*, round: Round, acting_user: User) -> Publication:
    """Publish the round's selection exactly once.

    The round row is locked (select_for_update) before anything is read, so of two officers publishing at
    the same moment one waits and then finds the round published; the unique Publication per round is the
    database's second line of defence. Either way the loser gets a clear Conflict and nothing changes."""
    require_role(acting_user, OFFICE)
    try:
        with transaction.atomic():
            rnd = Round.objects.select_for_update().get(pk=round.pk)
            if (
                round_allows(rnd, RoundAction.SHOW_PUBLICATION)
                or Publication.objects.filter(round=rnd).exists()
            ):
                raise _already_published()
            require_round_allows(rnd, RoundAction.PUBLISH)
            publication = _publish_locked(rnd=rnd, acting_user=acting_user)
    except IntegrityError:
        raise _already_published() from None
    round.state, round.published_at = rnd.state, publication.published_at
    return publication


def _freeze(publication: Publication, selected: list[Candidacy]) -> None:
    """The published rows: one per selected company, written once, with every nominating body's code."""
    rows = [
        PublishedSelection(
            publication=publication,
            round=publication.round,
            candidacy=c,
            company=c.company,
            company_name=c.company.name_ko,
            body=c.lead_body,
            bodies=",".join(sorted({n.body.code for n in c.nominations.all()})),
            sector=c.sector,
            region=c.company.region,
            rank=c.rank or i + 1,
            score=c.score,
        )
        for i, c in enumerate(selected)
    ]
    PublishedSelection.objects.bulk_create(rows, batch_size=1000)


def _publish_locked(*, rnd: Round, acting_user: User) -> Publication:
    now = timezone.now()
    workflow_transition(
        obj=rnd,
        workflow=ROUND,
        transition="publish",
        acting_user=acting_user,
        extra_changes={"published_at": now},
    )
    candidacies = list(
        Candidacy.objects.filter(round=rnd)
        .select_related("company", "lead_body")
        .prefetch_related("nominations__body")
        .order_by("rank", "id")
    )
    selected = [c for c in candidacies if c.selected]
    publication = Publication.objects.create(
        round=rnd, published_by=acting_user, published_at=now, selected_count=len(selected)
    )
    _freeze(publication, selected)
    audit_record(
        actor=acting_user,
        action="publication.create",
        obj=publication,
        changes={"selected_count": {"before": None, "after": len(selected)}},
    )
    designations_create(
        round_id=rnd.pk,
        entries=[
            DesignationEntry(
                company_id=c.company_id,
                company_name=c.company.name_ko,
                body_id=c.lead_body_id,
                sector=c.sector,
            )
            for c in selected
        ],
        selected_on=timezone.localdate(now),
        acting_user=acting_user,
        ends_on=designation_end(selected_on=timezone.localdate(now), years=rnd.program.designation_years),
    )
    notices.tell_published(rnd, candidacies)
    return publication
