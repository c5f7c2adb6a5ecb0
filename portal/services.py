"""State changes of accounts: inviting people and accepting invitations."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
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
        contact = invitation.contact
        contact.user = user
        contact.save(update_fields=["user"])

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accepted", obj=invitation, request=request,
                 centre=invitation.centre or invitation.contact.tenant.centre)
    return user
