from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class OpsConfig(AppConfig):
    name = "nic1000.ops"
    label = "ops"
    default = True  # this module also holds StaticFilesConfig
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from nic1000.ops import logging

        request_started.connect(logging.request_started, dispatch_uid="nic1000.ops.request_id")
        request_finished.connect(logging.request_finished, dispatch_uid="nic1000.ops.request_id")


class StaticFilesConfig(BaseStaticFilesConfig):
    """django.contrib.staticfiles, leaving out the vendor packages' sources, type stubs and source maps."""

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "*.d.ts",
        "*.map",
        "*.scss",
        "scss",
        "cdn",
        "ext",
        "*.cjs",
        "*.mjs",
        "*.esm.js",
        "*.amd.js",
        "*.gz",
    ]
