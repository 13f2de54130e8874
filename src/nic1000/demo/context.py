"""What `nic1000 demo` hands to every stage.

The demo command runs its stages in order: ``registry`` (``nic1000.demo.registry_data``), then, when the module
exists, ``nic1000.rounds.demo``, ``nic1000.finance.demo`` and ``nic1000.monitoring.demo``. A stage is a module
with::

    def run(ctx: DemoContext) -> dict[str, int]:
        '''Create this stage's demo data through the services; return counts for the summary.'''

The counts are merged into the one-line JSON summary the command prints last (``{"companies": 2000, ...}``),
so pick distinct keys (``"rounds"``, ``"nominations"``, ``"applications"``...).

Rules for stages:

* Write only through the services (``acting_user=ctx.program_office`` or another demo user), so the audit
  trail of the demo looks like real use.
* Randomness only from ``ctx.rng_for("<stage>")`` (a numpy Generator seeded from ``ctx.seed`` and the stage
  name): the same ``--seed`` gives the same data, and one stage drawing more numbers never shifts another
  stage's data. ``ctx.rng`` is the registry stage's generator; prefer ``rng_for``.
* Users: ``ctx.users`` maps a role value (``"program_office"``, ``"ministry_officer"``, ``"evaluator"``,
  ``"institution_officer"``, ``"company"``, ``"support_group"``, ``"auditor"``) to the demo users created so
  far. A stage that creates more users (the rounds stage adds the evaluator pool) creates them with
  ``ctx.create_user(...)`` so they get the demo password and appear in the printed logins.
* ``ctx.fast`` is true in tests and ``--fast`` runs: keep the stage small (few rounds, few cases).
* Report progress with ``ctx.out("...")`` (one line at a time; it goes to the command's stdout).
* Transactions: the registry stage runs inside one ``transaction.atomic()``; later stages are called outside
  any transaction (their services are atomic; they may commit and run the background worker).
* ``ctx.logins`` lists every demo login (printed by the command); ``create_user`` appends to it.
* The registry stage fills ``ctx.sector_of`` (company id → sector key, see ``registry_data.SECTORS``) and
  ``ctx.body_of`` (company id → the code of the ministry/agency most likely to nominate it), which the rounds
  stage can use for nominations.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEMO_PASSWORD = "nic1000-demo-2026!"  # the documented password of the demo logins


@dataclass
class DemoLogin:
    username: str
    role: str
    binding: str  # "MSS", "KDB", a company name... or "" for programme-wide roles


@dataclass
class DemoContext:
    seed: int
    companies: int
    out: Callable[[str], None] = print
    fast: bool = False
    password: str = DEMO_PASSWORD
    options: dict[str, Any] = field(default_factory=dict)
    users: dict[str, list[Any]] = field(default_factory=dict)
    program_office: Any = None
    logins: list[DemoLogin] = field(default_factory=list)
    sector_of: dict[int, str] = field(default_factory=dict)
    body_of: dict[int, str] = field(default_factory=dict)
    rng: np.random.Generator = field(init=False)
    # The one password hash every demo user shares (hashing once keeps the demo fast).
    _password_hash: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = self.rng_for("registry")

    def rng_for(self, stage: str) -> np.random.Generator:
        """An independent, reproducible random stream for one stage."""
        return np.random.default_rng([self.seed, zlib.crc32(stage.encode("utf-8"))])

    def create_user(
        self,
        *,
        username: str,
        role: str,
        display_name: str = "",
        binding: str = "",
        acting_user: Any = None,
        **bindings: Any,
    ) -> Any:
        """Create a demo user through ``accounts.services.user_create`` and give it the demo password.

        ``bindings`` are ``body=``, ``institution=`` or ``company=``. The password is set through
        ``demo_password_set`` (one hash shared by every demo user, audited).
        """
        from nic1000.accounts.services import user_create
        from nic1000.demo.services import demo_password_set

        user = user_create(
            username=username,
            password=None,
            role=role,
            acting_user=acting_user if acting_user is not None else self.program_office,
            display_name=display_name,
            email=f"{username}@demo.nic1000.kr",
            **bindings,
        )
        if self._password_hash is None:
            from django.contrib.auth.hashers import make_password

            self._password_hash = make_password(self.password)
        demo_password_set(user=user, password_hash=self._password_hash, acting_user=self.program_office)
        self.users.setdefault(role, []).append(user)
        self.logins.append(DemoLogin(username=username, role=role, binding=binding))
        return user
