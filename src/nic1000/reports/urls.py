from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE_AND_AUDIT, PUBLIC
from nic1000.reports import kpi_views, views

app_name = "reports"
urlpatterns = [
    path("programme/", kpi_views.kpis_designations, name="kpis"),
    path("programme/finance/", kpi_views.kpis_finance, name="kpis_finance"),
    path("programme/monitoring/", kpi_views.kpis_monitoring, name="kpis_monitoring"),
    path("programme/export/all.xlsx", kpi_views.kpis_workbook, name="kpis_workbook"),
    path("programme/export/<slug:slug>.xlsx", kpi_views.kpi_xlsx, name="kpi_xlsx"),
    path("programme/summary/", kpi_views.public_summary, name="public_summary"),
    path("programme/summary/<slug:slug>.xlsx", kpi_views.public_xlsx, name="public_xlsx"),
    path("reports/certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("reports/rounds/<int:pk>.pdf", views.round_pdf, name="round"),
    path("reports/letters/<int:pk>.pdf", views.letter, name="letter"),
    path("reports/risk/<int:pk>.pdf", views.risk_profile, name="risk"),
    path("reports/cases/<int:pk>.pdf", views.case_summary, name="case"),
    path("verify/<str:code>/", views.verify, name="verify"),
]

register_nav("reports:kpis", _("Programme KPIs"), OFFICE_AND_AUDIT)
register_nav("reports:public_summary", _("Programme at a glance"), {PUBLIC})
