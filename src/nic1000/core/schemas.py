"""API schemas shared by every router: the one error body."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorOut(Schema):
    """`{"error": {"code", "message", "details"}}`: every 4xx answer of the API."""

    error: ErrorBody
