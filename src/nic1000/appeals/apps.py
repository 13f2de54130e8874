from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "nic1000.appeals"
    label = "appeals"
    verbose_name = "Appeals"
