"""What the letters put on a staff member's admin home ("My work")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notices.models import CertificateState, Delivery, LetterStatus, Receipt
from notices.selectors import letters_visible_to
from portal.access import centres_for
from portal.admin_home import WorkItem
from portal.models.accounts import Role


def letter_work_items(user):
    """Letters whose stamping failed, deliveries past their sign-by date that
    operations staff should take to the shop by hand, and receipt certificates
    that failed."""
    listing = reverse("wagtailsnippets_notices_letter:list")
    overdue = Delivery.objects.overdue_unsigned().filter(centre__in=centres_for(user, (Role.OPERATIONS, Role.MANAGER)))
    failed_certificates = Receipt.objects.filter(
        letter__centre__in=centres_for(user, (Role.OPERATIONS, Role.MANAGER)), certificate_state=CertificateState.FAILED
    )
    return [
        WorkItem(_("letters whose stamping failed"), letters_visible_to(user).filter(status=LetterStatus.STAMPING_FAILED),
                 f"{listing}?status={LetterStatus.STAMPING_FAILED}", urgent=True),
        # Counted in shops (one letter may be overdue at many); the listing
        # shows the letters, each letter's page the shops to visit.
        WorkItem(_("shops overdue for signing a letter, to deliver it by hand"), overdue, f"{listing}?overdue=true"),
        # Tried again by the sweep (later and later); staff see why on the
        # letter's deliveries page, and a seal or timestamp server to fix.
        WorkItem(_("receipt certificates that could not be made"), failed_certificates, listing, urgent=True),
    ]
