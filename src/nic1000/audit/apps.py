from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "nic1000.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.core import checks

        from nic1000.audit.keys import check_audit_key

        checks.register(check_audit_key)
