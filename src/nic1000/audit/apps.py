from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "nic1000.audit"
    label = "audit"
    verbose_name = "Audit trail"
