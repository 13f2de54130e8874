from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "nic1000.calls"
    label = "calls"
    verbose_name = "Calls"
