from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.activity import views
from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE

app_name = "activity"
urlpatterns = [
    path("notifications/settings/", views.notification_settings_page, name="notification_settings"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/retry/", views.outbox_retry, name="outbox_retry"),
]

register_nav("activity:outbox", _("Outbox"), OFFICE)
