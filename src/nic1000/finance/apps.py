from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "nic1000.finance"
    label = "finance"
