"""The demo holds a fire-safety month with failures and rectifications in several states; loading it twice adds nothing."""


from notices.fire.models import (
    CaseEvent,
    CaseStatus,
    FirePhoto,
    InspectionForm,
    InspectionRound,
    RectificationCase,
)
from notices.fire.selectors import monthly_status
from notices.models import LetterKind, LetterStatus
from tenants.models import Centre


def test_the_demo_has_fire_safety_months_in_several_states_and_is_idempotent(seeded_demo):
    centre = Centre.objects.get(code="BJ")
    rounds = list(InspectionRound.objects.filter(centre=centre).order_by("month"))
    assert len(rounds) == 2
    last, current = (monthly_status(centre, r.month) for r in rounds)
    assert (last.inspected, last.failed, last.rectified, last.overdue) == (20, 3, 2, 1)
    assert current.inspected == 40 and current.failed == 6
    assert set(RectificationCase.objects.filter(form__round=rounds[1]).values_list("status", flat=True)) == set(CaseStatus.values)
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.REINSPECTED_FAILED).count() == 1
    assert rounds[1].notice_letter.kind == LetterKind.FIRE_INSPECTION
    assert rounds[1].notice_letter.status == LetterStatus.STAMPED
    assert RectificationCase.objects.filter(letter__status=LetterStatus.STAMPED).exists()
    # signer1's shop has an open case to report in the demo.
    assert RectificationCase.objects.filter(tenant__contacts__user__email="signer1@tenant.atrium.demo",
                                            status=CaseStatus.OPEN).exists()
    seeded_demo(InspectionForm, RectificationCase, FirePhoto)
