from django.apps import AppConfig


class DesignationsConfig(AppConfig):
    name = "nic1000.designations"
    label = "designations"
