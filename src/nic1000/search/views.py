"""The global search page (staff only): one box in the header, results grouped by kind."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nic1000.accounts.http import AuthedRequest
from nic1000.core.access import role_required
from nic1000.core.roles import STAFF_ROLES
from nic1000.search.selectors import LIMIT, MIN_LENGTH, global_search


@role_required(STAFF_ROLES)
@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    results = global_search(user=request.user, q=request.GET.get("q", ""))
    return render(
        request, "search/results.html", {"results": results, "limit": LIMIT, "min_length": MIN_LENGTH}
    )
