from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "nic1000.rounds"
    label = "rounds"
