from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "nic1000.rounds"
    label = "rounds"

    def ready(self) -> None:
        from nic1000.core.schedule import register_job

        register_job("rounds.review_reminders", "daily", "nic1000.rounds.tasks.review_reminders_due")
        register_job("rounds.nominations_closing", "daily", "nic1000.rounds.tasks.nominations_closing_due")

        # Ministry officers invite representatives of the companies their body nominated (accounts asks us).
        from nic1000.accounts.selectors import register_nominated_companies
        from nic1000.rounds.selectors import companies_nominated_by

        register_nominated_companies(companies_nominated_by)
