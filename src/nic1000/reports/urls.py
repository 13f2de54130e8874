from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE_AND_AUDIT, PUBLIC
from nic1000.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.kpis_designations, name="kpis"),
    path("finance/", views.kpis_finance, name="kpis_finance"),
    path("monitoring/", views.kpis_monitoring, name="kpis_monitoring"),
    path("export/all.xlsx", views.kpis_workbook, name="kpis_workbook"),
    path("export/<slug:slug>.xlsx", views.kpi_xlsx, name="kpi_xlsx"),
    path("summary/", views.public_summary, name="public_summary"),
    path("summary/<slug:slug>.xlsx", views.public_xlsx, name="public_xlsx"),
]

register_nav("reports:kpis", _("Programme KPIs"), OFFICE_AND_AUDIT)
register_nav("reports:public_summary", _("Programme at a glance"), {PUBLIC})
