"""The fill table: how each URL pattern of the project gets real objects.

`fill(pattern, objs)` returns the URLs to request for one variant of the
world (centre A / tenant X, tenant Y, or centre B) — or raises `NoFill` for
a pattern nobody has described yet, which fails the access test.

Three layers, first match wins:
1. EXPLICIT: pattern name -> function(objs) -> dict of kwargs, a list of
   them, or a ready path (for regex patterns).
2. Families: every Wagtail snippet viewset and chooser
   (`wagtailsnippets_<app>_<model>`, `wagtailsnippetchoosers_<app>_<model>`)
   and every Django-admin model (`admin:<app>_<model>_<view>`) by model key.
3. A pattern without kwargs needs no fill.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.urls import reverse

from .walk import Pattern


class NoFill(Exception):
    pass


class Skip(Exception):
    """A pattern deliberately not requested (the reason is the message)."""


# Which world key holds the object of each snippet / Django-admin model.
MODEL_KEYS = {
    "tenants_tenant": "tenant", "tenants_unit": "unit", "tenants_contact": "contact", "tenants_centre": "centre",
    "tenants_servicerequest": "service_request", "tenants_deadlinepolicy": "deadline_policy",
    "tenants_storagedeposit": "deposit", "notices_letter": "letter", "notices_sealuse": "seal_use",
    "notices_lettertemplate": "letter_template", "fire_checklistitem": "checklist_item",
    "visits_visitpolicy": "visit_policy",
    "tenants_feedbackpost": "feedback_post", "tenants_feedbackreply": "feedback_reply",
    "tenants_hotissue": "hot_issue", "tenants_phoneblock": "phone_block", "tenants_boardsettings": "board_settings",
    # Django admin (superuser only: nobody else is is_staff).
    "auth_group": "editor_group", "portal_user": "user", "portal_staffmembership": "membership",
    "portal_invitation": "invitation", "wagtaildocs_document": "document", "wagtailimages_image": "image",
}
# Django-admin models without a record in the world: any id does, only the
# superuser gets past the admin's login, and a missing id is its own 302/404.
NO_RECORD_ADMIN = ("portal_auditevent", "taggit_tag", "account_emailaddress", "mfa_authenticator",
                   "django_celery_beat_periodictask", "django_celery_beat_clockedschedule",
                   "django_celery_beat_crontabschedule", "django_celery_beat_solarschedule",
                   "django_celery_beat_intervalschedule")

# World keys whose records belong to a tenant (marker of the variant: X, Y or
# B); everything else belongs to the centre (A or B).
TENANT_KEYS = {
    "tenant", "unit", "contact", "letter", "letter_attachment", "delivery", "receipt", "receipts_zip", "seal_use",
    "service_request",
    "request_photo", "recording", "hold", "deposit", "archive_document", "grant", "fire_form", "fire_case",
    "fire_photo", "unit_token", "visit", "visit_photo", "suggestion", "planned_visit", "alert_recipient", "user",
    "feedback_post", "feedback_reply", "survey_link_token",
}


def _pk(key):
    return lambda o: {"pk": o[key].pk}


def _page(key="private_notice"):
    return lambda o: {"page_id": o[key].pk}


def _revision(id_name, obj_key, revision_key):
    return lambda o: {id_name: o[obj_key].pk, "revision_id": o[revision_key].pk}


def _workflow_action(id_name, obj_key, state_key):
    return lambda o: {id_name: o[obj_key].pk, "action_name": "approve", "task_state_id": o[state_key].pk}


def _workflow_history(id_name, obj_key, state_key):
    return lambda o: {id_name: o[obj_key].pk, "workflow_state_id": o[state_key].workflow_state_id}


def _workflow_fills(model: str, obj_key: str, revision_key: str, state_key: str) -> dict:
    """The revision and workflow views of a snippet with a workflow."""
    ns = f"wagtailsnippets_tenants_{model}"
    return {
        f"{ns}:revisions_revert": _revision("pk", obj_key, revision_key),
        f"{ns}:revisions_unschedule": _revision("pk", obj_key, revision_key),
        f"{ns}:revisions_compare":
            lambda o: f"/admin/snippets/tenants/{model}/history/{o[obj_key].pk}/revisions/compare/earliest...latest/",
        f"{ns}:workflow_action": _workflow_action("pk", obj_key, state_key),
        f"{ns}:collect_workflow_action_data": _workflow_action("pk", obj_key, state_key),
        f"{ns}:workflow_history_detail": _workflow_history("pk", obj_key, state_key),
    }


def _serve_paths(o):
    from urllib.parse import urlparse

    return [urlparse(o[key].get_url()).path for key in ("home", "public_notice", "private_notice", "handbook")]


EXPLICIT = {
    # --- the project's own views ---
    "portal:invitation_accept": lambda o: {"token": o["invitation_token"]},
    "fire:my_case": _pk("fire_case"),
    "fire:photo": _pk("fire_photo"),
    "visits:record": _pk("visit"),
    "visits:photo": _pk("visit_photo"),
    "visits:scan": lambda o: {"token": o["unit_token"]},
    "visits:qr_sheet": lambda o: {"centre_pk": o["centre"].pk},
    "visits:qr_renew": lambda o: {"unit_pk": o["unit"].pk},
    "visits:reassign": _pk("planned_visit"),
    "visits:plan_refresh": lambda o: {"centre_pk": o["centre"].pk},
    "visits:meeting": _pk("meeting"),
    "visits:meeting_door": _pk("meeting"),
    "visits:minutes_file": _pk("meeting"),
    "visits:survey_status": _pk("survey"),
    "visits:survey": _pk("survey"),
    "visits:door": lambda o: {"token": o["door_token"]},
    "visits:my_meeting": _pk("meeting"),
    "visits:survey_answer": _pk("survey"),
    "visits:survey_link": lambda o: {"token": o["survey_link_token"]},
    "tenants:my_request": _pk("service_request"),
    "tenants:my_request_rate": _pk("service_request"),
    "tenants:my_request_reopen": _pk("service_request"),
    "tenants:request_photo": _pk("request_photo"),
    "notices_inbox:letter": _pk("delivery"),
    "notices_inbox:pdf": _pk("delivery"),
    "notices_inbox:page": lambda o: {"pk": o["delivery"].pk, "page": 1},
    "notices_inbox:code": _pk("delivery"),
    "notices_inbox:sign": _pk("delivery"),
    "notices_inbox:question": _pk("delivery"),
    "notices_inbox:receipt": _pk("delivery"),
    "notices_inbox:attachment": lambda o: {"pk": o["delivery"].pk, "attachment_pk": o["letter_attachment"].pk},
    "pages:notice_attachment": lambda o: {"page_id": o["private_notice"].pk, "attachment_id": o["notice_attachment"].pk},
    "pages:handbook_pdf": lambda o: {"edition_id": o["edition"].pk},
    "pages:handbook_ack": lambda o: {"edition_id": o["edition"].pk},
    "broadcasts:confirm": lambda o: {"recipient_id": o["alert_recipient"].pk},
    "portal_alerts:detail": lambda o: {"alert_id": o["alert"].pk},
    "portal_alerts:action": lambda o: [{"alert_id": o["alert"].pk, "action": a} for a in ("send", "chase", "close")],
    "portal_greetings:detail": lambda o: {"greeting_id": o["greeting"].pk},
    "portal_editions:detail": lambda o: {"edition_id": o["edition"].pk},
    "portal_fee_notices:pdf": lambda o: {"notice_id": o["fee_notice"].pk},
    "tenants_archive:documents": lambda o: {"tenant_pk": o["tenant"].pk},
    "tenants_archive:history": lambda o: {"tenant_pk": o["tenant"].pk},
    "tenants_archive:document_new": lambda o: {"tenant_pk": o["tenant"].pk},
    "tenants_archive:access_ask": lambda o: {"tenant_pk": o["tenant"].pk},
    "tenants_archive:document_replace": _pk("archive_document"),
    "tenants_archive:document_download": _pk("archive_document"),
    "tenants_archive:access_decide": lambda o: [{"pk": o["grant"].pk, "decision": d} for d in ("grant", "refuse")],
    "tenants_archive:import_confirm": lambda o: {"token": o["import_token"]},
    "tenants_archive:import_job": lambda o: {"token": o["import_token"]},
    "tenants_archive:import_template": lambda o: [{"resource": r} for r in ("tenants", "units", "contacts")],
    "tenants_archive:export": lambda o: [{"resource": r, "fmt": f} for r in ("tenants", "units", "contacts")
                                         for f in ("xlsx", "csv")],
    "tenants_recordings:add": _pk("service_request"),
    "tenants_recordings:file": _pk("recording"),
    "tenants_recordings:hold": _pk("recording"),
    "tenants_recordings:release": _pk("hold"),
    "notices_letters:detail": _pk("letter"),
    "notices_letters:pdf": _pk("letter"),
    "notices_letters:attachment": lambda o: {"pk": o["letter"].pk, "attachment_pk": o["letter_attachment"].pk},
    "notices_letters:retry": _pk("letter"),
    "notices_letters:recipient_count": lambda o: {"centre_pk": o["centre"].pk},
    # The letter form's recipient choosers: whole, narrowed to the centre, and by id.
    **{f"notices_recipient_{model}:{view}": (
        lambda o, model=model, view=view: [reverse(f"notices_recipient_{model}:{view}"),
                                           reverse(f"notices_recipient_{model}:{view}") + f"?multiple=1&centre={o['centre'].pk}"]
    ) for model in ("tenants", "units") for view in ("choose", "choose_results")},
    "notices_recipient_tenants:chosen": lambda o: {"pk": str(o["tenant"].pk)},
    "notices_recipient_units:chosen": lambda o: {"pk": str(o["unit"].pk)},
    "notices_letters:decide": _pk("pending_letter"),
    "notices_letters:deliveries_xlsx": _pk("letter"),
    "notices_letters:remind": _pk("letter"),
    "notices_letters:receipts_zip_prepare": _pk("letter"),
    "notices_letters:receipts_zip_job": lambda o: {"pk": o["letter"].pk, "job_pk": o["receipts_zip"].pk},
    "notices_letters:receipts_zip": lambda o: {"pk": o["letter"].pk, "job_pk": o["receipts_zip"].pk},
    "notices_letters:paper": lambda o: {"pk": o["letter"].pk, "delivery_pk": o["delivery"].pk},
    "notices_letters:receipt_certificate": lambda o: {"receipt_pk": o["receipt"].pk},
    "notices_letters:receipt_scan": lambda o: {"receipt_pk": o["receipt"].pk},
    "fire_admin:round_open": lambda o: {"centre_pk": o["centre"].pk},
    "fire_admin:round": _pk("round"),
    "fire_admin:round_notice": _pk("round"),
    "fire_admin:form_new": lambda o: {"pk": o["round"].pk, "tenant_pk": o["tenant"].pk},
    "fire_admin:report_request": _pk("round"),
    "fire_admin:report_pdf": _pk("round"),
    "fire_admin:form": _pk("fire_form"),
    "fire_admin:case": _pk("fire_case"),
    "fire_admin:case_letter_retry": _pk("fire_case"),
    "visits_dashboard:drill": lambda o: [{"kind": k} for k in ("visits", "requests", "receipts", "suggestions")],
    "visits_dashboard:export": _pk("audit_export"),
    "visits_dashboard:export_download": _pk("audit_export"),
    "wagtailsnippets_tenants_servicerequest:act": lambda o: [{"pk": o["service_request"].pk, "action": a}
                                                            for a in ("reply", "assign", "reclassify", "close")],
    "wagtailsnippets_tenants_storagedeposit:collect": _pk("deposit"),
    # --- the letter's workflow, revisions and history (Wagtail snippet views) ---
    "wagtailsnippets_notices_letter:revisions_revert": _revision("pk", "pending_letter", "letter_revision"),
    "wagtailsnippets_notices_letter:revisions_unschedule": _revision("pk", "pending_letter", "letter_revision"),
    "wagtailsnippets_notices_letter:revisions_compare":
        lambda o: f"/admin/snippets/notices/letter/history/{o['pending_letter'].pk}/revisions/compare/earliest...latest/",
    "wagtailsnippets_notices_letter:workflow_action": _workflow_action("pk", "pending_letter", "task_state"),
    "wagtailsnippets_notices_letter:collect_workflow_action_data": _workflow_action("pk", "pending_letter", "task_state"),
    "wagtailsnippets_notices_letter:workflow_history_detail": _workflow_history("pk", "pending_letter", "task_state"),
    # --- the feedback board: its public pages, the post's actions, the reply's and telephone block's workflow ---
    "feedback:board": lambda o: {"code": o["centre"].code},
    "feedback:new": lambda o: {"code": o["centre"].code},
    "feedback:post": lambda o: {"code": o["centre"].code, "pk": o["feedback_post"].pk},
    "wagtailsnippets_tenants_feedbackpost:act": lambda o: [{"pk": o["feedback_post"].pk, "action": a}
                                                          for a in ("show", "hide", "hot", "link")],
    **_workflow_fills("feedbackreply", "feedback_reply", "reply_revision", "reply_task_state"),
    **_workflow_fills("phoneblock", "phone_block", "phones_revision", "phones_task_state"),
    # --- Wagtail's pages ---
    "wagtailadmin_explore": lambda o: {"parent_page_id": o["bulletin"].pk},
    "wagtailadmin_explore_results": lambda o: {"parent_page_id": o["bulletin"].pk},
    "wagtailadmin_pages:add": lambda o: {"content_type_app_name": "portal", "content_type_model_name": "noticepage",
                                         "parent_page_id": o["bulletin"].pk},
    "wagtailadmin_pages:preview_on_add": lambda o: {"content_type_app_name": "portal",
                                                    "content_type_model_name": "noticepage",
                                                    "parent_page_id": o["bulletin"].pk},
    "wagtailadmin_pages:type_use": lambda o: {"content_type_app_name": "portal", "content_type_model_name": "noticepage"},
    "wagtailadmin_pages:type_use_results": lambda o: {"content_type_app_name": "portal",
                                                      "content_type_model_name": "noticepage"},
    "wagtailadmin_pages:choose_parent": lambda o: {"app_label": "portal", "model_name": "noticepage"},
    "wagtailadmin_pages:add_subpage": lambda o: {"parent_page_id": o["bulletin"].pk},
    "wagtailadmin_pages:move_confirm": lambda o: {"page_to_move_id": o["private_notice"].pk,
                                                  "destination_id": o["bulletin"].pk},
    "wagtailadmin_pages:move": lambda o: {"page_to_move_id": o["private_notice"].pk},
    "wagtailadmin_pages:set_page_position": lambda o: {"page_to_move_id": o["private_notice"].pk},
    "wagtailadmin_pages:workflow_action": _workflow_action("page_id", "draft_page", "page_task_state"),
    "wagtailadmin_pages:collect_workflow_action_data": _workflow_action("page_id", "draft_page", "page_task_state"),
    "wagtailadmin_pages:workflow_preview": lambda o: {"page_id": o["draft_page"].pk,
                                                      "task_id": o["page_task_state"].task_id},
    "wagtailadmin_pages:workflow_history_detail": _workflow_history("page_id", "draft_page", "page_task_state"),
    "wagtailadmin_pages:revisions_view": _revision("page_id", "draft_page", "page_revision"),
    "wagtailadmin_pages:revisions_revert": _revision("page_id", "draft_page", "page_revision"),
    "wagtailadmin_pages:revisions_unschedule": _revision("page_id", "draft_page", "page_revision"),
    "wagtailadmin_pages:revisions_compare":
        lambda o: f"/admin/pages/{o['draft_page'].pk}/revisions/compare/earliest...latest/",
    "wagtailadmin_choose_page_child": lambda o: {"parent_page_id": o["bulletin"].pk},
    "wagtailadmin_tag_model_autocomplete": lambda o: {"app_name": "wagtaildocs", "model_name": "document"},
    "atrium_tag_model_autocomplete": lambda o: [{"app_name": "taggit", "model_name": "tag"},
                                                {"app_name": "wagtaildocs", "model_name": "document"}],
    "wagtailforms:list_submissions": _page(),
    "wagtailforms:list_submissions_results": _page(),
    "wagtailforms:delete_submissions": _page(),
    "wagtail_serve": lambda o: _serve_paths(o),
    "wagtailcore_authenticate_with_password": lambda o: {"page_view_restriction_id": 1,
                                                          "page_id": o["private_notice"].pk},
    # --- collections, workflows, sites, users, groups, redirects, settings ---
    "wagtailadmin_collections:edit": lambda o: {"pk": o["collection"].pk},
    "wagtailadmin_collections:delete": lambda o: {"pk": o["collection"].pk},
    "wagtailadmin_collections:set_privacy": lambda o: {"collection_id": o["collection"].pk},
    "wagtailadmin_workflows:enable": lambda o: {"pk": o["workflow"].pk},
    "wagtailadmin_workflows:disable": lambda o: {"pk": o["workflow"].pk},
    "wagtailadmin_workflows:edit": lambda o: {"pk": o["workflow"].pk},
    "wagtailadmin_workflows:usage": lambda o: {"pk": o["workflow"].pk},
    "wagtailadmin_workflows:usage_results": lambda o: {"pk": o["workflow"].pk},
    "wagtailadmin_workflows:remove": lambda o: [{"page_pk": o["home"].pk},
                                                {"page_pk": o["home"].pk, "workflow_pk": o["workflow"].pk}],
    "wagtailadmin_workflows:add_task": lambda o: {"app_label": "wagtailcore", "model_name": "groupapprovaltask"},
    "wagtailadmin_workflows:edit_task": lambda o: {"pk": o["page_task_state"].task_id},
    "wagtailadmin_workflows:disable_task": lambda o: {"pk": o["page_task_state"].task_id},
    "wagtailadmin_workflows:enable_task": lambda o: {"pk": o["page_task_state"].task_id},
    "wagtailadmin_workflows:task_chosen": lambda o: {"task_id": o["page_task_state"].task_id},
    "wagtailadmin_editing_sessions:ping": lambda o: {"app_label": "notices", "model_name": "letter",
                                                     "object_id": str(o["pending_letter"].pk), "session_id": 1},
    "wagtailadmin_editing_sessions:release": lambda o: {"session_id": 1},
    "wagtailadmin_pages:usage": _page("private_notice"),
    **{f"wagtailadmin_pages:{view}": _page() for view in (
        "edit", "preview_on_edit", "view_draft", "delete", "unpublish", "convert_alias", "copy", "set_privacy",
        "lock", "unlock", "revisions_index", "history", "history_results")},
    "wagtailadmin_pages:confirm_workflow_cancellation": _page("draft_page"),
    "wagtailadmin_pages:workflow_history": _page("draft_page"),
    "wagtail_bulk_action": lambda o: [
        f"/admin/bulk/wagtailcore/page/delete/?id={o['private_notice'].pk}",
        f"/admin/bulk/wagtailcore/page/unpublish/?id={o['private_notice'].pk}",
        f"/admin/bulk/tenants/tenant/delete/?id={o['tenant'].pk}",
        f"/admin/bulk/wagtaildocs/document/delete/?id={o['document'].pk}",
        f"/admin/bulk/wagtailimages/image/delete/?id={o['image'].pk}",
        f"/admin/bulk/portal/user/delete/?id={o['staff'].pk}",
    ],
    "wagtailredirects:edit": lambda o: {"redirect_id": o["redirect"].pk},
    "wagtailredirects:delete": lambda o: {"redirect_id": o["redirect"].pk},
    "wagtailsettings:edit": lambda o: [{"app_name": "wagtailcore", "model_name": "site"}],
    "wagtailsettings:preview_on_edit": lambda o: {"app_name": "wagtailcore", "model_name": "site", "pk": o["site"].pk},
    "wagtailsites:edit": lambda o: {"pk": o["site"].pk},
    "wagtailsites:delete": lambda o: {"pk": o["site"].pk},
    "wagtailsites:history": lambda o: {"pk": o["site"].pk},
    "wagtailsites:history_results": lambda o: {"pk": o["site"].pk},
    "wagtailsites:usage": lambda o: {"pk": o["site"].pk},
    "wagtailsites:copy": lambda o: {"pk": o["site"].pk},
    "wagtailusers_users:edit": lambda o: {"pk": o["staff"].pk},
    "wagtailusers_users:delete": lambda o: {"pk": o["staff"].pk},
    "wagtailusers_users:history": lambda o: {"pk": o["staff"].pk},
    "wagtailusers_users:history_results": lambda o: {"pk": o["staff"].pk},
    "wagtailusers_users:usage": lambda o: {"pk": o["staff"].pk},
    "wagtailusers_users:copy": lambda o: {"pk": o["staff"].pk},
    "wagtailusers_groups:edit": lambda o: {"pk": o["editor_group"].pk},
    "wagtailusers_groups:delete": lambda o: {"pk": o["editor_group"].pk},
    "wagtailusers_groups:history": lambda o: {"pk": o["editor_group"].pk},
    "wagtailusers_groups:history_results": lambda o: {"pk": o["editor_group"].pk},
    "wagtailusers_groups:usage": lambda o: {"pk": o["editor_group"].pk},
    # --- documents and images ---
    "wagtaildocs:edit": lambda o: {"document_id": o["document"].pk},
    "wagtaildocs:delete": lambda o: {"document_id": o["document"].pk},
    "wagtaildocs:edit_multiple": lambda o: {"doc_id": o["document"].pk},
    "wagtaildocs:delete_multiple": lambda o: {"doc_id": o["document"].pk},
    "wagtaildocs:document_usage": lambda o: {"document_id": o["document"].pk},
    "wagtaildocs:create_multiple_from_uploaded_document": lambda o: {"uploaded_file_id": 1},
    "wagtaildocs:delete_upload_multiple": lambda o: {"uploaded_file_id": 1},
    "wagtaildocs_serve": lambda o: f"/documents/{o['document'].pk}/{o['document'].filename}",
    "wagtaildocs_authenticate_with_password": lambda o: {"restriction_id": 1},
    "wagtaildocs_chooser:chosen": lambda o: {"pk": str(o["document"].pk)},
    "wagtailimages:edit": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:delete": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:url_generator": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:url_generator_output": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:preview": lambda o: {"image_id": o["image"].pk, "filter_spec": "original"},
    "wagtailimages:image_usage": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:edit_multiple": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:delete_multiple": lambda o: {"image_id": o["image"].pk},
    "wagtailimages:create_multiple_from_uploaded_image": lambda o: {"uploaded_file_id": 1},
    "wagtailimages:delete_upload_multiple": lambda o: {"uploaded_file_id": 1},
    "wagtailimages_chooser:chosen": lambda o: {"pk": str(o["image"].pk)},
    "wagtailimages_chooser:select_format": lambda o: {"image_id": o["image"].pk},
    "wagtailadmin_api:pages:detail": lambda o: f"/admin/api/main/pages/{o['private_notice'].pk}/",
    "wagtailadmin_api:pages:action": lambda o: f"/admin/api/main/pages/{o['private_notice'].pk}/action/copy/",
    "wagtailadmin_api:documents:detail": lambda o: f"/admin/api/main/documents/{o['document'].pk}/",
    "wagtailadmin_api:images:detail": lambda o: f"/admin/api/main/images/{o['image'].pk}/",
    # --- allauth, Django's admin, Wagtail's password reset: tokens that only a mail holds ---
    "account_confirm_email": lambda o: "/accounts/confirm-email/not-a-key/",
    "account_reset_password_from_key": lambda o: "/accounts/password/reset/key/1-not-a-key/",
    "wagtailadmin_password_reset_confirm": lambda o: {"uidb64": "MQ", "token": "not-a-token"},
    "admin:view_on_site": lambda o: f"/django-admin/r/1/{o['tenant'].pk}/",
    "admin:app_list": lambda o: ["/django-admin/portal/", "/django-admin/auth/"],
    "admin:auth_user_password_change": lambda o: {"id": o["user"].pk},
}

# Regex patterns without a name, by route: the paths to request.
UNNAMED = {
    "admin/^.*/$": lambda o: ["/admin/no-such-screen/"],
    "django-admin/(?P<url>.*)$": lambda o: ["/django-admin/no-such-model/"],
}

# Patterns requested with a query string as well (chosen-multiple lists ids).
def _query(pattern: Pattern, o) -> str:
    if pattern.name.endswith(":chosen_multiple"):
        key = _model_key(pattern.name)
        obj = o.get(MODEL_KEYS.get(key, ""), None) if key else None
        if pattern.name.startswith("notices_recipient_"):
            obj = o["tenant" if "tenants" in pattern.name else "unit"]
        if pattern.name.startswith("wagtaildocs_chooser"):
            obj = o["document"]
        elif pattern.name.startswith("wagtailimages_chooser"):
            obj = o["image"]
        elif pattern.name.startswith("wagtailadmin_choose_page"):
            obj = o["private_notice"]
        return f"?id={obj.pk}" if obj is not None else ""
    if pattern.name in ("wagtailadmin_api:pages:listing", "wagtailadmin_api:pages:find"):
        return f"?child_of={o['bulletin'].pk}&id={o['private_notice'].pk}"
    if pattern.name in ("wagtailadmin_api:documents:find", "wagtailadmin_api:images:find"):
        return f"?id={(o['document'] if 'documents' in pattern.name else o['image']).pk}"
    return ""


def _model_key(name: str) -> str | None:
    unnamed = re.match(r"django-admin/(\w+)/(\w+)/<path:object_id>/$", name)
    if unnamed:
        return f"{unnamed.group(1)}_{unnamed.group(2)}"
    ns = name.split(":", 1)[0]
    for prefix in ("wagtailsnippetchoosers_", "wagtailsnippets_"):
        if ns.startswith(prefix):
            return ns[len(prefix):]
    if ns == "admin":
        view = name.split(":", 1)[1]
        for key in list(MODEL_KEYS) + list(NO_RECORD_ADMIN):
            if view.startswith(key + "_"):
                return key
    return None


def _family(pattern: Pattern, o):
    key = _model_key(pattern.name)
    if key is None:
        raise NoFill
    kwargs = {}
    for kw in pattern.kwargs:
        if kw not in ("pk", "object_id"):
            raise NoFill
        if key in NO_RECORD_ADMIN:
            kwargs[kw] = "1"
        elif key in MODEL_KEYS:
            obj = o[MODEL_KEYS[key]]
            kwargs[kw] = str(obj.pk) if kw == "object_id" or pattern.name.split(":")[0].startswith("wagtailsnippetch") else obj.pk
        else:
            raise NoFill
    return kwargs


class Recorder(dict):
    """The world's records, noting which keys a fill reads: whose records a
    URL names decides whether a file it serves is someone else's."""

    def __init__(self, objs):
        super().__init__(objs)
        self.used = set()

    def __getitem__(self, key):
        self.used.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.used.add(key)
        return super().get(key, default)


def fill(pattern: Pattern, objs: dict) -> tuple[list[str], set[str]]:
    """The paths to request for `pattern` with the records `objs`, and the
    world keys they name."""
    o = Recorder(objs)
    if pattern.name in EXPLICIT:
        made = EXPLICIT[pattern.name](o)
    elif pattern.route in UNNAMED:
        made = UNNAMED[pattern.route](o)
    elif not pattern.kwargs:
        made = {}
    else:
        made = _family(pattern, o)
    query = _query(pattern, o)
    items = made if isinstance(made, list) else [made]
    paths = []
    for item in items:
        if isinstance(item, str):
            paths.append(quote(item, safe="/:?=&.-_~%"))
        elif pattern.name == pattern.route:  # an unnamed pattern: its route, with the kwargs put in
            paths.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, item=item: str(item[m.group(1)]),
                                      pattern.route))
        else:
            paths.append(reverse(pattern.name, kwargs=item))
    return [p + query for p in paths], o.used
