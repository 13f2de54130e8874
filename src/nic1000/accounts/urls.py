from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.accounts import views
from nic1000.core.context_processors import register_nav
from nic1000.core.roles import Role

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.twofactor, name="twofactor"),
    path("two-factor/reset/", views.second_factor_reset, name="second_factor_reset"),
    path("settings/", views.program_settings, name="program_settings"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
]

# A word, not an icon: "⚙" alone said nothing to a screen reader and little to anyone else.
register_nav("accounts:program_settings", _("Programme settings"), {Role.PROGRAM_OFFICE})
