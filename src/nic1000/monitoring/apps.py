from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "nic1000.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from nic1000.core.schedule import register_job

        # Daily reminders (idempotent: dedupe keys per recipient, object and period).
        register_job("monitoring.statements_due", "daily", "nic1000.monitoring.tasks.statements_due")
        register_job("monitoring.surveys_due", "daily", "nic1000.monitoring.tasks.surveys_due")
        register_job("monitoring.cases_due", "daily", "nic1000.monitoring.tasks.cases_due")
