"""Shared tables: workflow state history, notifications (in-app, their e-mail deliveries, each user's channel
preferences), programme-wide settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class StateChange(models.Model):
    """One transition of a workflow-driven object (round, application, case...). Written only by
    `nic1000.activity.services.workflow_transition`, so time-in-state can be measured for any of them."""

    workflow = models.CharField(max_length=50)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    transition = models.CharField(max_length=50)
    from_state = models.CharField(max_length=50)
    to_state = models.CharField(max_length=50)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]
        ordering = ["at", "id"]


class Notification(models.Model):
    """An in-app message to one user (companies are told about selection, missing statements...)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField()
    kind = models.CharField(max_length=50)
    # The English msgids (gettext_noop) and their %(name)s values: shown in the reader's language
    # (`title_text`, `body_text`), so a notification written by a background task is never stuck in English.
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True, null=True)  # null: rows inserted by raw SQL
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Lets a sender notify idempotently (same key, same recipient: one notification).
    dedupe_key = models.CharField(max_length=120, blank=True)
    # False when the recipient switched the in-app channel off for this kind but still gets it by e-mail: the
    # row carries the e-mail's text and is not listed on the notifications page.
    in_app = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]
        ordering = ["-created_at", "-id"]

    def _in_language(self, msgid: str) -> str:
        if not msgid:
            return ""
        text = gettext(msgid)
        if not self.params:
            return text
        try:
            return str(text % self.params)
        except (KeyError, TypeError, ValueError):
            return gettext(msgid)

    @property
    def title_text(self) -> str:
        return self._in_language(self.title)

    @property
    def body_text(self) -> str:
        return self._in_language(self.body)


class NotificationPreference(models.Model):
    """One user's channels for one kind of notification (`activity.kinds`). No row: every channel on.
    Mandatory kinds (security notices) reach the user whatever the row says."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=50)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]


class NotificationDelivery(models.Model):
    """A notification sent on one outside channel (e-mail), one row per notification and channel.

    Claimed by a conditional update (status and due time) before it is sent, so two workers never send it
    twice; a failure is retried with a growing delay until `NIC1000_EMAIL_MAX_ATTEMPTS`, then stays failed
    (`next_attempt_at` empty) until the programme office retries it from the outbox (`activity.delivery`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("delivery status", "Queued")
        SENDING = "sending", pgettext_lazy("delivery status", "Sending")
        SENT = "sent", pgettext_lazy("delivery status", "Sent")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")
        SKIPPED = "skipped", pgettext_lazy("delivery status", "Skipped")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    to_address = models.EmailField(max_length=254)
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it may be (re)tried; while sending, when the claim lapses (a worker that died mid-send). Empty once
    # sent, skipped or finally failed.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notification_delivery_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["-created_at", "-id"], name="notification_delivery_recent"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.to_address} #{self.notification_id}"


class ProgramSetting(models.Model):
    """Programme-wide switches set by the programme office (a single row)."""

    require_staff_2fa = models.BooleanField(
        default=False, verbose_name=_("Require two-factor authentication for staff roles")
    )
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> ProgramSetting:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ScheduledRun(models.Model):
    """One run of a scheduled job in one slot (a day or an hour). The unique row is the claim: however many
    workers check the schedule, one of them runs the job for that slot (`core.schedule.run_due_jobs`)."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=20)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once")]
        ordering = ["-started_at", "-id"]
