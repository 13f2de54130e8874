"""Login throttling (django-axes): per account and client address, atomic across processes, proxy-aware."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client, override_settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _post(client: Client, username: str, password: str, ip: str = "10.0.0.1", **meta: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **meta)


def _checks() -> Any:
    """Counts how often a password is actually checked."""
    return mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
    )


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_forty_wrong_attempts_check_at_most_the_limit(personas: Any) -> None:
    with _checks() as checked:
        statuses = [_post(Client(), "po", f"wrong{i}").status_code for i in range(40)]
    assert checked.call_count == 5
    assert statuses[:4] == [401] * 4 and set(statuses[5:]) == {429}
    # The right password is refused too while the lock lasts (it is not even checked).
    with _checks() as checked:
        assert _post(Client(), "po", PASSWORD).status_code == 429
    assert checked.call_count == 0


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_forty_parallel_wrong_attempts_check_at_most_the_limit(personas: Any) -> None:
    """Threads are separate database connections, like separate workers."""
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database (parallel connections)")
    checked = 0
    lock = threading.Lock()
    original = ModelBackend.authenticate

    def counting(self: ModelBackend, *args: Any, **kwargs: Any) -> Any:
        nonlocal checked
        with lock:
            checked += 1
        return original(self, *args, **kwargs)

    start = threading.Barrier(40)
    statuses: list[int] = []

    def attempt(i: int) -> None:
        from django.db import connections

        try:
            start.wait()
            statuses.append(_post(Client(), "po", f"wrong{i}").status_code)
        finally:
            connections.close_all()

    with mock.patch.object(ModelBackend, "authenticate", counting):
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(statuses) == 40
    assert checked <= 5, f"{checked} passwords checked"
    assert statuses.count(429) >= 35


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_failures_for_one_user_do_not_lock_out_another_from_the_same_address(personas: Any) -> None:
    for i in range(20):
        _post(Client(), "po", f"wrong{i}", ip="10.0.0.1")
    c = Client()
    assert _post(c, "eval1", PASSWORD, ip="10.0.0.1").status_code == 302
    assert c.session["_auth_user_id"] == str(personas.evaluator.pk)


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ACCOUNT_FAILURE_LIMIT=12)
def test_an_account_is_locked_from_the_failing_address_then_everywhere(personas: Any) -> None:
    for i in range(5):
        _post(Client(), "po", f"wrong{i}", ip="10.0.0.1")
    assert _post(Client(), "po", PASSWORD, ip="10.0.0.1").status_code == 429
    assert _post(Client(), "po", PASSWORD, ip="10.0.0.2").status_code == 302  # the owner, elsewhere
    # A guess spread over many addresses: the account's total locks it everywhere.
    for i in range(12):
        _post(Client(), "po", f"wrong{i}", ip=f"10.0.1.{i}")
    assert _post(Client(), "po", PASSWORD, ip="10.0.0.3").status_code == 429


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(personas: Any) -> None:
    for i in range(3):
        _post(Client(), "po", f"wrong{i}", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    # Made-up forwarding headers do not escape the lock on the real peer address.
    r = _post(Client(), "po", PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert r.status_code == 429


@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(personas: Any) -> None:
    proxy = "10.9.9.9"  # everyone arrives from the proxy's address
    for i in range(3):
        # A client may prepend anything; the proxy appends the address it saw (the last entry).
        _post(Client(), "po", f"wrong{i}", ip=proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 192.0.2.1")
    assert _post(Client(), "po", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    # The same account from another client behind the same proxy is not locked out.
    assert _post(Client(), "po", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_the_lockout_page_says_so_in_the_users_language(personas: Any) -> None:
    for i in range(2):
        _post(Client(), "po", f"wrong{i}")
    r = _post(Client(), "po", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429
    assert "Too many failed attempts for this account" in r.content.decode()
    r = _post(Client(), "po", PASSWORD, HTTP_ACCEPT_LANGUAGE="ko")
    assert r.status_code == 429 and "<form" in r.content.decode()
    # The admin's login form, on the same lock, gets a page too (not a 500).
    r = Client().post("/admin/login/", {"username": "po", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_FAILURE_WINDOW_SECONDS=60)
def test_the_lock_ends_after_the_window(personas: Any) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt

    for i in range(5):
        _post(Client(), "po", f"wrong{i}")
    assert _post(Client(), "po", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(seconds=61)
    )
    assert _post(Client(), "po", PASSWORD).status_code == 302


def test_authenticating_without_a_request_is_not_throttled_and_works(personas: Any) -> None:
    """Scripts and the test client's login call authenticate() without a request: no client to count."""
    from django.contrib.auth import authenticate

    assert authenticate(None, username="po", password=PASSWORD) == personas.program_office
    assert authenticate(None, username="po", password="wrong") is None
    assert Client().login(username="po", password=PASSWORD)
