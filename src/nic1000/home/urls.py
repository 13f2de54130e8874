from django.urls import path

from nic1000.home import views

app_name = "home"
urlpatterns = [path("", views.home, name="home")]
