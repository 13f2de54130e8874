"""The home page: for a signed-in user, what their role has to do now (`home.selectors`), then the menu."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nic1000.accounts.models import User
from nic1000.core.access import public
from nic1000.home.selectors import home_lines


@public
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    lines = home_lines(user=user) if isinstance(user, User) and user.is_active else []
    waiting = [ln for ln in lines if ln.count]
    return render(request, "home/home.html", {"lines": lines, "waiting": len(waiting)})
