from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "nic1000.monitoring"
    label = "monitoring"
