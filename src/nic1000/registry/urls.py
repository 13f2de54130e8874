from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE, REGISTRY_READERS
from nic1000.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.company_list, name="company_list"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_view, name="import"),
    path("import/template/<slug:kind>.xlsx", views.template_download, name="template"),
]

# First in the menu (the audit trail registers itself before this module is imported).
register_nav("registry:company_list", _("Registry"), REGISTRY_READERS, position=0)
register_nav("registry:import", _("Import"), OFFICE, position=1)
