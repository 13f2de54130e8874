from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.calls import views
from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE_AND_AUDIT, PUBLIC, Role

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("mine/", views.my_applications, name="mine"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/apply/", views.call_apply, name="apply"),
    path("<int:pk>/applications/", views.call_applications, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/decide/", views.application_decide, name="decide"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]

register_nav(
    "calls:list", _("Public calls"), {PUBLIC, Role.COMPANY, Role.MINISTRY_OFFICER, *OFFICE_AND_AUDIT}
)
register_nav("calls:mine", _("My call applications"), {Role.COMPANY})
