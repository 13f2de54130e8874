"""Locust scenario for bench/bench_load.py (run from its own virtualenv, never imported by the app or tests).

Three kinds of client, each sending its next request as soon as the last one answered: the public reading a
published selection, a signed-in ministry officer reading the company registry's list, an institution's
system reading its applications through the API. bench_load.py runs each kind on its own (locust's user
class argument) and configures them through the environment.
"""

from __future__ import annotations

import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

ROUND = os.environ["BENCH_LOAD_ROUND"]
SESSIONS = os.environ["BENCH_LOAD_SESSIONS"].split(",")
TOKEN = os.environ["BENCH_LOAD_TOKEN"]


class PublicVisitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def public_selection(self) -> None:
        self.client.get(f"/rounds/{ROUND}/selection/", name="public selection page")


class Officer(FastHttpUser):
    """Signed in already: bench_load.py made one session per client (logging in, a deliberately slow password
    hash, is not what this measures)."""

    wait_time = constant(0)
    sessions = SESSIONS
    next_session = 0

    def on_start(self) -> None:
        Officer.next_session += 1
        self.cookie = f"sessionid={self.sessions[Officer.next_session % len(self.sessions)]}"

    @task
    def company_list(self) -> None:
        with self.client.get(
            "/registry/", name="signed-in company list", headers={"Cookie": self.cookie}, catch_response=True
        ) as r:
            if "/accounts/" in (r.url or "") or r.status_code != 200:
                r.failure("not signed in")


class InstitutionSystem(FastHttpUser):
    wait_time = constant(0)

    @task
    def applications(self) -> None:
        self.client.get(
            "/api/v1/finance/applications",
            headers={"Authorization": f"Bearer {TOKEN}"},
            name="API applications list",
        )
