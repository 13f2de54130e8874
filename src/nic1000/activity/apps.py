from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "nic1000.activity"
    label = "activity"
    verbose_name = "Activity"

    def ready(self) -> None:
        from nic1000.core.schedule import register_job

        # Retries come back by themselves (each send task re-enqueues itself for its retry time); the sweep
        # catches what a dead worker or a failed enqueue left behind.
        register_job("activity.email_sweep", "hourly", "nic1000.activity.tasks.deliveries_sweep_due")
