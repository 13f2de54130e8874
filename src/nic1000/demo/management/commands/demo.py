"""`nic1000 demo`: a deterministic demo programme, written through the services, optionally served.

    nic1000 demo --no-serve [--seed 1000] [--companies 4500] [--reset] [--fast]
        loads the demo and exits; the last line printed is a one-line JSON summary of counts (over all
        five rounds; `rounds` held, `designated` distinct companies ever designated).
    nic1000 demo --serve
        loads the demo if the database holds none, prints the logins, starts the background worker and
        serves http://127.0.0.1:8000 until interrupted (what `make demo` runs).

    nic1000 demo --totp USERNAME
        prints the current authenticator code of a demo user (the representatives invited by the people stage
        sign in with one).

The logins are printed as one per role with what to try, and written in full to demo-logins.csv in the data
directory (--logins-file PATH). Stages run in order (STAGES): the registry, then the five rounds (2020–2022,
with the half-yearly re-evaluations), the people (a representative for every selected company, invited and
accepted), policy finance, monitoring, appeals and the designations' counts (re-evaluations, places refilled),
each a module of nic1000.demo.stages (see nic1000.demo.context for what a stage may do).
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import User
from nic1000.core.models import Notification, NotificationDelivery
from nic1000.core.roles import Role
from nic1000.demo.context import DEMO_PASSWORD, DemoContext
from nic1000.demo.history import DEFAULT_COMPANIES
from nic1000.demo.logins import (
    LOGINS_FILE_NAME,
    highlights,
    login_rows,
    selected_companies,
    write_logins_file,
)
from nic1000.demo.stages import appeals, designations, finance, monitoring, people, registry, rounds
from nic1000.demo.stages.people import DEMO_DOMAIN, totp_code
from nic1000.finance.models import Product, RoutingRule
from nic1000.finance.reference import load_products
from nic1000.registry.models import Body, Company, Institution, KsicCode
from nic1000.registry.reference import load_reference_data

# counts (summed over stages) and figures such as a round's alpha (floats: the latest is kept)
Stage = Callable[[DemoContext], Mapping[str, float]]
STAGES: dict[str, Stage] = {
    "registry": registry.run,
    "rounds": rounds.run,
    "people": people.run,
    "finance": finance.run,
    "monitoring": monitoring.run,
    "appeals": appeals.run,
    "designations": designations.run,
}


def demo_loaded() -> bool:
    return Company.objects.exists()


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
    summary["notifications"] = Notification.objects.count()
    summary["emails"] = NotificationDelivery.objects.count()
    summary["company_users"] = User.objects.filter(role=Role.COMPANY).count()
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
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address for --serve (host:port)")
        parser.add_argument(
            "--logins-file",
            default=None,
            help=f"where to write every demo login as CSV (default: {LOGINS_FILE_NAME} in the data directory)",
        )
        parser.add_argument(
            "--totp",
            metavar="USERNAME",
            default=None,
            help="print the current authenticator code of a demo user (invited ones sign in with one) and exit",
        )
        parser.add_argument(
            "--stages",
            default=",".join(STAGES),
            help=f"comma-separated stages to run (default: all of {', '.join(STAGES)}; registry always runs)",
        )

    def _out(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["totp"]:
            self._out(self._totp(options["totp"]))
            return
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
            summary, _ctx = run_demo(
                seed=options["seed"],
                companies=options["companies"],
                fast=options["fast"],
                out=self._out,
                stages=tuple(stages),
                keep_going=options["serve"],
            )
        else:
            self._out("The database already holds the demo; not loading it again.")
        if options["serve"] and summary is not None:
            self._out(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))
        path = Path(options["logins_file"] or Path(settings.DATA_DIR) / LOGINS_FILE_NAME)
        self._print_logins(path)
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

    def _print_logins(self, path: Path) -> None:
        """One login per role with what to try, the selected companies, and every login written to `path`."""
        rows = login_rows()
        write_logins_file(path, rows)
        self._out("")
        self._out(
            f"Demo logins (password for every user: {DEMO_PASSWORD}); all {len(rows)} are listed in {path}"
        )
        self._out(f"  {'role':<20} {'username':<16} what to try")
        for h in highlights():
            self._out(f"  {h.role:<20} {h.username:<16} {h.try_this}")
        selected, examples = selected_companies()
        if selected:
            shown = ", ".join(f"{name} ({user})" if user else name for name, user in examples)
            self._out(
                f"Selected companies: {selected}, each with a representative (role company in the list), "
                f"e.g. {shown}. Invited representatives sign in with a code: nic1000 demo --totp USERNAME"
            )
        self._out("")

    def _totp(self, username: str) -> str:
        device = TOTPDevice.objects.filter(
            user__username=username, user__email__endswith=f"@{DEMO_DOMAIN}", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} is not a demo user with an authenticator")
        return totp_code(device.key)

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
