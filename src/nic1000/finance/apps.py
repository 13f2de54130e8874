from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "nic1000.finance"
    label = "finance"

    def ready(self) -> None:
        from nic1000.core.schedule import register_job

        register_job("finance.repayment_due", "daily", "nic1000.finance.tasks.repayment_due")
