from django.apps import AppConfig


class DesignationsConfig(AppConfig):
    name = "nic1000.designations"
    label = "designations"

    def ready(self) -> None:
        from nic1000.core.schedule import register_job

        register_job("designations.expire", "daily", "nic1000.designations.tasks.designations_expire_due")
