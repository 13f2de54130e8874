"""/healthz: public JSON for load balancers, 200 when every check passes, else 503."""

from __future__ import annotations

import asyncio
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.views import HealthCheckView


class HealthzView(HealthCheckView):  # type: ignore[misc]
    checks = (
        "nic1000.ops.health.Database",
        "nic1000.ops.health.MigrationsApplied",
        "nic1000.ops.health.WorkerHeartbeat",
    )

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(c.get_result(executor) for c in self.get_checks()))
        checks = {
            type(r.check).__name__: {
                "ok": r.error is None,
                "error": str(r.error.message) if r.error else None,
            }
            for r in self.results
        }
        healthy = all(c["ok"] for c in checks.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
        )
