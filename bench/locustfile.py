"""Locust scenario for bench/bench_load.py (run from its own virtualenv, never imported by the app or tests).

Three kinds of client, each sending its next request as soon as the last one answered: the public reading a
published selection, a signed-in ministry officer reading the company registry's list, an institution's
system reading its applications through the API. bench_load.py runs each kind on its own (locust's user
class argument) and configures them through the environment.
"""

from __future__ import annotations

import os
import re

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

ROUND = os.environ["BENCH_LOAD_ROUND"]
USERNAME = os.environ["BENCH_LOAD_USERNAME"]
PASSWORD = os.environ["BENCH_LOAD_PASSWORD"]
TOKEN = os.environ["BENCH_LOAD_TOKEN"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PublicVisitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def public_selection(self) -> None:
        self.client.get(f"/rounds/{ROUND}/selection/", name="public selection page")


class Officer(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login (setup)")
        match = CSRF.search(page.text or "")
        token = match.group(1) if match else ""
        with self.client.post(
            "/accounts/login/",
            data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login (setup)",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in (response.url or ""):
                response.failure("login refused")

    @task
    def company_list(self) -> None:
        with self.client.get("/registry/", name="signed-in company list", catch_response=True) as r:
            if "/accounts/" in (r.url or ""):
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
