"""Survey invitations to the contacts of the centre's tenants: every address,
once per survey, whether or not the contact has a portal account."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.outbox import send_once
from tenants.models import Contact

from ..models import ReminderSent, Survey, SurveyStatus
from ..selectors.surveys import invitation_prefix, survey_tenants
from .survey_links import survey_link_path


def invitation_key(survey_id: int, email: str) -> str:
    return invitation_prefix(survey_id) + email.strip().lower()


def _invitees(survey: Survey) -> dict[str, list[Contact]]:
    """The active contacts with an email of the survey's tenants, by address
    (one person may be the contact of two shops: one email, both links)."""
    contacts = (Contact.objects.active().filter(tenant__in=survey_tenants(survey)).exclude(email="")
                .select_related("tenant").order_by("tenant__trading_name", "pk"))
    by_address = defaultdict(list)
    for contact in contacts:
        by_address[contact.email.strip().lower()].append(contact)
    return by_address


def _links(survey: Survey, contacts: list[Contact]) -> list[tuple[str, str]]:
    """(shop, link) for the email, one per shop: a contact with an account
    answers signed in, on the page that offers each of their shops; one
    without gets the shop's signed link (visits.services.survey_links)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    by_shop: dict[int, list[Contact]] = {}
    for c in contacts:
        by_shop.setdefault(c.tenant_id, []).append(c)
    links = []
    for shop in by_shop.values():
        c = next((c for c in shop if c.user_id is not None), shop[0])
        path = reverse("visits:survey_answer", args=[survey.pk]) if c.user_id else survey_link_path(survey, c)
        links.append((c.tenant.trading_name, base + path))
    return links


def _invited_before(survey: Survey) -> set[str]:
    """Addresses invited by the earlier scheme (one ReminderSent row per
    account): a survey opened before this change does not invite them twice."""
    rows = ReminderSent.objects.filter(kind="survey", key=str(survey.pk)).values_list("user__email", flat=True)
    return {e.strip().lower() for e in rows if e}


def survey_invitations(*, survey_id: int) -> int:
    """Invite every address once per survey (portal.outbox.send_once under
    "survey:<id>:<address>"), so a redelivered task or a second worker mails
    nobody twice. Returns the emails sent by this run."""
    survey = Survey.objects.select_related("centre").filter(pk=survey_id, status=SurveyStatus.OPEN).first()
    if survey is None:
        return 0
    before = _invited_before(survey)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for address, contacts in _invitees(survey).items():
            if address in before:
                continue
            ctx = {"survey": survey, "contact": contacts[0], "links": _links(survey, contacts),
                   "signed": any(c.user_id is None for c in contacts)}
            message = EmailMessage(render_to_string("visits/email/survey_subject.txt", ctx).strip(),
                                   render_to_string("visits/email/survey.txt", ctx), None, [contacts[0].email])
            sent += send_once(invitation_key(survey.pk, address), emails=[message])
    return sent
