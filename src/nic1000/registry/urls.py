from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.accounts.roles import Role
from nic1000.core.context_processors import register_nav
from nic1000.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.company_list, name="company_list"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_view, name="import"),
    path("import/template/<slug:kind>.xlsx", views.template_download, name="template"),
]

# The core navigation already lists the registry and the import page; registering again is a no-op.
register_nav(
    "registry:company_list",
    _("Registry"),
    {Role.PROGRAM_OFFICE, Role.MINISTRY_OFFICER, Role.AUDITOR, Role.SUPPORT_GROUP},
)
register_nav("registry:import", _("Import"), {Role.PROGRAM_OFFICE})
