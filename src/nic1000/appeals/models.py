"""Appeals (이의신청): a company objects to a decision about it — its candidacy not selected in a published
round, its candidacy found ineligible, its designation removed, or an institution's refusal of its finance
application — within a window set per kind of decision (`AppealWindow`), with reasons and documents. The body
that made the decision decides the appeal (`appeals.workflows`); an upheld appeal reopens the decision
(`appeals.services`). Written only through `appeals.services`."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_WINDOW_DAYS = 30
OPEN_STATES = ("filed", "under_review")


class DecisionKind(models.TextChoices):
    NON_SELECTION = "non_selection", _("Not selected in a round")
    INELIGIBILITY = "ineligibility", _("Candidacy found ineligible")
    REMOVAL = "removal", _("Designation removed")
    REFUSAL = "refusal", _("Finance application declined")


class PrivateStorage(FileSystemStorage):
    """Appeal documents: kept under APPEALS_FILES_DIR (default DATA_DIR/private/appeals), outside anything served
    statically; read only through the download page, which checks who may see the appeal. The location is read
    from the settings on every use (tests point it at a temporary directory)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(getattr(settings, "APPEALS_FILES_DIR", settings.DATA_DIR / "private" / "appeals"))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("appeal documents are never served by URL; use the download page")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


class AppealWindow(models.Model):
    """How many days after a decision its appeal may be filed, per kind of decision (missing rows: 30 days).
    Set by the programme office on the appeals settings page (`appeal_window_set`, audited)."""

    kind = models.CharField(_("Decision"), max_length=20, choices=DecisionKind.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("Days to appeal"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind"]


class Appeal(models.Model):
    """One appeal against one decision. Exactly one of candidacy / membership / application is set, by kind.
    States (`appeals.workflows.APPEAL`): filed → under_review → upheld / dismissed; withdrawn by the company."""

    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("Decision"), max_length=20, choices=DecisionKind.choices, db_index=True)
    candidacy = models.ForeignKey(
        "rounds.Candidacy", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    membership = models.ForeignKey(
        "designations.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    application = models.ForeignKey(
        "finance.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    # The deciding body: the institution for a refusal, else the programme office (institution null).
    institution = models.ForeignKey(
        "registry.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20, default="filed", db_index=True)
    reasons = models.TextField(_("Reasons"))
    decision_at = models.DateTimeField()  # when the appealed decision was made (the window starts)
    deadline = models.DateTimeField()  # the end of the window the appeal was filed in
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(db_index=True)
    outcome_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the upheld appeal reopened, as codes and ids ({"effect": "rescoring", "assignment_id": 12}).
    reopened = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "candidacy"],
                condition=models.Q(state__in=OPEN_STATES, candidacy__isnull=False),
                name="one_open_appeal_per_candidacy_decision",
            ),
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(state__in=OPEN_STATES, membership__isnull=False),
                name="one_open_appeal_per_removal",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(state__in=OPEN_STATES, application__isnull=False),
                name="one_open_appeal_per_refusal",
            ),
            models.CheckConstraint(
                name="appeal_has_one_decision",
                condition=(
                    models.Q(
                        kind__in=["non_selection", "ineligibility"],
                        candidacy__isnull=False,
                        membership__isnull=True,
                        application__isnull=True,
                    )
                    | models.Q(
                        kind="removal",
                        candidacy__isnull=True,
                        membership__isnull=False,
                        application__isnull=True,
                    )
                    | models.Q(
                        kind="refusal",
                        candidacy__isnull=True,
                        membership__isnull=True,
                        application__isnull=False,
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["company", "state"]), models.Index(fields=["institution", "state"])]

    def __str__(self) -> str:
        return f"A-{self.pk:05d}" if self.pk else "A-new"

    @property
    def target_id(self) -> int:
        return int(self.candidacy_id or self.membership_id or self.application_id or 0)


class AppealDocument(models.Model):
    """A document attached to an appeal: PDF, PNG, JPEG or XLSX by its content, bounded in size, stored
    privately."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(storage=private_storage, upload_to="%Y/%m/", max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["appeal_id", "id"]

    def __str__(self) -> str:
        return self.name
