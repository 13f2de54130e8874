from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "nic1000.ops"
    label = "ops"
    verbose_name = "Operations"
