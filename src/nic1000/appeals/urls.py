from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.appeals import views
from nic1000.appeals.selectors import QUEUE_READERS
from nic1000.core.context_processors import register_nav
from nic1000.core.roles import Role

app_name = "appeals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("file/<str:kind>/<int:pk>/", views.file_appeal, name="file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("windows/", views.windows, name="windows"),
]

register_nav("appeals:mine", _("My appeals"), {Role.COMPANY})
register_nav("appeals:queue", _("Appeals"), QUEUE_READERS)
