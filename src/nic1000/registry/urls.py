from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE, REGISTRY_READERS
from nic1000.registry import profile_views, views

app_name = "registry"
urlpatterns = [
    path("", views.company_list, name="company_list"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("export.xlsx", views.export, name="export"),
    # a company's own record, edited by its representative
    path("companies/<int:pk>/edit/", profile_views.company_edit, name="company_edit"),
    path("companies/<int:pk>/patents/new/", profile_views.patent_add, name="patent_add"),
    path("companies/<int:pk>/patents/<int:item>/", profile_views.patent_edit, name="patent_edit"),
    path("companies/<int:pk>/patents/<int:item>/remove/", profile_views.patent_remove, name="patent_remove"),
    path("companies/<int:pk>/technologies/new/", profile_views.technology_add, name="technology_add"),
    path(
        "companies/<int:pk>/technologies/<int:item>/", profile_views.technology_edit, name="technology_edit"
    ),
    path(
        "companies/<int:pk>/technologies/<int:item>/remove/",
        profile_views.technology_remove,
        name="technology_remove",
    ),
    path("import/", views.import_view, name="import"),
    path("import/template/<slug:kind>.xlsx", views.template_download, name="template"),
]

# First in the menu (the audit trail registers itself before this module is imported).
register_nav("registry:company_list", _("Registry"), REGISTRY_READERS, position=0)
register_nav("registry:import", _("Import"), OFFICE, position=1)
