from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "nic1000.reports"
    label = "reports"
    verbose_name = "Reports"
