from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "nic1000.rounds"
    label = "rounds"

    def ready(self) -> None:
        from nic1000.core.schedule import register_job

        register_job("rounds.review_reminders", "daily", "nic1000.rounds.tasks.review_reminders_due")
        register_job("rounds.nominations_closing", "daily", "nic1000.rounds.tasks.nominations_closing_due")
