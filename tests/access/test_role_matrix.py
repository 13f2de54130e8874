"""Walks every role over every URL and API endpoint and checks exactly who may see and do what."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.spec import ROLES, Case, load_specs

CASES, BUILDERS = load_specs()
# Not programme URLs: Django's own language switch and the admin (checked separately below).
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_NAMES = {"set_language"}


def _url_names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            names |= _url_names(p, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(p, URLPattern):
            if not p.name:
                names.add(f"{prefix}<unnamed {p.pattern}>")
            elif p.name not in EXEMPT_NAMES:
                names.add(f"{prefix}{p.name}")
    return names


def test_every_url_is_in_the_matrix() -> None:
    names = _url_names(get_resolver())
    covered = {c.url_name for c in CASES}
    missing = sorted(names - covered)
    assert not missing, f"URLs without a role-matrix case (add them to tests/access/spec_*.py): {missing}"
    stale = sorted(covered - names)
    assert not stale, f"role-matrix cases for URLs that no longer exist: {stale}"


def _value(v: Any, world: dict[str, Any]) -> Any:
    return v(world) if callable(v) else v


def _request(client: Client, case: Case, world: dict[str, Any], role: str) -> Any:
    url = reverse(case.url_name, kwargs=_value(case.kwargs, world))
    if case.query:
        url += "?" + _value(case.query, world)
    headers = case.headers(world, role) if case.headers else {}
    data = _value(case.data, world)
    if case.method == "GET":
        return client.get(url, headers=headers)
    if case.json:
        return client.generic(
            case.method,
            url,
            data=__import__("json").dumps(data or {}),
            content_type="application/json",
            headers=headers,
        )
    return client.generic(
        case.method,
        url,
        data=__import__("urllib.parse").parse.urlencode(data or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_role_matrix(case: Case, personas: Any) -> None:
    world: dict[str, Any] = {"personas": personas}
    for build in BUILDERS:
        build(world)
    users = personas.by_role()
    failures = []
    for role in ROLES:
        client = Client(enforce_csrf_checks=False)
        if role != "public":
            client.force_login(users[role])
        # Each role's attempt is rolled back so a permitted write does not change what the next role sees.
        with transaction.atomic():
            response = _request(client, case, world, role)
            transaction.set_rollback(True)
        allowed = role in case.allowed
        expected = case.ok if allowed else case.denied
        if response.status_code not in expected:
            failures.append(
                f"{role}: got {response.status_code}, expected {'allowed' if allowed else 'denied'} {sorted(expected)}"
            )
        if not allowed and role == "public" and response.status_code == 302:
            assert "/accounts/login/" in response["Location"], (
                f"public redirected elsewhere: {response['Location']}"
            )
    assert not failures, f"{case.id}:\n  " + "\n  ".join(failures)


@pytest.mark.django_db
def test_admin_is_for_the_programme_office_only(personas: Any) -> None:
    for role, user in personas.by_role().items():
        client = Client()
        client.force_login(user)
        status = client.get("/admin/").status_code
        assert (status == 200) == (role == "program_office"), (role, status)
    assert Client().get("/admin/").status_code == 302
