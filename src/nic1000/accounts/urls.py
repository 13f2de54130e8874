from django.urls import path

from nic1000.accounts import views
from nic1000.core.context_processors import register_nav
from nic1000.core.roles import Role

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.twofactor, name="twofactor"),
    path("settings/", views.program_settings, name="program_settings"),
]

register_nav("accounts:program_settings", "⚙", {Role.PROGRAM_OFFICE})
