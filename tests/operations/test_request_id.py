"""Every response carries X-Request-ID; a well-formed one from the load
balancer is kept, anything else replaced; log lines carry it (JSON in
production)."""

import copy
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from log_request_id import local
from log_request_id.filters import RequestIDFilter

from portal.settings.operations import json_logging

pytestmark = pytest.mark.django_db


def test_each_response_gets_a_fresh_request_id(client):
    first = client.get("/health/?format=json")["X-Request-ID"]
    second = client.get("/health/?format=json")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_load_balancers_id_is_kept(client):
    response = client.get("/health/?format=json", HTTP_X_REQUEST_ID="lb-7f3a2c91-0001")
    assert response["X-Request-ID"] == "lb-7f3a2c91-0001"


@pytest.mark.parametrize("given", ["short", "has spaces in it", "x" * 200, "evil\nINFO forged line"])
def test_a_malformed_id_is_replaced(client, given):
    response = client.get("/health/?format=json", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_production_log_lines_are_json_with_the_request_id():
    config = json_logging(copy.deepcopy(settings.LOGGING))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = config["formatters"]["json"]
    handler.setFormatter(logging.config.DictConfigurator({}).configure_custom(dict(formatter)))
    handler.addFilter(RequestIDFilter())
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)
    try:
        local.request_id = "lb-7f3a2c91-0002"
        logger.warning("sealed %s", "letter")
    finally:
        logger.removeHandler(handler)
        del local.request_id
    line = json.loads(stream.getvalue())
    assert line["message"] == "sealed letter"
    assert line["request_id"] == "lb-7f3a2c91-0002"
    assert line["level"] == "WARNING"
