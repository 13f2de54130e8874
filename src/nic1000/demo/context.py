"""What `nic1000 demo` hands to every stage.

The demo command runs its stages in order (``demo.management.commands.demo.STAGES``): ``registry``
(``demo.stages.registry``), then ``rounds``, ``finance`` and ``monitoring`` (``demo.stages.*``). A stage is a
function::

    def run(ctx: DemoContext) -> dict[str, int]:
        '''Create this stage's demo data through the services; return counts for the summary.'''

The counts are merged into the one-line JSON summary the command prints last (``{"companies": 2000, ...}``),
so pick distinct keys (``"rounds"``, ``"nominations"``, ``"applications"``...).

Rules for stages:

* Write only through the services (``acting_user=ctx.office`` or another demo user), so the audit
  trail of the demo looks like real use.
* Randomness only from ``ctx.rng_for("<stage>")`` (a numpy Generator seeded from ``ctx.seed`` and the stage
  name): the same ``--seed`` gives the same data, and one stage drawing more numbers never shifts another
  stage's data. ``ctx.rng`` is the registry stage's generator; prefer ``rng_for``.
* Users: ``ctx.users`` maps a role value (``"program_office"``, ``"ministry_officer"``, ``"evaluator"``,
  ``"institution_officer"``, ``"company"``, ``"support_group"``, ``"auditor"``) to the demo users created so
  far. A stage that creates more users (the rounds stage adds the evaluator pool) creates them with
  ``ctx.create_user(...)`` so they get the demo password and appear in the printed logins.
* Size: ``ctx.companies`` is the size of the registry; later stages size themselves from it (and from what
  the earlier stages made). ``ctx.fast`` is true in tests and ``--fast`` runs: keep the stage small.
* Report progress with ``ctx.out("...")`` (one line at a time; it goes to the command's stdout).
* Transactions: the registry stage runs inside one ``transaction.atomic()``; later stages are called outside
  any transaction (their services are atomic; they may commit and run the background worker).
* ``ctx.logins`` lists every demo login (printed by the command); ``create_user`` appends to it.
* The registry stage fills ``ctx.sector_of`` (company id → sector key, see ``names.SECTORS``) and
  ``ctx.body_of`` (company id → the code of the ministry/agency most likely to nominate it), which the rounds
  stage uses for nominations.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.contrib.auth.hashers import make_password

from nic1000.accounts.services import user_create
from nic1000.demo.services import demo_password_set

if TYPE_CHECKING:
    from nic1000.accounts.models import User
    from nic1000.registry.models import Body, Company, Institution

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
    users: dict[str, list[User]] = field(default_factory=dict)
    program_office: User | None = None  # set first by the registry stage
    logins: list[DemoLogin] = field(default_factory=list)
    sector_of: dict[int, str] = field(default_factory=dict)
    body_of: dict[int, str] = field(default_factory=dict)
    rng: np.random.Generator = field(init=False)
    # The one password hash every demo user shares (hashing once keeps the demo fast).
    _password_hash: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = self.rng_for("registry")

    @property
    def office(self) -> User:
        """The programme office's demo user, who acts for the programme."""
        if self.program_office is None:
            raise RuntimeError("the registry stage creates the programme office first")
        return self.program_office

    @property
    def password_hash(self) -> str:
        """The demo password, hashed once for every demo user."""
        if self._password_hash is None:
            self._password_hash = make_password(self.password)
        return self._password_hash

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
        acting_user: User | None = None,
        body: Body | None = None,
        institution: Institution | None = None,
        company: Company | None = None,
    ) -> User:
        """Create a demo user through ``accounts.services.user_create`` and give it the demo password.

        The password is set through ``demo_password_set`` (one hash shared by every demo user, audited).
        """
        user = user_create(
            username=username,
            password=None,
            role=role,
            acting_user=acting_user if acting_user is not None else self.program_office,
            display_name=display_name,
            email=f"{username}@demo.nic1000.kr",
            body=body,
            institution=institution,
            company=company,
        )
        return self.adopt_user(user, role=role, binding=binding)

    def adopt_user(self, user: User, *, role: str, binding: str = "", pool: bool = True) -> User:
        """A user a service created (a committee member, an invited representative) joins the demo's logins
        with the demo password; `pool=False` keeps it out of the users the stages draw on for that role (a
        body's committee member is not in the central panel's pool)."""
        demo_password_set(user=user, password_hash=self.password_hash, acting_user=self.program_office)
        if pool:
            self.users.setdefault(role, []).append(user)
        self.logins.append(DemoLogin(username=user.username, role=role, binding=binding))
        return user
