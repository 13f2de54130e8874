"""`nic1000 demo`: a deterministic demo programme, written through the services, optionally served.

    nic1000 demo --no-serve [--seed 1000] [--companies 4500] [--reset] [--fast]
        loads the demo and exits; the last line printed is a one-line JSON summary of counts (over all
        five rounds; `rounds` held, `designated` distinct companies ever designated).
    nic1000 demo --serve
        loads the demo if the database holds none, prints the logins, starts the background worker and
        serves http://127.0.0.1:8000 until interrupted (what `make demo` runs).

Stages run in order (STAGES): the registry, then the five rounds (2020–2022, with the half-yearly re-evaluations), policy
finance, monitoring, appeals and the designations' counts (re-evaluations, places refilled), each a module of
nic1000.demo.stages (see nic1000.demo.context for what a stage may do).
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from nic1000.accounts.models import User
from nic1000.demo.context import DEMO_PASSWORD, DemoContext, DemoLogin
from nic1000.demo.history import DEFAULT_COMPANIES
from nic1000.demo.stages import appeals, designations, finance, monitoring, registry, rounds
from nic1000.finance.models import Product, RoutingRule
from nic1000.finance.reference import load_products
from nic1000.registry.models import Body, Company, Institution, KsicCode
from nic1000.registry.reference import load_reference_data

# counts (summed over stages) and figures such as a round's alpha (floats: the latest is kept)
Stage = Callable[[DemoContext], Mapping[str, float]]
STAGES: dict[str, Stage] = {
    "registry": registry.run,
    "rounds": rounds.run,
    "finance": finance.run,
    "monitoring": monitoring.run,
    "appeals": appeals.run,
    "designations": designations.run,
}


def demo_loaded() -> bool:
    return Company.objects.exists()


def demo_logins() -> list[DemoLogin]:
    """The demo users in the database (for --serve on an already loaded database)."""
    order = {role: i for i, role in enumerate(
        ["program_office", "ministry_officer", "evaluator", "institution_officer", "company", "support_group",
         "auditor"]
    )}  # fmt: skip
    users = User.objects.filter(email__endswith="@demo.nic1000.kr").select_related(
        "body", "institution", "company"
    )
    out = []
    for u in sorted(users, key=lambda u: (order.get(u.role, 99), u.username)):
        binding = (
            (u.body and u.body.code)
            or (u.institution and u.institution.code)
            or (u.company and u.company.name_ko)
        )
        out.append(DemoLogin(username=u.username, role=u.role, binding=binding or ""))
    return out


def run_demo(
    *,
    seed: int = 1000,
    companies: int = DEFAULT_COMPANIES,
    fast: bool = False,
    out: Callable[[str], None] = print,
    stages: tuple[str, ...] = tuple(STAGES),
    keep_going: bool = False,
) -> tuple[dict[str, float], DemoContext]:
    """Run the named stages (keys of STAGES) in STAGES order; returns the summary counts and the context.

    The registry stage runs in one transaction; later stages manage their own (their services are atomic).
    A failing stage raises, unless `keep_going` (used by --serve, so a broken later stage still leaves a usable
    demo): then the error is printed and counted in `stages_failed` (what the stage committed before failing
    stays). The registry stage always raises: nothing works without it.
    """
    ctx = DemoContext(seed=seed, companies=companies, out=out, fast=fast)
    summary: dict[str, float] = {}
    for stage, run in STAGES.items():
        if stage not in stages:
            continue
        name = run.__module__
        started = time.perf_counter()
        out(f"stage {name}…")
        try:
            # The registry stage is one transaction (all or nothing, and fast on SQLite). Later stages manage
            # their own: some commit and hand work to the background worker (monitoring's inspections).
            with transaction.atomic() if stage == "registry" else contextlib.nullcontext():
                counts = run(ctx)
        except Exception as exc:
            if not keep_going or stage == "registry":
                raise
            out(f"stage {name}: FAILED: {type(exc).__name__}: {exc}")
            summary["stages_failed"] = summary.get("stages_failed", 0) + 1
            continue
        for key, value in counts.items():
            if isinstance(value, float):  # a figure, not a count
                summary[key] = value
            else:
                summary[key] = summary.get(key, 0) + int(value)
        out(f"stage {name}: done in {time.perf_counter() - started:.1f} s")
    summary["users"] = User.objects.count()
    first = ("companies", "patents", "statements", "users", "rounds", "designated")
    ordered = {k: summary[k] for k in first if k in summary}
    ordered.update({k: v for k, v in summary.items() if k not in ordered})
    return ordered, ctx


class Command(BaseCommand):
    help = "Load a deterministic demo programme through the services (and serve it with --serve)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1000)
        parser.add_argument("--companies", type=int, default=DEFAULT_COMPANIES)
        parser.add_argument("--fast", action="store_true", help="small stages (tests, quick looks)")
        parser.add_argument("--reset", action="store_true", help="empty the database first (flush)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--serve", dest="serve", action="store_true", help="serve on 127.0.0.1:8000")
        group.add_argument("--no-serve", dest="serve", action="store_false", help="load and exit (default)")
        parser.set_defaults(serve=False)
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address for --serve")
        parser.add_argument(
            "--stages",
            default=",".join(STAGES),
            help=f"comma-separated stages to run (default: all of {', '.join(STAGES)}; registry always runs)",
        )

    def _out(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["companies"] < 1:
            raise CommandError("--companies must be at least 1")
        stages = {s.strip() for s in options["stages"].split(",") if s.strip()} | {"registry"}
        unknown = stages - set(STAGES)
        if unknown:
            raise CommandError(f"unknown stage(s): {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
        if "rounds" in stages and options["companies"] < rounds.MIN_COMPANIES:
            raise CommandError(
                f"A round needs a registry of at least {rounds.MIN_COMPANIES} companies "
                f"(--companies {rounds.MIN_COMPANIES} or more, or --stages registry)"
            )
        if options["reset"]:
            self._reset()
        loaded = demo_loaded()
        if loaded and not options["serve"]:
            raise CommandError(
                "The database already holds registry data, so the demo will not load over it. "
                "Delete var/nic1000.sqlite3 (then `nic1000 migrate`) or run `nic1000 demo --reset`."
            )
        summary: dict[str, float] | None = None
        if not loaded:
            summary, ctx = run_demo(
                seed=options["seed"],
                companies=options["companies"],
                fast=options["fast"],
                out=self._out,
                stages=tuple(stages),
                keep_going=options["serve"],
            )
            logins = ctx.logins
        else:
            self._out("The database already holds the demo; not loading it again.")
            logins = demo_logins()
        if options["serve"] and summary is not None:
            self._out(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))
        self._print_logins(logins)
        if options["serve"]:
            self._serve(options["addr"])
            return
        assert summary is not None
        self._out(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))

    def _reset(self) -> None:
        self._out("Emptying the database (flush)…")
        call_command("flush", interactive=False, verbosity=0)
        load_reference_data(KsicCode, Body, Institution)
        load_products(Institution, Product, RoutingRule)  # loaded by a migration, so gone with the flush

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        self._out("")
        self._out(f"Demo logins (password for every user: {DEMO_PASSWORD})")
        self._out(f"  {'username':<20} {'role':<20} binding")
        for login in logins:
            self._out(f"  {login.username:<20} {login.role:<20} {login.binding}")
        self._out("")

    def _serve(self, addr: str) -> None:
        worker_cmd = "worker" if "worker" in get_commands() else "db_worker"
        worker = subprocess.Popen([sys.executable, "-m", "nic1000", worker_cmd])
        self._out(f"Background worker started (nic1000 {worker_cmd}, pid {worker.pid}).")
        self._out(f"Serving on http://{addr}/ (Ctrl-C to stop)")

        def _terminate(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt  # run the cleanup below on SIGTERM too

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            call_command("runserver", addr, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
            self._out("Stopped the server and the background worker.")
