"""The world of the generated access test: every kind of record the portal
serves, for centre A (tenants X and Y) and centre B, each carrying the marker
of whom it belongs to in its text, so that a response can be judged by
content.

    ZZA-  centre A itself (its name, its staff, its centre-wide records)
    ZZX-  tenant X (tenant_a) of centre A
    ZZY-  tenant Y (tenant_a2) of centre A
    ZZB-  centre B and everything in it (its tenant, staff, records)

`objects(variant)` maps the model keys of the fill table ("tenants.tenant",
"letter", ...) to the record of variant "A" (centre A, tenant X), "Y"
(centre A, tenant Y) or "B" (centre B)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from wagtail.models import Revision, TaskState, WorkflowState

from notices.fire.models import ChecklistItem
from portal.models import Role, User
from tests.base import World, build_world, grant_confidential, make_staff, make_user
from tests.notices.letters import make_template

from .records import Cast, centre_records, letter_chain, site, tenant_records

MARKERS = ("ZZA-", "ZZX-", "ZZY-", "ZZB-")
VARIANTS = ("A", "Y", "B")


@dataclass
class AccessWorld:
    w: World
    reviewer_a: User
    archivist_a: User
    superuser: User
    people: dict[str, User | None]
    by_variant: dict[str, dict] = field(default_factory=dict)
    # A letter of centre A to tenants X and Y that nobody has signed yet: the
    # target of the wrong-person POSTs (sign, code, question, paper, remind).
    open_letter: object = None

    def objects(self, variant: str) -> dict:
        return self.by_variant[variant]


def _mark_people(w: World, extra: dict[str, User]) -> None:
    names = {
        w.ops_a: "ZZA-欧阳", w.drafter_a: "ZZA-杜拉", w.leader_a: "ZZA-李德", w.seal_a: "ZZA-施印",
        w.editor_a: "ZZA-易迪", w.ops_b: "ZZB-欧北", w.signer_a: "ZZX-孙签", w.nonsigner_a: "ZZX-倪员",
        w.signer_a2: "ZZY-孙二", w.signer_b: "ZZB-孙北",
    }
    names.update(extra)
    for user, name in names.items():
        User.objects.filter(pk=user.pk).update(full_name=name)
        user.full_name = name
    for tenant, marker in ((w.tenant_a, "ZZX-"), (w.tenant_a2, "ZZY-"), (w.tenant_b, "ZZB-")):
        for contact in tenant.contacts.all():
            contact.name = marker + contact.name
            contact.phone = "13800000000"
            contact.save()


def build_access_world() -> AccessWorld:
    w = build_world()
    _mark_organisation(w)
    extra = _extra_people(w)
    people = {
        "ops_a": w.ops_a, "ops_b": w.ops_b, "drafter_a": w.drafter_a, "leader_a": w.leader_a, "seal_a": w.seal_a,
        "editor_a": w.editor_a, "reviewer_a": extra["reviewer_a"], "manager": w.manager,
        "archivist_a": extra["archivist_a"], "web_a": extra["web_a"], "superuser": extra["superuser"], "signer_a": w.signer_a,
        "signer_a2": w.signer_a2, "nonsigner_a": w.nonsigner_a, "signer_b": w.signer_b, "anonymous": None,
    }
    aw = AccessWorld(w=w, reviewer_a=extra["reviewer_a"], archivist_a=extra["archivist_a"],
                     superuser=extra["superuser"], people=people)
    _letter_templates(w)
    sites = {"A": site(w.centre_a, "ZZA-", extra["reviewer_a"]), "B": site(w.centre_b, "ZZB-", extra["reviewer_b"])}
    editor_b = make_staff("editor@b.test", w.centre_b, Role.WEB_EDITOR)
    User.objects.filter(pk=editor_b.pk).update(full_name="ZZB-易北")
    cast = Cast(
        w=w,
        chain={"A": (w.drafter_a, w.leader_a, w.seal_a, w.centre_a),
               "B": (extra["drafter_b"], extra["leader_b"], extra["seal_b"], w.centre_b)},
        reviewer={"A": extra["reviewer_a"], "B": extra["reviewer_b"]}, editor={"A": w.editor_a, "B": editor_b},
        ops={"A": w.ops_a, "Y": w.ops_a, "B": w.ops_b},
        tenant={"A": w.tenant_a, "Y": w.tenant_a2, "B": w.tenant_b},
        today=timezone.localdate(), now=timezone.now(),
    )
    # Centre-wide records, shared by variants A and Y (they are both centre A).
    by_centre = {key: centre_records(cast, key, sites[key]) for key in ("A", "B")}
    for key in VARIANTS:
        aw.by_variant[key] = {**by_centre[cast.centre_of(key)], **tenant_records(cast, key, by_centre)}
    # The letter nobody has signed: X and Y both receive it.
    aw.open_letter = letter_chain(w.drafter_a, w.leader_a, w.seal_a, w.centre_a, "ZZA-停水通知",
                                  [w.tenant_a, w.tenant_a2], attach=False)
    for objs in aw.by_variant.values():
        objs["task_state"] = _task_state(objs["pending_letter"])
        objs["page_task_state"] = _task_state(objs["draft_page"])
        objs["letter_revision"] = Revision.objects.for_instance(objs["pending_letter"]).first()
        objs["reply_task_state"] = _task_state(objs["feedback_reply"])
        objs["phones_task_state"] = _task_state(objs["phone_block"])
    return aw


def _mark_organisation(w: World) -> None:
    w.centre_a.name = "ZZA-测试广场A"
    w.centre_a.save()
    w.centre_b.name = "ZZB-测试广场B"
    w.centre_b.save()
    for tenant, marker in ((w.tenant_a, "ZZX-"), (w.tenant_a2, "ZZY-"), (w.tenant_b, "ZZB-")):
        tenant.trading_name = marker + tenant.trading_name
        tenant.legal_name = marker + tenant.legal_name
        tenant.save()
        tenant.units.update(number=Concat(Value(marker), "number"))


def _extra_people(w: World) -> dict[str, User]:
    """The people build_world has not made: centre A's web reviewer, web
    follow-up officer (4.16: the board's posts are assigned to them) and
    archivist, the superuser, and centre B's own chain (only to build its
    records: never a requesting role)."""
    extra = {
        "reviewer_a": make_staff("reviewer@a.test", w.centre_a, Role.WEB_REVIEWER),
        "web_a": make_staff("web@a.test", w.centre_a, Role.WEB_FOLLOWUP),
        "archivist_a": grant_confidential(make_staff("archivist@a.test", w.centre_a, Role.OPERATIONS)),
        "superuser": make_user("root@test", is_superuser=True, is_staff=True),
        "drafter_b": make_staff("drafter@b.test", w.centre_b, Role.DRAFTER),
        "leader_b": make_staff("leader@b.test", w.centre_b, Role.LEADER),
        "seal_b": make_staff("seal@b.test", w.centre_b, Role.SEAL_KEEPER),
        "reviewer_b": make_staff("reviewer@b.test", w.centre_b, Role.WEB_REVIEWER),
    }
    names = {"reviewer_a": "ZZA-瑞文", "web_a": "ZZA-魏网", "archivist_a": "ZZA-阿基", "drafter_b": "ZZB-杜北", "leader_b": "ZZB-李北",
             "seal_b": "ZZB-施北", "reviewer_b": "ZZB-瑞北", "superuser": "根管理员"}
    _mark_people(w, {extra[key]: name for key, name in names.items()})
    return extra


def _letter_templates(w: World) -> None:
    make_template(w.centre_a)
    make_template(w.centre_b)
    for centre, marker in ((w.centre_a, "ZZA-"), (w.centre_b, "ZZB-")):
        template = centre.letter_template
        template.footer_text = f"{marker}地址 " + template.footer_text
        # The document number carries the marker too: seal uses, deliveries
        # and receipts show the number rather than the title.
        template.number_pattern = marker + template.number_pattern
        template.save()
        ChecklistItem.objects.create(centre=centre, text=f"{marker}疏散指示灯完好", sort_order=99)


def _task_state(obj) -> TaskState | None:
    state = WorkflowState.objects.for_instance(obj).filter(status="in_progress").first()
    return state.current_task_state if state else None
