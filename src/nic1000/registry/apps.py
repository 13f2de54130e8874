from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "nic1000.registry"
    label = "registry"
    verbose_name = "Company registry"
