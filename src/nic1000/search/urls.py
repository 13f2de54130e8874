from django.urls import path

from nic1000.search import views

app_name = "search"
urlpatterns = [path("", views.search, name="search")]
