from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.accounts import people, views
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
    # people: the programme office's user administration, invitations
    path("users/", people.user_list, name="users"),
    path("users/<int:pk>/", people.user_detail, name="user_detail"),
    path("users/<int:pk>/deactivate/", people.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", people.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/role/", people.user_role_change, name="user_role_change"),
    path(
        "users/<int:pk>/two-factor-reset/", people.user_second_factor_reset, name="user_second_factor_reset"
    ),
    path("invitations/new/", people.invite, name="invite"),
    path("invitations/company/<int:company_pk>/", people.invite_company, name="invite_company"),
    path("invitations/<int:pk>/resend/", people.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", people.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", people.invitation_accept, name="invitation_accept"),
]

register_nav("accounts:users", _("Users"), {Role.PROGRAM_OFFICE})
# A word, not an icon: "⚙" alone said nothing to a screen reader and little to anyone else.
register_nav("accounts:program_settings", _("Programme settings"), {Role.PROGRAM_OFFICE})
