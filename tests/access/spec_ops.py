"""Role matrix: operations. /healthz is public (load balancers carry no login)."""

from typing import Any

from tests.access.spec import EVERYONE, Case


def build(world: dict[str, Any]) -> None:
    from nic1000.monitoring.heartbeat import heartbeat_write

    heartbeat_write()  # a live worker, so the health check answers 200


CASES = [Case("healthz", EVERYONE)]
