"""Schemathesis over the whole /api/openapi.json (every app's endpoints): no 5xx, no answer outside the schema.

Deterministic and bounded: derandomized Hypothesis, at most 25 examples per operation. Requests go through
Django's WSGI handler inside the test's transaction (the connection-closing signal handlers are detached, as
Django's test client does), authenticated with a KDB token on a small finance world.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nic1000.api import api
from nic1000.wsgi import application

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), default=str)))
schema.app = application
if os.environ.get("NIC1000_SCHEMATHESIS_PATHS"):  # e.g. "finance" to run one app's operations only
    schema = schema.include(path_regex=os.environ["NIC1000_SCHEMATHESIS_PATHS"])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_world(personas: Any, reference_data: None) -> Iterator[dict[str, Any]]:
    from tests.finance.factories import ensure_products, make_application, make_token, select

    ensure_products()
    select(personas.company_a_obj)
    select(personas.company_b_obj)
    app = make_application(personas.company_a_obj, code="KDB-OPER")
    make_application(personas.company_b_obj, code="IBK-OPER")
    _, secret = make_token("KDB")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000, ALLOWED_HOSTS=["*"]):
            yield {"secret": secret, "application_id": app.pk}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, api_world: dict[str, Any]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {api_world['secret']}"}, checks=CHECKS)
