from django.contrib import admin
from django.urls import include, path

from nic1000.api import api
from nic1000.core import views as core_views
from nic1000.ops.views import HealthzView

urlpatterns = [
    path("", include("nic1000.home.urls")),
    path("", include("nic1000.core.urls")),
    path("", include("nic1000.activity.urls")),
    path("accounts/", include("nic1000.accounts.urls")),
    path("audit/", include("nic1000.audit.urls")),
    path("registry/", include("nic1000.registry.urls")),
    path("rounds/", include("nic1000.rounds.urls")),
    path("calls/", include("nic1000.calls.urls")),
    path("finance/", include("nic1000.finance.urls")),
    path("monitoring/", include("nic1000.monitoring.urls")),
    path("appeals/", include("nic1000.appeals.urls")),
    path("", include("nic1000.reports.urls")),
    path("search/", include("nic1000.search.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", HealthzView.as_view(), name="healthz"),
]

handler403 = core_views.forbidden
handler404 = core_views.not_found
