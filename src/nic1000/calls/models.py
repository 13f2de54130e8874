"""Public calls (공모): a nominating body invites companies to apply; accepted applications become nominations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nic1000.calls.workflows import APPLICATION
from nic1000.rounds.selection_texts import eligibility_text


class Call(models.Model):
    round = models.ForeignKey("rounds.Round", on_delete=models.PROTECT, related_name="calls")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("who may apply"), blank=True)
    bonus = models.TextField(_("bonus items"), blank=True)
    # One required document per line ("사업계획서", "특허 등록원부"): each must be uploaded to apply.
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="call_opens_before_closing", condition=models.Q(opens_at__lt=models.F("closes_at"))
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: object = None) -> bool:
        at = now or timezone.now()
        return bool(self.opens_at <= at < self.closes_at)  # type: ignore[operator]


class CallApplication(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    company = models.ForeignKey(
        "registry.Company", on_delete=models.PROTECT, related_name="call_applications"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    statement = models.TextField(_("why this company"))
    # The self-check at submission: eligibility reasons from the registry, as the rounds app words them.
    self_check = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=20, choices=list(APPLICATION.states.items()), default=APPLICATION.initial, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    nomination = models.OneToOneField(
        "rounds.Nomination", null=True, blank=True, on_delete=models.SET_NULL, related_name="call_application"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["call", "company"], name="one_application_per_call")]

    def __str__(self) -> str:
        return f"{self.company} · {self.call}"

    @property
    def state_label(self) -> str:
        return str(APPLICATION.states.get(self.state, self.state))

    @property
    def self_check_texts(self) -> list[dict[str, str]]:
        """The self-check's reasons in the reader's language."""
        return [{"ok": str(r.get("ok", "")), "message": eligibility_text(r)} for r in self.self_check or []]


class CallDocument(models.Model):
    application = models.ForeignKey(CallApplication, on_delete=models.CASCADE, related_name="documents")
    requirement = models.CharField(max_length=200)
    file = models.FileField(upload_to="calls/%Y/")  # MEDIA_ROOT: never served; downloaded through a view
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)  # core.filetypes key, judged by content
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["application_id", "id"]
