"""`nic1000 serve`: the production web server (gunicorn, sync workers) on NIC1000_BIND.

Collects the static files first (hashed and compressed, served by WhiteNoise from the web workers), refuses
to start while migrations are pending, then runs gunicorn with NIC1000_WEB_WORKERS processes of
NIC1000_WEB_THREADS threads. Run `nic1000 worker` beside it for the background tasks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from nic1000.ops.health import _unapplied_migrations


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def _gunicorn_logging() -> dict[str, Any]:
    config: dict[str, Any] = dict(settings.LOGGING)
    loggers: dict[str, Any] = dict(config.get("loggers", {}))
    loggers["gunicorn.error"] = {"level": "INFO", "handlers": ["console"], "propagate": False}
    return {**config, "loggers": loggers}


class Command(BaseCommand):
    help = "Serve the application in production (gunicorn) on NIC1000_BIND"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.NIC1000_BIND, help="address:port (NIC1000_BIND)")
        parser.add_argument("--workers", type=int, default=settings.NIC1000_WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.NIC1000_WEB_THREADS)
        parser.add_argument("--timeout", type=int, default=settings.NIC1000_WEB_TIMEOUT)
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="static files are already collected"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pending = _unapplied_migrations("default")
        if pending:
            raise CommandError(f"{len(pending)} migrations are not applied: run `nic1000 migrate` first")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        # gunicorn forks its workers from this process: a database connection opened here would be shared by
        # all of them (one socket, interleaved protocol), so none may survive into the fork.
        connections.close_all()
        workers = max(1, options["workers"])
        self.stdout.write(f"nic1000 serve: http://{options['bind']}/ with {workers} workers")
        _Gunicorn(
            {
                "bind": options["bind"],
                "workers": workers,
                "threads": max(1, options["threads"]),
                "timeout": options["timeout"],
                "graceful_timeout": 30,
                "keepalive": 5,
                # Recycle workers now and then (with jitter) so a slow leak cannot grow without bound.
                "max_requests": 5000,
                "max_requests_jitter": 500,
                "worker_tmp_dir": "/dev/shm",
                "forwarded_allow_ips": "127.0.0.1,::1",
                "accesslog": None,  # the request log is nic1000.requests (JSON, with the request id)
                # gunicorn's own lines (start, worker boots and timeouts) in the project's format too.
                "logconfig_dict": _gunicorn_logging(),
                "proc_name": "nic1000",
            }
        ).run()
