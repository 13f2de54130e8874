"""Scale-out: several app processes and several workers against one PostgreSQL agree on rate limits,
idempotency, login throttling, inspection claims and caches, because none of it is kept in one process's memory.

Real processes: two gunicorn servers (one worker each, on free 127.0.0.1 ports) and two `nic1000 worker --batch`
processes, all pointed at this test's database (committed data: a transactional test). PostgreSQL only: SQLite's
test database is not shared by separate processes. Every wait is bounded; every process is killed in teardown.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
RATE_LIMIT = 5
LOGIN_LIMIT = 3
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server_db(reference_data: None) -> str:
    """The DATABASE_URL of this test's (PostgreSQL) database."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database (run with DATABASE_URL=postgres://...)")
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    """Child processes with their output in files; all of them are ended in `stop`."""

    def __init__(self, tmp: Path, database_url: str) -> None:
        self.tmp = tmp
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "nic1000.settings"),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "API_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
            "LOGIN_FAILURE_LIMIT": str(LOGIN_LIMIT),
            "NIC1000_DATA_DIR": str(tmp),
            # The children sign the same trail as this process: the same key, anchors kept apart.
            "AUDIT_KEY": settings.AUDIT_KEY,
            "AUDIT_ANCHOR_FILE": str(tmp / "audit-anchors.jsonl"),
        }
        self.children: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.children.append((proc, log))
        return proc

    def server(self, name: str) -> str:
        port = _free_port()
        self.start(name, "-m", "gunicorn", "nic1000.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1",
                   "--timeout", "60")  # fmt: skip
        return f"http://127.0.0.1:{port}"

    def wait_ready(self, base: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/api/openapi.json", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{base} did not start within {START_TIMEOUT:.0f} s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for _, log in self.children
        )

    def stop(self) -> None:
        for proc, _ in self.children:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in self.children:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture
def processes(server_db: str, tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path, server_db)
    try:
        yield procs
    finally:
        procs.stop()


@pytest.fixture
def two_servers(processes: Processes) -> list[str]:
    bases = [processes.server("server-a"), processes.server("server-b")]
    for base in bases:
        processes.wait_ready(base)
    return bases


# ---------------------------------------------------------------- the app servers


@pytest.fixture
def finance_world(personas: Any, products: None) -> dict[str, Any]:
    from nic1000.finance import services
    from tests.finance.factories import make_application, make_token, select

    select(personas.company_a_obj, sales=10_000_000_000)
    app = make_application(
        personas.company_a_obj, code="KDB-OPER", amount=2_000_000_000, limit_krw=6_000_000_000
    )
    officer = personas.institution_kdb
    services.application_start_review(application=app, acting_user=officer)
    services.application_approve(
        application=app, acting_user=officer, amount=2_000_000_000, rate_pct=Decimal("3.5"),
        guarantee_ratio_pct=None, maturity_months=36,
    )  # fmt: skip
    return {"app": app, "secrets": [make_token("KDB")[1] for _ in range(3)]}


@pytest.fixture
def products(reference_data: None) -> None:
    from tests.finance.factories import ensure_products

    ensure_products()


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_two_servers_share_rate_limits_idempotency_and_login_throttling(
    two_servers: list[str], finance_world: dict[str, Any], processes: Processes
) -> None:
    from nic1000.finance.models import Application, Disbursement
    from tests.factories import PASSWORD, UserFactory

    a, b = two_servers
    url = "/api/v1/finance/applications"

    # (a) One token, requests alternating between the servers: the limit holds in total, not per server.
    rate_secret = finance_world["secrets"][0]
    codes = [
        requests.get(f"{base}{url}", headers=_bearer(rate_secret), timeout=REQUEST_TIMEOUT).status_code
        for base in [a, b] * (RATE_LIMIT + 2)
    ]
    assert codes.count(200) == RATE_LIMIT and codes.count(429) == RATE_LIMIT + 4, codes

    # (b) The same Idempotency-Key at the same moment through both servers (and two tokens of the same
    # institution): one disbursement, both answers the same.
    pay = f"{url}/{finance_world['app'].pk}/disbursements"
    amounts = [100_000_000, 200_000_000, 300_000_000]
    for round_no, amount in enumerate(amounts):
        barrier = threading.Barrier(2)
        answers: dict[str, requests.Response] = {}

        def send(
            base: str,
            secret: str,
            key: str = f"pay-{round_no}",
            amount: int = amount,
            barrier: threading.Barrier = barrier,
            answers: dict[str, requests.Response] = answers,
        ) -> None:
            barrier.wait(timeout=REQUEST_TIMEOUT)
            answers[base] = requests.post(
                f"{base}{pay}",
                json={"amount": amount, "on": "2026-06-01"},
                headers={**_bearer(secret), "Idempotency-Key": key},
                timeout=REQUEST_TIMEOUT,
            )

        threads = [
            threading.Thread(target=send, args=(base, secret))
            for base, secret in zip([a, b], finance_world["secrets"][1:], strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT * 2)
        assert len(answers) == 2, processes.logs()
        ra, rb = answers[a], answers[b]
        assert ra.status_code == rb.status_code == 201, (ra.text, rb.text)
        assert ra.json() == rb.json()
    assert Disbursement.objects.filter(application=finance_world["app"]).count() == len(amounts)
    assert Application.objects.get(pk=finance_world["app"].pk).disbursed_total == sum(amounts)

    # (c) Login throttling: LOGIN_FAILURE_LIMIT wrong passwords alternating between the servers, then the
    # right password is refused (whatever the implementation, it counts in the shared database).
    UserFactory(username="scale-ok")
    UserFactory(username="scale-locked")
    session = requests.Session()

    def login(base: str, username: str, password: str) -> requests.Response:
        page = session.get(f"{base}/accounts/login/", timeout=REQUEST_TIMEOUT)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, page.text[:500]
        return session.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": found.group(1)},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )

    assert login(b, "scale-ok", PASSWORD).status_code == 302  # the right password works through either
    session.cookies.clear()
    for attempt in range(LOGIN_LIMIT):
        r = login([a, b][attempt % 2], "scale-locked", "wrong password")
        assert r.status_code != 302, attempt
    for base in (a, b):
        r = login(base, "scale-locked", PASSWORD)
        assert r.status_code != 302 and "sessionid" not in r.cookies, (base, r.status_code)


# ---------------------------------------------------------------- the workers


def test_two_workers_do_one_inspection_exactly_once(processes: Processes, reference_data: None) -> None:
    from nic1000.audit.models import AuditEntry
    from nic1000.monitoring.models import InspectionResult, InspectionRun
    from nic1000.monitoring.services.inspections import inspection_run_request
    from nic1000.monitoring.tasks import inspection_task
    from tests.factories import CompanyFactory
    from tests.monitoring.factories import member, statements

    period = "2026-05"
    for _ in range(6):
        company = CompanyFactory()
        member(company)
        statements(company, [2023, 2024, 2025])
    run = inspection_run_request(period=period, acting_user=None)
    # The same inspection queued twice (a retry, a second scheduler): each worker takes one of the tasks.
    tasks = [inspection_task.enqueue(period=period, trigger="on_demand") for _ in range(2)]
    worker = [
        "-m",
        "nic1000",
        "worker",
        "--batch",
        "--no-schedule",
        "--no-startup-delay",
        "--interval",
        "0.2",
    ]
    workers = [processes.start(f"worker-{n}", *worker) for n in range(2)]
    for proc in workers:
        try:
            proc.wait(timeout=240)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"a worker did not finish its batch:\n{processes.logs()}") from None
    run.refresh_from_db()
    assert run.status == InspectionRun.Status.DONE and run.explained_at is not None, processes.logs()
    assert run.attempts == 1, processes.logs()
    assert InspectionResult.objects.filter(run=run).count() == 6
    assert AuditEntry.objects.filter(action="inspection.complete").count() == 1
    assert AuditEntry.objects.filter(action="inspection.explained").count() == 1
    statuses = sorted(str(inspection_task.get_result(str(t.id)).status) for t in tasks)
    assert "TaskResultStatus.SUCCESSFUL" in statuses or "SUCCESSFUL" in statuses, statuses


# ---------------------------------------------------------------- the cache


def test_a_cached_value_is_seen_by_another_process(processes: Processes) -> None:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        pytest.skip(
            "CACHES is the per-process local-memory default: nothing to share yet (configure a shared cache)"
        )
    if backend.endswith("DatabaseCache"):
        setup = processes.start("createcachetable", "-m", "nic1000", "createcachetable")
        assert setup.wait(timeout=60) == 0, processes.logs()
    code = "from django.core.cache import cache; "
    writer = processes.start("cache-set", "-m", "nic1000", "shell", "-c",
                             code + "cache.set('scale-out-probe', 'seen', 120)")  # fmt: skip
    assert writer.wait(timeout=60) == 0, processes.logs()
    reader = processes.start("cache-get", "-m", "nic1000", "shell", "-c",
                             code + "print('value=' + str(cache.get('scale-out-probe')))")  # fmt: skip
    assert reader.wait(timeout=60) == 0, processes.logs()
    assert "value=seen" in (processes.tmp / "cache-get.log").read_text(), processes.logs()
