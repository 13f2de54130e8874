from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "nic1000.rounds"
    label = "rounds"

    def ready(self) -> None:
        # Ministry officers invite representatives of the companies their body nominated (accounts asks us).
        from nic1000.accounts.selectors import register_nominated_companies
        from nic1000.rounds.selectors import companies_nominated_by

        register_nominated_companies(companies_nominated_by)
