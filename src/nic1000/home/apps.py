from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "nic1000.home"
    label = "home"
    verbose_name = "Home"
