"""Every request has an id: a sane incoming X-Request-ID or a fresh one, echoed back and in every log line."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log() -> Any:
    """The project's LOGGING, writing to a buffer."""
    stream = io.StringIO()
    logging.config.dictConfig(settings.LOGGING)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def test_a_sane_incoming_id_is_kept_and_logged(json_log: io.StringIO) -> None:
    response = Client().get("/", headers={"X-Request-ID": "lb-1234abcd"})
    assert response["X-Request-ID"] == "lb-1234abcd"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    request_line = next(line for line in lines if line["logger"] == "nic1000.requests")
    assert request_line["request_id"] == "lb-1234abcd"
    assert request_line["status"] == 200 and request_line["path"] == "/" and request_line["level"] == "INFO"
    assert "time" in request_line and "duration_ms" in request_line


@pytest.mark.parametrize("bad", ["", "short", "has space in it", "x" * 200, "evil\"}\n{'a'"])
def test_an_insane_id_is_replaced(bad: str) -> None:
    response = Client().get("/", headers={"X-Request-ID": bad})
    rid = response["X-Request-ID"]
    assert rid != bad and len(rid) == 32 and rid.isalnum()


def test_log_lines_inside_a_request_carry_its_id(json_log: io.StringIO) -> None:
    # Django logs the 404 (logger django.request) from inside the request, like any view's logging.
    response = Client().get("/no-such-page/", headers={"X-Request-ID": "trace-abcdef12"})
    assert response.status_code == 404
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert {line["logger"] for line in lines} >= {"django.request", "nic1000.requests"}
    assert {line["request_id"] for line in lines} == {"trace-abcdef12"}, lines


def test_outside_a_request_the_id_is_a_dash() -> None:
    from nic1000.ops.logging import RequestIdFilter

    record = logging.LogRecord("x", logging.INFO, "", 0, "m", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"  # type: ignore[attr-defined]
