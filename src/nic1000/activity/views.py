"""Pages of notifications beyond the list (core): each user's notification settings, and the programme
office's outbox of e-mails. They live here, not in core, because they call activity's services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nic1000.activity.kinds import KINDS
from nic1000.activity.outbox import deliveries_retry, outbox_counts, outbox_deliveries
from nic1000.activity.preferences import notification_settings, notification_settings_save
from nic1000.core.access import login_only, role_required
from nic1000.core.errors import ApplicationError
from nic1000.core.models import NotificationDelivery
from nic1000.core.pagination import list_page
from nic1000.core.roles import OFFICE

SELECT = {"class": "krds-form-select"}


class NotificationSettingsForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of e-mails"), choices=settings.LANGUAGES, widget=forms.Select(SELECT)
    )
    # Check boxes drawn as a grid by the template (name="in_app" / "email", value = the kind's key).
    in_app = forms.MultipleChoiceField(
        label=gettext_lazy("In the app"), required=False, choices=[(k, k) for k in KINDS]
    )
    email = forms.MultipleChoiceField(
        label=gettext_lazy("By e-mail"), required=False, choices=[(k, k) for k in KINDS]
    )


def _settings_page(request: HttpRequest, form: NotificationSettingsForm, status: int = 200) -> HttpResponse:
    groups = notification_settings(request.user)
    if form.is_bound:  # show what was posted, not what is stored
        posted_in_app = set(request.POST.getlist("in_app"))
        posted_email = set(request.POST.getlist("email"))
        for g in groups:
            for s in g.kinds:
                if not s.kind.mandatory:
                    s.in_app, s.email = s.key in posted_in_app, s.key in posted_email
    has_email = bool(getattr(request.user, "email", ""))
    context = {"form": form, "groups": groups, "has_email": has_email}
    return render(request, "core/notification_settings.html", context, status=status)


@login_only
def notification_settings_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"language": getattr(request.user, "language", settings.LANGUAGE_CODE)}
        return _settings_page(request, NotificationSettingsForm(initial=initial))
    form = NotificationSettingsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, form, status=422)
    d = form.cleaned_data
    try:
        notification_settings_save(
            acting_user=request.user, language=d["language"], in_app=d["in_app"], email=d["email"]
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _settings_page(request, form, status=exc.status)
    messages.success(request, _("Your notification settings were saved."))
    return redirect("activity:notification_settings")


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", "—"), *NotificationDelivery.Status.choices],
        widget=forms.Select(SELECT),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", "—"), *((k.key, k.label) for k in KINDS.values())],
        widget=forms.Select(SELECT),
    )


@role_required(OFFICE)
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    status, kind = filters.get("status", ""), filters.get("kind", "")
    page = list_page(outbox_deliveries(status=status, kind=kind), request.GET.get("page"), 50)
    counts = outbox_counts(kind=kind)
    context = {
        "form": form,
        "page_obj": page,
        "counts": [(s, label, counts[s]) for s, label in NotificationDelivery.Status.choices],
        "rows": [(d, KINDS.get(d.notification.kind)) for d in page.rows],
        "failed": counts[NotificationDelivery.Status.FAILED],
    }
    return render(request, "core/outbox.html", context)


@role_required(OFFICE)
@require_POST
def outbox_retry(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("delivery", "")
    delivery_id = int(raw) if raw.isdigit() and raw.isascii() and len(raw) < 18 else None
    if raw and delivery_id is None:
        messages.error(request, _("No such e-mail."))
        return redirect("activity:outbox")
    try:
        n = deliveries_retry(acting_user=request.user, delivery_id=delivery_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("E-mails to be sent again now: %(n)s") % {"n": n})
    return redirect("activity:outbox")
