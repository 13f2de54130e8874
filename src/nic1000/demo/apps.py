from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "nic1000.demo"
    label = "demo"
