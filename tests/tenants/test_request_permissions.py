"""Who may act on a request: one rule (tenants.selectors.requests), and the
services that refuse and the admin pages that offer the forms both follow it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from portal.models.accounts import StaffMembership
from tenants.selectors.requests import (
    handles_requests,
    may_assign,
    may_work_on,
    request_centres_handled_by,
)
from tenants.services.request_status import request_close, request_reopen
from tenants.services.requests import RequestError, request_assign, request_reply
from tenants.services.storage import storage_deposit
from tests.base import make_request

pytestmark = pytest.mark.django_db


def _people(world):
    return {
        "ops_a": world.ops_a, "ops_b": world.ops_b, "drafter_a": world.drafter_a, "leader_a": world.leader_a,
        "seal_a": world.seal_a, "editor_a": world.editor_a, "manager": world.manager, "signer_a": world.signer_a,
    }


def test_the_centres_operations_staff_and_managers_handle_its_requests(world):
    handlers = {name for name, user in _people(world).items() if handles_requests(user, world.centre_a)}
    assert handlers == {"ops_a", "manager"}
    assert list(request_centres_handled_by(world.ops_a)) == [world.centre_a]
    assert set(request_centres_handled_by(world.manager)) == {world.centre_a, world.centre_b}
    assert not request_centres_handled_by(world.drafter_a).exists()
    assert not request_centres_handled_by(world.signer_a).exists()


def test_the_assignee_works_on_their_request_but_does_not_assign_it(world):
    sr = make_request(world)
    other = make_request(world)
    request_assign(actor=world.ops_a, service_request=sr, assignee=world.drafter_a)
    sr.refresh_from_db()
    assert may_work_on(world.drafter_a, sr) and not may_assign(world.drafter_a, sr)
    assert not may_work_on(world.drafter_a, other)
    assert may_work_on(world.ops_a, sr) and may_assign(world.ops_a, sr)
    assert not may_work_on(world.leader_a, sr) and not may_work_on(world.signer_a, sr)
    assert not may_work_on(world.ops_b, sr) and not may_assign(world.ops_b, sr)


def test_an_assignee_who_left_the_centre_no_longer_works_on_the_request(world):
    sr = make_request(world)
    request_assign(actor=world.ops_a, service_request=sr, assignee=world.drafter_a)
    sr.refresh_from_db()
    StaffMembership.objects.filter(user=world.drafter_a).update(active=False)
    assert not may_work_on(world.drafter_a, sr)
    with pytest.raises(PermissionDenied):
        request_close(actor=world.drafter_a, service_request=sr, resolution="已修复")


def test_the_services_refuse_exactly_whom_the_rule_refuses(world):
    sr = make_request(world)
    for name, user in _people(world).items():
        works, assigns = may_work_on(user, sr), may_assign(user, sr)
        try:
            request_reply(actor=user, service_request=sr, body="内部备注", internal=True)
            replied = True
        except PermissionDenied:
            replied = False
        try:
            request_assign(actor=user, service_request=sr, department="engineering")
            assigned = True
        except PermissionDenied:
            assigned = False
        try:
            storage_deposit(actor=user, tenant=world.tenant_a, items="图纸", quantity=1, location="服务台",
                            depositor_name="王店长")
            deposited = True
        except PermissionDenied:
            deposited = False
        assert (replied, assigned, deposited) == (works, assigns, handles_requests(user, world.centre_a)), name


def test_the_request_page_offers_the_forms_the_rule_allows(world):
    sr = make_request(world)
    request_assign(actor=world.ops_a, service_request=sr, assignee=world.drafter_a)
    page = reverse("wagtailsnippets_tenants_servicerequest:inspect", args=[sr.pk])
    for user, reply, assign in [(world.ops_a, True, True), (world.drafter_a, True, False), (world.leader_a, False, False)]:
        client = Client()
        client.force_login(user)
        html = client.get(page).content.decode()
        assert ('data-testid="reply-form"' in html, 'data-testid="assign-form"' in html) == (reply, assign), user


def test_a_closed_request_is_reopened_on_the_staff_side_by_handlers_only(world):
    sr = make_request(world)
    request_assign(actor=world.ops_a, service_request=sr, assignee=world.drafter_a)
    request_close(actor=world.drafter_a, service_request=sr, resolution="已修复")
    with pytest.raises(PermissionDenied):
        request_reopen(actor=world.drafter_a, service_request=sr, reason="又坏了")
    request_reopen(actor=world.ops_a, service_request=sr, reason="又坏了")
    sr.refresh_from_db()
    assert sr.is_open
    with pytest.raises(RequestError):
        request_reopen(actor=world.ops_a, service_request=sr, reason="again")
