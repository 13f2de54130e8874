"""Load: `nic1000 serve` on PostgreSQL on this machine, driven by 50 concurrent clients for 60 s on loopback.

    make bench                                        # among the others
    .venv/bin/python -m bench load                    # this one
    BENCH_LOAD_SECONDS=20 BENCH_LOAD_USERS=50 BENCH_LOAD_WORKERS=4 .venv/bin/python -m bench load

A fresh database nic1000_bench_load (BENCH_LOAD_DBNAME; BENCH_DB: the server, default postgres://postgres@127.0.0.1:5432)
gets a small demo (BENCH_LOAD_COMPANIES, default 300, `nic1000 demo --fast`), then `nic1000 serve` runs
(BENCH_LOAD_WORKERS gunicorn workers, default 4 as in the issue's reference) and locust, headless, drives
BENCH_LOAD_USERS closed-loop clients (each sends its next request when the last one answered) at one
endpoint at a time, BENCH_LOAD_SECONDS each: the public selection page (anonymous), the signed-in company
list (a ministry officer, already signed in: sessions made beforehand), the API list of applications (KDB's
token). Locust lives in its own virtualenv, var/bench-load-venv (locust pinned below),
never in .venv (its pytest plugin would patch the test suite). Prints requests/s, p50/p95/p99 and errors per
endpoint. Targets (issue 11): 0 errors; public page >= 300 requests/s; signed-in list p95 <= 500 ms.
Client and server share this machine's cores, so the client's own CPU is part of what is measured.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
LOCUST_VERSION = "2.47.0"
VENV = ROOT / "var" / "bench-load-venv"
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "4"))
COMPANIES = int(os.environ.get("BENCH_LOAD_COMPANIES", "300"))
OFFICER = "ministry_mss"
SCENARIOS = ("PublicVisitor", "Officer", "InstitutionSystem")  # the user classes of bench/locustfile.py


def _locust() -> Path:
    exe = VENV / "bin" / "locust"
    if exe.exists():
        return exe
    print(f"creating {VENV.relative_to(ROOT)} with locust=={LOCUST_VERSION}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run(
        [
            str(VENV / "bin" / "pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"locust=={LOCUST_VERSION}",
        ],
        check=True,
    )
    return exe


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str | None:
    from bench._django import _pg_recreate

    server = os.environ.get("BENCH_DB") or "postgres://postgres@127.0.0.1:5432"
    parts = urlsplit(server)
    url = urlunsplit(parts._replace(path=f"/{os.environ.get('BENCH_LOAD_DBNAME', 'nic1000_bench_load')}"))
    try:
        _pg_recreate(url)
    except Exception as exc:  # no server: say so, measure nothing
        print(f"PostgreSQL not reachable at {parts.netloc} ({exc}); the load bench needs it")
        return None
    return url


def _nic1000(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "nic1000", *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"nic1000 {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("nic1000 serve exited")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError("nic1000 serve did not answer in time")


def _run_locust(
    locust: Path, user_class: str, base: str, env: dict[str, str], tmp: Path
) -> list[dict[str, str]]:
    """One scenario: USERS clients of one kind for SECONDS; its rows of locust's CSV stats (setup left out)."""
    prefix = tmp / user_class
    with (tmp / f"{user_class}.log").open("wb") as log:
        subprocess.run(
            [
                str(locust),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                user_class,
                "--headless",
                "--host",
                base,
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{SECONDS}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--exit-code-on-error",
                "0",
            ],
            env=env,
            cwd=tmp,
            check=True,
            stdout=log,
            stderr=log,
        )
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as f:
        return [
            r
            for r in csv.DictReader(f)
            if r["Name"] not in ("Aggregated",) and not r["Name"].startswith("login")
        ]


def _report(rows: list[dict[str, str]]) -> None:
    print(f"\n{USERS} clients per endpoint, {SECONDS} s each, one endpoint at a time")
    print(
        f"{'endpoint':<26} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}"
    )
    for r in rows:
        print(
            f"{r['Name']:<26} {r['Request Count']:>9} {float(r['Requests/s']):>8.1f} {r['50%']:>7} {r['95%']:>7} "
            f"{r['99%']:>7} {r['Failure Count']:>7}"
        )
    by_name = {r["Name"]: r for r in rows}
    public, listing = by_name.get("public selection page"), by_name.get("signed-in company list")
    errors = sum(int(r["Failure Count"]) for r in rows)
    if public and listing:
        print(
            f"targets: errors {errors} (0); public page {float(public['Requests/s']):.0f} req/s (>= 300); "
            f"signed-in list p95 {listing['95%']} ms (<= 500)"
        )


def main() -> None:
    url = _database_url()
    if url is None:
        return
    locust = _locust()
    tmp = Path(tempfile.mkdtemp(prefix="nic1000-bench-load-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "NIC1000_INSECURE_HTTP"}
    }
    env.update(
        DATABASE_URL=url,
        NIC1000_DATA_DIR=str(tmp),
        SECRET_KEY=secrets.token_urlsafe(50),
        NIC1000_INSECURE_HTTP="1",  # loopback http; everything else as in production
        LOG_LEVEL="WARNING",
        NIC1000_ACCESS_LOG_LEVEL="WARNING",
        API_RATE_LIMIT_PER_MINUTE="100000000",  # one token for every API client here: measure, don't throttle
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    )
    started = time.perf_counter()
    _nic1000(["migrate", "--no-input", "-v0"], env)
    out = _nic1000(["demo", "--no-serve", "--fast", "--companies", str(COMPANIES)], env)
    print(f"database and demo ({COMPANIES} companies) ready in {time.perf_counter() - started:.0f} s")
    token_match = re.search(r"API token for KDB \(shown once\): (\S+)", out)
    summary = json.loads(out.strip().splitlines()[-1])
    round_id = _published_round(env)
    if token_match is None or round_id is None:
        raise RuntimeError(f"the demo made no API token or published round: {summary}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "nic1000", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "serve.log").open("wb"),
    )
    try:
        _wait_until_up(base, server)
        print(f"nic1000 serve: {WORKERS} workers on {base}", flush=True)
        locust_env = {
            **os.environ,
            "BENCH_LOAD_ROUND": str(round_id),
            "BENCH_LOAD_SESSIONS": _sessions(env),
            "BENCH_LOAD_TOKEN": token_match.group(1),
        }
        rows = []
        for user_class in SCENARIOS:
            rows += _run_locust(locust, user_class, base, locust_env, tmp)
        _report(rows)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if not os.environ.get("BENCH_KEEP_DIR"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")


def _sessions(env: dict[str, str]) -> str:
    """USERS signed-in sessions of the ministry officer, as Django's login would store them (comma-separated)."""
    code = (
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY; "
        "from django.contrib.sessions.backends.db import SessionStore; "
        "from nic1000.accounts.models import User; "
        f"u = User.objects.get(username={OFFICER!r}); keys = []\n"
        f"for _ in range({USERS}):\n"
        "    s = SessionStore(); s[SESSION_KEY] = str(u.pk); "
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'; "
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); keys.append(s.session_key)\n"
        "print(','.join(keys))"
    )
    return _nic1000(["shell", "-v", "0", "-c", code], env).strip()


def _published_round(env: dict[str, str]) -> int | None:
    out = _nic1000(
        [
            "shell",
            "-v",
            "0",
            "-c",
            "from nic1000.rounds.models import Publication; p = Publication.objects.order_by('-pk').first(); "
            "print(p.round_id if p else '')",
        ],
        env,
    )
    value = out.strip()
    return int(value) if value.isdigit() else None


if __name__ == "__main__":
    main()
