from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE, PROGRAMME_READERS, Role
from nic1000.finance import views

app_name = "finance"
urlpatterns = [
    path("products/", views.products, name="products"),
    path("terms/", views.terms, name="terms"),
    path("apply/", views.apply, name="apply"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/action/", views.application_action, name="application_action"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("book/", views.book, name="book"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.export_xlsx, name="export"),
    path("exposure/<int:company_id>/", views.company_exposure, name="company_exposure"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

register_nav("finance:terms", _("My finance terms"), {Role.COMPANY})
register_nav(
    "finance:application_list",
    _("Finance applications"),
    PROGRAMME_READERS | {Role.COMPANY, Role.INSTITUTION_OFFICER},
)
register_nav("finance:book", _("My institution's book"), {Role.INSTITUTION_OFFICER})
register_nav("finance:dashboard", _("Finance dashboard"), PROGRAMME_READERS)
register_nav("finance:tokens", _("API tokens"), OFFICE)
