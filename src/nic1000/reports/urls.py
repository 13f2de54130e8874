from django.urls import path

from nic1000.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("reports/rounds/<int:pk>.pdf", views.round_pdf, name="round"),
    path("reports/letters/<int:pk>.pdf", views.letter, name="letter"),
    path("reports/risk/<int:pk>.pdf", views.risk_profile, name="risk"),
    path("reports/cases/<int:pk>.pdf", views.case_summary, name="case"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
