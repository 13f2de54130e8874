from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nic1000.accounts"
    label = "accounts"
    verbose_name = "Accounts"
