"""Which address Atrium records and rate-limits behind a proxy.

Receipts and audit events record client_ip(); allauth's login limits count
the same address. Behind nginx every connection comes from the proxy, so with
ATRIUM_TRUSTED_PROXY_COUNT the client is read from X-Forwarded-For — only the
entry the trusted proxy appended, never what the client wrote before it."""

import pytest
from allauth.core import ratelimit
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from portal.audit import client_ip

factory = RequestFactory()


def _request(forwarded: str | None = None, remote: str = "127.0.0.1"):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return factory.post("/accounts/login/", REMOTE_ADDR=remote, **headers)


def test_without_a_trusted_proxy_the_header_is_ignored():
    assert client_ip(_request("203.0.113.9", remote="198.51.100.4")) == "198.51.100.4"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_gives_the_address_it_appended():
    # The client forged "6.6.6.6"; nginx appended the address it saw.
    assert client_ip(_request("6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_request_that_skipped_the_proxy_is_its_own_address():
    assert client_ip(_request(remote="198.51.100.4")) == "198.51.100.4"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_fewer_forwarded_addresses_than_proxies_falls_back_instead_of_failing():
    assert client_ip(_request("203.0.113.9", remote="198.51.100.4")) == "198.51.100.4"


def test_no_request_no_address():
    assert client_ip(None) is None


@pytest.mark.parametrize("count, limited", [(0, True), (1, False)])
def test_login_limit_counts_each_tenant_behind_the_proxy_apart(count, limited, settings):
    """With the proxy trusted, 40 tenants logging in within a minute through
    one proxy are 40 addresses; without it they are one and hit the limit."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "30/m/ip"}
    cache.clear()
    allowed = [ratelimit.consume(_request(f"203.0.113.{n}"), action="login") for n in range(40)]
    assert (not all(allowed)) is limited
