"""Every state-changing endpoint of the project, POSTed by the wrong people:
each must be refused (403, 404, or a redirect to the login page or the admin
dashboard) and leave every row of the project's tables as it was.

Each view of the project is declared here: in POST_CASES (whose record, what
data, who must be refused) or in READ_ONLY (why a POST changes nothing). A
new view fails `test_every_project_view_is_declared` until it is listed."""

from __future__ import annotations

import functools
import hashlib
import logging
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.base import PDF_BYTES, PNG_BYTES

from .walk import is_project_view, walk_patterns

STAFF_A = ("ops_a", "drafter_a", "leader_a", "seal_a", "editor_a", "reviewer_a", "web_a", "archivist_a")
TENANTS = ("signer_a", "signer_a2", "nonsigner_a", "signer_b")
# A staff action on a record of centre B: nobody of centre A, no tenant.
NOT_CENTRE_B_STAFF = (*STAFF_A, *TENANTS, "anonymous")
# A tenant's action on a record of tenant Y: X's people, B's, staff, anonymous.
NOT_TENANT_Y = ("signer_a", "nonsigner_a", "signer_b", "ops_a", "ops_b", "anonymous")
# A tenant's action on a record of centre B (its survey, handbook, meeting).
NOT_CENTRE_B_TENANT = ("signer_a", "signer_a2", "nonsigner_a", "ops_a", "anonymous")


def _pdf():
    return SimpleUploadedFile("lease.pdf", PDF_BYTES, content_type="application/pdf")


def _png():
    return SimpleUploadedFile("scan.png", PNG_BYTES, content_type="image/png")


def _soon(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# name -> (variant, kwargs(objs), data(objs), wrong roles)
POST_CASES = {
    # --- archive ---
    "tenants_archive:documents": ("B", lambda o: {"tenant_pk": o["tenant"].pk},
                                  lambda o: {"kind": "fire_permit", "title": "x", "file": _pdf(),
                                             "confidentiality": "normal"}, NOT_CENTRE_B_STAFF),
    "tenants_archive:document_new": ("B", lambda o: {"tenant_pk": o["tenant"].pk},
                                     lambda o: {"kind": "fire_permit", "title": "x", "file": _pdf(),
                                                "confidentiality": "normal"}, NOT_CENTRE_B_STAFF),
    "tenants_archive:document_replace": ("B", lambda o: {"pk": o["archive_document"].pk},
                                         lambda o: {"title": "x", "file": _pdf()}, NOT_CENTRE_B_STAFF),
    "tenants_archive:access_ask": ("B", lambda o: {"tenant_pk": o["tenant"].pk},
                                   lambda o: {"reason": "看看", "hours": 2}, NOT_CENTRE_B_STAFF),
    "tenants_archive:access_decide": ("B", lambda o: {"pk": o["grant"].pk, "decision": "grant"},
                                      lambda o: {"hours": 2}, (*NOT_CENTRE_B_STAFF, "ops_b")),
    "tenants_archive:import_confirm": ("B", lambda o: {"token": o["import_token"]}, lambda o: {},
                                       NOT_CENTRE_B_STAFF),
    # --- service desk, recordings, storage ---
    "wagtailsnippets_tenants_servicerequest:act": (
        "B", lambda o: {"pk": o["service_request"].pk, "action": "close"},
        lambda o: {"resolution": "已处理", "outcome": "resolved"}, NOT_CENTRE_B_STAFF),
    "wagtailsnippets_tenants_servicerequest:add": (
        "B", lambda o: {}, lambda o: {"tenant": o["tenant"].pk, "category": "repair", "channel": "hotline",
                                      "severity": "ordinary", "subject": "x", "description": "x"},
        (*STAFF_A, *TENANTS, "anonymous")),
    "tenants_recordings:add": ("B", lambda o: {"pk": o["service_request"].pk},
                               lambda o: {"file": SimpleUploadedFile("c.wav", b"RIFF0000WAVE", "audio/wav")},
                               NOT_CENTRE_B_STAFF),
    "tenants_recordings:hold": ("B", lambda o: {"pk": o["recording"].pk},
                                lambda o: {"reason": "x", "keep_until": _soon()}, NOT_CENTRE_B_STAFF),
    "tenants_recordings:release": ("B", lambda o: {"pk": o["hold"].pk}, lambda o: {"note": "x"}, NOT_CENTRE_B_STAFF),
    "wagtailsnippets_tenants_storagedeposit:collect": (
        "B", lambda o: {"pk": o["deposit"].pk}, lambda o: {"collector_name": "李", "id_last4": "123X"},
        NOT_CENTRE_B_STAFF),
    "wagtailsnippets_tenants_storagedeposit:add": (
        "B", lambda o: {}, lambda o: {"tenant": o["tenant"].pk, "depositor_name": "x", "items": "x", "quantity": 1,
                                      "location": "x"}, (*STAFF_A, *TENANTS, "anonymous")),
    # --- letters ---
    "notices_letters:decide": ("B", lambda o: {"pk": o["pending_letter"].pk}, lambda o: {"action": "approve"},
                               (*NOT_CENTRE_B_STAFF, "ops_b")),
    "notices_letters:retry": ("B", lambda o: {"pk": o["letter"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    # Wagtail's approve button, through the letter viewset's own view class.
    "wagtailsnippets_notices_letter:workflow_action": (
        "B", lambda o: {"pk": o["pending_letter"].pk, "action_name": "approve", "task_state_id": o["task_state"].pk},
        lambda o: {}, (*NOT_CENTRE_B_STAFF, "ops_b")),
    # The letter's add page (its own view class: no autosave before the letter exists).
    "wagtailsnippets_notices_letter:add": (
        "B", lambda o: {}, lambda o: {
            "centre": o["centre"].pk, "kind": "notice", "department": "safety", "title": "x", "addressee": "各位商户",
            "body": '{"blocks":[{"key":"a","text":"x","type":"unstyled","depth":0,"inlineStyleRanges":[],'
                    '"entityRanges":[]}],"entityMap":{}}',
            "recipient_mode": "all", "remind_after_days": 1, "remind_every_days": 2, "remind_max": 5,
            "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"},
        (*STAFF_A, "ops_b", *TENANTS, "anonymous")),
    "notices_letters:remind": ("B", lambda o: {"pk": o["letter"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "notices_letters:receipts_zip_prepare": ("B", lambda o: {"pk": o["letter"].pk}, lambda o: {},
                                             NOT_CENTRE_B_STAFF),
    "notices_letters:paper": ("OPEN", lambda o: {"pk": o["open_letter"].pk, "delivery_pk": o["open_delivery_y"].pk},
                              lambda o: {"signer_name": "x", "signed_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
                                         "scan": _png()},
                              ("ops_b", *TENANTS, "anonymous")),
    "notices_inbox:code": ("OPEN", lambda o: {"pk": o["open_delivery_y"].pk}, lambda o: {"channel": "email"},
                           NOT_TENANT_Y),
    "notices_inbox:sign": ("OPEN", lambda o: {"pk": o["open_delivery_y"].pk},
                           lambda o: {"pdf_sha256": o["open_delivery_y"].pdf_sha256, "password": "x" * 8},
                           NOT_TENANT_Y),
    "notices_inbox:question": ("OPEN", lambda o: {"pk": o["open_delivery_y"].pk},
                               lambda o: {"subject": "x", "description": "x"}, NOT_TENANT_Y),
    # --- fire safety ---
    "fire_admin:round_open": ("B", lambda o: {"centre_pk": o["centre"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "fire_admin:form_new": ("B", lambda o: {"pk": o["round"].pk, "tenant_pk": o["tenant"].pk}, lambda o: {},
                            NOT_CENTRE_B_STAFF),
    "fire_admin:case": ("B", lambda o: {"pk": o["fire_case"].pk}, lambda o: {"rectified": "on", "note": "x"},
                        NOT_CENTRE_B_STAFF),
    "fire_admin:case_letter_retry": ("B", lambda o: {"pk": o["fire_case"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "fire_admin:report_request": ("B", lambda o: {"pk": o["round"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "fire_admin:round_notice": ("B", lambda o: {"pk": o["round"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "fire:my_case": ("Y", lambda o: {"pk": o["fire_case"].pk}, lambda o: {"note": "已整改"}, NOT_TENANT_Y),
    # --- visits, meetings, surveys ---
    "visits:qr_renew": ("B", lambda o: {"unit_pk": o["unit"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "visits:reassign": ("B", lambda o: {"pk": o["planned_visit"].pk}, lambda o: {"assignee": o["staff"].pk},
                        NOT_CENTRE_B_STAFF),
    "visits:plan_refresh": ("B", lambda o: {"centre_pk": o["centre"].pk}, lambda o: {}, NOT_CENTRE_B_STAFF),
    "visits:meeting": ("B", lambda o: {"pk": o["meeting"].pk},
                       lambda o: {"action": "attend", "a-tenant": o["tenant"].pk, "a-attendee_name": "x"},
                       NOT_CENTRE_B_STAFF),
    "visits:record_new": ("B", lambda o: {}, lambda o: {"tenant": o["tenant"].pk, "mode": "phone", "people_met": "x",
                                                        "topics": "x"}, (*STAFF_A, *TENANTS, "anonymous")),
    "visits:survey_status": ("B", lambda o: {"pk": o["survey"].pk}, lambda o: {"status": "closed"},
                             NOT_CENTRE_B_STAFF),
    "visits:survey_answer": ("B", lambda o: {"pk": o["survey"].pk},
                             lambda o: {f"q{q.pk}": 5 for q in o["survey"].questions.all()}, NOT_CENTRE_B_TENANT),
    "visits:door": ("B", lambda o: {"token": o["door_token"]}, lambda o: {"tenant": o["tenant"].pk},
                    ("signer_a", "signer_a2", "nonsigner_a", "ops_a")),
    # --- the tenant's requests ---
    "tenants:my_request": ("Y", lambda o: {"pk": o["service_request"].pk}, lambda o: {"text": "x"}, NOT_TENANT_Y),
    "tenants:my_request_rate": ("Y", lambda o: {"pk": o["service_request"].pk}, lambda o: {"rating": 1},
                                NOT_TENANT_Y),
    "tenants:my_request_reopen": ("Y", lambda o: {"pk": o["service_request"].pk}, lambda o: {"reason": "x"},
                                  NOT_TENANT_Y),
    # --- the feedback board ---
    "feedback:new": ("B", lambda o: {"code": o["centre"].code},
                     lambda o: {"tenant": o["tenant"].pk, "kind": "question", "subject": "x", "body": "x"},
                     ("signer_a", "signer_a2", "nonsigner_a", *STAFF_A, "ops_b", "anonymous")),
    "wagtailsnippets_tenants_feedbackpost:act": ("B", lambda o: {"pk": o["feedback_post"].pk, "action": "show"},
                                                 lambda o: {}, NOT_CENTRE_B_STAFF),
    "wagtailsnippets_tenants_feedbackreply:add": (
        "B", lambda o: {}, lambda o: {"post": o["feedback_post"].pk, "department": "operations", "body": "x"},
        (*STAFF_A, *TENANTS, "anonymous")),
    "wagtailsnippets_tenants_phoneblock:add": (
        "B", lambda o: {}, lambda o: {"centre": o["centre"].pk, "emergency": "110", "service": "12345",
                                      "complaint": "12345", "government": "12345"},
        (*STAFF_A, *TENANTS, "anonymous")),
    # The approve buttons: only the reply's department at its centre (never
    # its drafter, ops_b here), only a leader of the centre for the telephones.
    "wagtailsnippets_tenants_feedbackreply:workflow_action": (
        "B", lambda o: {"pk": o["feedback_reply"].pk, "action_name": "approve",
                        "task_state_id": o["reply_task_state"].pk},
        lambda o: {}, (*NOT_CENTRE_B_STAFF, "ops_b")),
    "wagtailsnippets_tenants_phoneblock:workflow_action": (
        "B", lambda o: {"pk": o["phone_block"].pk, "action_name": "approve", "task_state_id": o["phones_task_state"].pk},
        lambda o: {}, (*NOT_CENTRE_B_STAFF, "ops_b")),
    # --- published content, alerts, invitations ---
    "pages:handbook_ack": ("B", lambda o: {"edition_id": o["edition"].pk}, lambda o: {}, NOT_CENTRE_B_TENANT),
    "broadcasts:confirm": ("Y", lambda o: {"recipient_id": o["alert_recipient"].pk}, lambda o: {}, NOT_TENANT_Y),
    "portal_alerts:action": ("B", lambda o: {"alert_id": o["alert"].pk, "action": "close"}, lambda o: {},
                             NOT_CENTRE_B_STAFF),
    "portal_greetings:detail": ("B", lambda o: {"greeting_id": o["greeting"].pk}, lambda o: {"approve": "1"},
                                NOT_CENTRE_B_STAFF),
    "portal_greetings:new": ("B", lambda o: {}, lambda o: {"centre": o["centre"].pk, "holiday": "Spring Festival",
                                                           "send_on": _soon(60), "title": "x", "message": "x"},
                             (*STAFF_A, *TENANTS, "anonymous")),
    "portal_alerts:new": ("B", lambda o: {}, lambda o: {"kind": "typhoon", "level": "orange", "title": "x",
                                                        "message": "x", "centres": [o["centre"].pk]},
                          (*STAFF_A, *TENANTS, "anonymous")),
    "portal_invitations:new": ("B", lambda o: {}, lambda o: {"kind": "staff", "email": "x@x.test",
                                                             "centre": o["centre"].pk, "role": "operations"},
                               (*STAFF_A, *TENANTS, "anonymous")),
    "portal_editions:new": ("B", lambda o: {}, lambda o: {"handbook": o["handbook"].pk, "changes": "x"},
                            (*STAFF_A, *TENANTS, "anonymous")),
}

# Create forms (the URL is the user's own; another centre's record is only in
# the data): the form refuses the record (re-rendered with its error, 200 or
# 400) — nothing is written, which the row check proves.
FORM_REFUSES = {
    "wagtailsnippets_tenants_servicerequest:add", "wagtailsnippets_tenants_storagedeposit:add", "visits:record_new",
    "wagtailsnippets_notices_letter:add", "wagtailsnippets_tenants_feedbackreply:add",
    "wagtailsnippets_tenants_phoneblock:add",
    "portal_alerts:new", "portal_invitations:new", "portal_editions:new", "portal_greetings:new",
}
# A staff member of the same centre who may see the record but not act on it
# is sent back to it with a message.
REFUSED_WITH_MESSAGE = {"notices_letters:decide"}

# The project's views that change nothing on POST (or whose POST is the
# owner's own, keyed by a secret): why each needs no wrong-person case.
READ_ONLY = {
    **dict.fromkeys([
        "fire:my_cases", "visits:my_visits", "visits:my_meetings", "tenants:my_requests", "notices_inbox:inbox",
        "portal_alerts:index", "portal_greetings:index", "portal_editions:index", "portal_invitations:index",
        "tenants_archive:documents_index", "tenants_archive:access", "tenants_recordings:log",
        "wagtailsnippets_tenants_servicerequest:list", "wagtailsnippets_tenants_servicerequest:list_results",
        "wagtailsnippets_tenants_storagedeposit:list", "wagtailsnippets_tenants_storagedeposit:list_results",
        "wagtailsnippets_tenants_tenant:list", "wagtailsnippets_tenants_tenant:list_results",
        "wagtailsnippets_tenants_feedbackpost:list", "wagtailsnippets_tenants_feedbackpost:list_results",
        "feedback:index", "feedback:board",
        "portal_fee_notices:index",
    ], "a list"),
    **dict.fromkeys([
        "portal:landing", "portal:tenant_home", "visits:record", "visits:my_meeting", "pages:search",
        "portal_alerts:detail", "portal_editions:detail", "tenants_archive:import_job", "notices_letters:detail",
        "fire_admin:overview", "fire_admin:round", "fire_admin:form", "visits_dashboard:index",
        "visits_dashboard:drill", "visits_dashboard:export", "notices_letters:receipts_zip_job",
        "wagtailsnippets_tenants_servicerequest:inspect",
        "wagtailsnippets_tenants_storagedeposit:inspect", "wagtailsnippets_tenants_tenant:inspect",
        "tenants_archive:history",
        "wagtailsnippets_tenants_feedbackpost:inspect", "feedback:post",
        # The decision buttons on these pages post to Wagtail's workflow action view.
        "wagtailsnippets_tenants_feedbackreply:inspect", "wagtailsnippets_tenants_phoneblock:inspect",
    ], "a page"),
    **dict.fromkeys([
        "fire:photo", "visits:photo", "visits:minutes_file", "tenants:request_photo", "pages:notice_attachment",
        "pages:handbook_pdf", "tenants_archive:document_download", "tenants_archive:import_template",
        "tenants_archive:export", "tenants_recordings:file", "notices_letters:pdf", "notices_letters:attachment",
        "notices_letters:deliveries_xlsx", "notices_letters:receipts_zip", "notices_letters:receipt_certificate",
        "notices_letters:receipt_scan", "fire_admin:report_pdf", "visits_dashboard:xlsx",
        "visits_dashboard:export_download", "wagtailsnippets_tenants_servicerequest:record_form",
        "wagtailsnippets_tenants_storagedeposit:register", "portal_fee_notices:pdf",
    ], "a file"),
    **dict.fromkeys([
        "notices_inbox:letter", "notices_inbox:pdf", "notices_inbox:page", "notices_inbox:receipt", "notices_inbox:attachment"
    ], "GET only"),
    "admin_error_test_off": "a 404 in place of Wagtail's deliberate error page",
    "portal:invitation_accept": "the token from the email is the credential; tested in tests/portal",
    "visits:survey_link": "the signed link from the survey email is the credential (anyone holding it answers for "
                          "its shop, once); tested in tests/visits/test_survey_links.py",
    "notices:verify": "public: checks an uploaded PDF, stores nothing",
    "notices_letters:recipient_count": "GET only: a count for the letter form",
    **dict.fromkeys([
        f"notices_recipient_{model}:{view}" for model in ("tenants", "units")
        for view in ("choose", "choose_results", "chosen", "chosen_multiple")
    ], "GET only: the letter form's recipient choosers (a POST answers 405)"),
    "visits:scan": "GET check-in by the unit's QR token, for staff of the unit's centre (tests/visits)",
    "visits:qr_sheet": "a sheet",
    "visits:meetings": "GET list; POST creates a meeting in the user's own centres",
    "visits:meeting_door": "a QR page",
    "visits:surveys": "GET list; POST creates a survey in the user's own centres",
    "visits:survey": "one survey's page and results; its buttons post to visits:survey_status",
    "admin/login/": "only redirects to allauth's login; a posted password is never read (tests/portal/test_login_paths.py)",
    "pages/_util/login/": "only redirects to allauth's login; a posted password is never read",
    "tenants:my_request_new": "creates a request for the user's own tenant only",
    "tenants_archive:import": "stores the user's own upload and queues its check (a dry run); writes nothing to the archive",
    "visits_dashboard:export_request": "queues an export of the user's own centres only",
    "wagtailsnippets_notices_letter:edit": "Wagtail's edit view, scoped by the viewset wrapper (tests/notices)",
    "portal_language:switch": "sets the poster's own admin language only (tests/portal/test_admin_language.py)",
    **dict.fromkeys(["health", "health_workers", "metrics"], "GET only: a POST is a 405 (tests/operations)"),
}


@functools.cache
def _fingerprint_queries() -> list[tuple[str, str, tuple]]:
    """The SQL that reads every row of the project's tables (and Wagtail's
    pages, revisions and workflow states), compiled once: the test reads
    them ~200 times. The audit log is left out: a refusal may be audited."""
    wanted = {"tenants", "notices", "fire", "visits", "portal", "wagtailcore", "wagtaildocs", "wagtailimages"}
    skip = {"portal.AuditEvent", "portal.AuditChainHead"}
    queries = []
    for model in apps.get_models():
        if model._meta.app_label in wanted and model._meta.label not in skip and not model._meta.proxy:
            sql, params = model._base_manager.order_by("pk").values_list().query.sql_with_params()
            queries.append((model._meta.label, sql, params))
    return queries


def _fingerprint() -> dict[str, str]:
    """A hash of every row of those tables, as the database returns them."""
    out = {}
    with connection.cursor() as cursor:
        for label, sql, params in _fingerprint_queries():
            cursor.execute(sql, params)
            out[label] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return out


def _refused(name, response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if name in FORM_REFUSES and response.status_code in (200, 400):
        return True
    if name in REFUSED_WITH_MESSAGE and response.status_code == 302:
        return True
    if response.status_code == 302:
        target = urlparse(response["Location"]).path
        return target in ("/accounts/login/", "/admin/", "/admin/login/")
    return False


def test_every_project_view_is_declared():
    missing = [f"{p.name}  ({p.route}, {p.module})" for p in walk_patterns()
               if is_project_view(p) and p.name not in POST_CASES and p.name not in READ_ONLY]
    names = {p.name for p in walk_patterns()}
    missing += [f"{name}: declared here but no longer a URL pattern — delete it" for name in (*POST_CASES, *READ_ONLY)
                if name not in names]
    assert not missing, ("These views of the project are not declared in tests/access/test_wrong_person_posts.py: "
                         "add each to POST_CASES (who must be refused) or READ_ONLY (why a POST changes nothing):\n"
                         + "\n".join(missing))


@pytest.mark.django_db
def test_state_changing_posts_by_the_wrong_person(access_world, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")
    objs_for = dict(access_world.by_variant)
    open_letter = access_world.open_letter
    objs_for["OPEN"] = {**access_world.objects("Y"), "open_letter": open_letter,
                        "open_delivery_y": open_letter.deliveries.get(tenant=access_world.w.tenant_a2)}
    problems, tries = [], 0
    clients = {}
    for role, user in access_world.people.items():
        clients[role] = Client(raise_request_exception=False)
        if user is not None:
            clients[role].force_login(user)
    for name, (variant, kwargs, data, wrong) in POST_CASES.items():
        o = objs_for[variant]
        url = reverse(name, kwargs=kwargs(o))
        # One fingerprint around all the wrong people of an endpoint: the
        # rows are hashed twice per endpoint, not twice per POST.
        before = _fingerprint()
        for role in wrong:
            response = clients[role].post(url, data(o))
            tries += 1
            if not _refused(name, response):
                where = f" -> {response['Location']}" if response.status_code == 302 else ""
                problems.append(f"POST {url} ({name}) as {role}: {response.status_code}{where}, not refused")
        changed = sorted(k for k, v in _fingerprint().items() if before.get(k) != v)
        if changed:
            problems.append(f"POST {url} ({name}) by one of {', '.join(wrong)}: changed {', '.join(changed)}")
    print(f"\n{tries} wrong-person POSTs over {len(POST_CASES)} endpoints")  # noqa: T201
    assert not problems, f"{len(problems)} wrong-person POST problem(s):\n" + "\n".join(problems)
