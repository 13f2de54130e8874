from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "nic1000.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from nic1000.ops import logging

        request_started.connect(logging.request_started, dispatch_uid="nic1000.ops.request_id")
        request_finished.connect(logging.request_finished, dispatch_uid="nic1000.ops.request_id")
