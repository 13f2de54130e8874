"""The one error of the early-warning package: callers (the ``ews`` command, the inspections) catch it and
show its message, keeping their previous model."""

from __future__ import annotations


class EarlyWarningError(ValueError):
    """Domain error of the early-warning module (bad data file, bad model file, unusable features...)."""
