"""schemathesis against the gateway's own OpenAPI document: no input a client can send,
within or outside the documented rules, makes a server error. A short fixed budget
(derandomized, so each run sends the same cases)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from bot.gateway.openapi import OPENAPI
from bot.local_stack import LocalStack as Stack

pytestmark = pytest.mark.integration

schema = schemathesis.openapi.from_dict(OPENAPI)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case: Any, stack: Stack) -> None:
    case.call_and_validate(base_url=stack.base_url, checks=[not_a_server_error])
