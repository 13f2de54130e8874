from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nic1000.core"
    label = "core"
    verbose_name = "Core"
