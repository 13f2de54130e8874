from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from nic1000.core.access import login_only
from nic1000.core.models import Notification
from nic1000.core.pagination import paginate


@login_only
def notifications(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient_id=request.user.pk, in_app=True).order_by(
        "-created_at", "-id"
    )
    page = paginate(items, request.GET.get("page"), 50)
    return render(request, "core/notifications.html", {"items": page, "page_obj": page})


@login_only
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Scoped by recipient: another user's notification is simply not found.
    item = get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    return redirect(item.link or "core:notifications")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)
