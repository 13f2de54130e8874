"""A simulated clock for replaying the programme's history in the demo.

Services read `django.utils.timezone.now()`; while a demo stage replays months of history (a round held last
winter, applications decided since), that function answers the simulated time instead. Only the demo uses
this. The audit trail is immune: it always records the wall clock (`audit.services`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


class SimulatedClock:
    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def now(self) -> dt.datetime:
        return self.t

    def set(self, t: dt.datetime) -> None:
        self.t = t

    def advance(self, **delta: float) -> None:
        self.t += dt.timedelta(**delta)


@contextmanager
def simulated_clock(start: dt.datetime) -> Iterator[SimulatedClock]:
    clock = SimulatedClock(start)
    with mock.patch.object(timezone, "now", clock.now):
        yield clock
