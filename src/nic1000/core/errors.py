"""Domain errors. Services raise them; views and the API map them to responses in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


@dataclass
class ErrorDetail:
    """One problem: where (field / row / column), what value, what is wrong."""

    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": str(self.message)}
        for key in ("field", "row", "column", "code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.value is not None:
            data["value"] = str(self.value)
        return data


@dataclass
class ApplicationError(Exception):
    """A request that the domain refuses. `code` is stable and machine-readable."""

    message: str
    code: str = "invalid"
    details: list[ErrorDetail] = field(default_factory=list)
    status: int = 400

    def __post_init__(self) -> None:
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "details": [d.as_dict() for d in self.details],
            }
        }


class ValidationFailed(ApplicationError):
    def __init__(
        self, message: str, details: list[ErrorDetail] | None = None, code: str = "validation_failed"
    ) -> None:
        super().__init__(message=message, code=code, details=details or [], status=422)


class NotFound(ApplicationError):
    """Missing and forbidden look the same, so nothing leaks about what exists."""

    def __init__(self, message: str | None = None, code: str = "not_found") -> None:
        super().__init__(message=message or _("Not found."), code=code, status=404)


class Forbidden(ApplicationError):
    def __init__(self, message: str | None = None, code: str = "forbidden") -> None:
        super().__init__(message=message or _("You may not do this."), code=code, status=403)


class Conflict(ApplicationError):
    """The request is valid but the object's state does not allow it now."""

    def __init__(
        self, message: str, code: str = "conflict", details: list[ErrorDetail] | None = None
    ) -> None:
        super().__init__(message=message, code=code, details=details or [], status=409)
