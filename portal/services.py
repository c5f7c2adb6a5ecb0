"""State changes of accounts: inviting people and accepting invitations."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .access import has_role
from .audit import audit_record
from .models.accounts import Invitation, Role, StaffMembership, User


def invitation_can_invite_staff(user, centre) -> bool:
    return has_role(user, centre, Role.MANAGER)


def invitation_can_invite_contact(user, contact) -> bool:
    return has_role(user, contact.tenant.centre, Role.OPERATIONS, Role.MANAGER)


def invitation_create(
    *,
    inviter: User,
    email: str,
    kind: str,
    full_name: str = "",
    centre=None,
    role: str = "",
    department: str = "",
    contact=None,
    request=None,
) -> tuple[Invitation, str]:
    """Create an invitation and queue its email. Returns the invitation and
    its token (the only time the token exists outside the email)."""
    email = email.strip().lower()
    if kind == Invitation.Kind.STAFF:
        if centre is None or not invitation_can_invite_staff(inviter, centre):
            raise PermissionDenied(_("You may not invite staff to this centre."))
        if role == Role.DRAFTER and not department:
            raise ValidationError(_("A drafter needs a department."))
        fields = {"operator": centre.operator, "centre": centre, "role": role, "department": department}
        where = centre
    elif kind == Invitation.Kind.CONTACT:
        if contact is None or not invitation_can_invite_contact(inviter, contact):
            raise PermissionDenied(_("You may not invite contacts of this tenant."))
        _contact_invitable(contact, email)
        fields = {"contact": contact}
        where = contact.tenant.centre
    else:
        raise ValidationError(_("Unknown invitation kind."))

    token = Invitation.new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            kind=kind,
            full_name=full_name,
            token_hash=Invitation.hash_token(token),
            invited_by=inviter,
            expires_at=Invitation.default_expiry(),
            **fields,
        )
        audit_record(
            actor=inviter, action="invitation.created", obj=invitation, centre=where, request=request,
            details={"email": email, "kind": kind, "role": role},
        )
        from .tasks import send_invitation_email

        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def _contact_invitable(contact, email: str) -> None:
    """A contact's invitation gives its account the shop's letters and the
    right to sign for them: it may only reach the person the archive names.
    So never a contact that already has an account (accepting would move the
    shop's access to whoever holds the link — a new manager is a new
    contact, the old one ended), and only at the contact's email on file
    (another address is corrected in the archive first, where it is
    recorded and reviewed)."""
    if not contact.active:
        raise ValidationError(_("This contact is no longer active."))
    if contact.user_id is not None:
        raise ValidationError(_(
            "%(name)s already has an account. To give the shop's access to someone else, add them as a new "
            "contact and end this one.") % {"name": contact.name})
    on_file = (contact.email or "").strip().lower()
    if on_file and on_file != email:
        raise ValidationError(_(
            "The invitation goes to the contact's email on file, %(email)s. To send it to another address, "
            "correct the contact's email in the archive first.") % {"email": on_file})


def contact_still_invitable(contact, invitation: Invitation) -> bool:
    """Whether a contact's pending invitation may still be accepted: the
    contact may have been linked (another invitation accepted first), ended
    or given another address since it was sent."""
    try:
        _contact_invitable(contact, invitation.email)
    except ValidationError:
        return False
    return True


def invitation_send_email(invitation_id: int, token: str) -> bool:
    """Email an invitation link. Safe to run twice: a repeated email carries
    the same link; an invitation no longer pending is not sent."""
    invitation = Invitation.objects.select_related("centre", "contact__tenant__centre", "invited_by").filter(
        pk=invitation_id
    ).first()
    if invitation is None or invitation.state != "pending":
        return False
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("portal:invitation_accept", args=[token])
    with translation.override("zh-hans"):
        context = {"invitation": invitation, "link": link, "days": settings.ATRIUM_INVITATION_DAYS}
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        text = render_to_string("portal/email/invitation.txt", context)
        html = render_to_string("portal/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("centre", "contact__tenant__centre")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


class InvitationUnusable(Exception):
    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str = "", request=None) -> User:
    """Turn a pending invitation into an account with the invited access.

    The row is locked so that the same link opened on two devices makes one
    account, and the second gets "already used"."""
    found = invitation_by_token(token)
    if found is None:
        raise InvitationUnusable("invalid")
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.state != "pending":
        raise InvitationUnusable(invitation.state)
    contact = None
    if invitation.kind == Invitation.Kind.CONTACT:
        contact = type(invitation.contact).objects.select_for_update().get(pk=invitation.contact_id)
        if not contact_still_invitable(contact, invitation):
            raise InvitationUnusable("outdated")

    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email)
    # Control of the mailbox already allows a password reset, so setting the
    # password here grants nothing a reset would not.
    user.set_password(password)
    user.full_name = full_name or user.full_name or invitation.full_name
    user.is_active = True
    user.save()
    # Following the emailed link proves the address.
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )

    if invitation.kind == Invitation.Kind.STAFF:
        StaffMembership.objects.update_or_create(
            user=user,
            centre=invitation.centre,
            role=invitation.role,
            defaults={"operator": invitation.operator, "department": invitation.department, "active": True},
        )
    else:
        contact.user = user
        contact._history_user = user  # the archive's field history: who linked the account
        contact.save(update_fields=["user"])

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accepted", obj=invitation, request=request,
                 centre=invitation.centre or invitation.contact.tenant.centre)
    return user
