from django.urls import path

from nic1000.audit import views

app_name = "audit"
urlpatterns = [path("", views.audit_list, name="list")]
