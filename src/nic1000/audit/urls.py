from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.audit import views
from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE_AND_AUDIT

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("verify/", views.verify, name="verify"),
]

register_nav("audit:list", _("Audit trail"), OFFICE_AND_AUDIT, position=0)
