"""Who sees which posts, replies, hot issues and telephone blocks: staff of
the post's centre in the admin; on the board, everyone sees what is shown,
and a poster sees their own posts (held ones too)."""

from __future__ import annotations

from django.db.models import Q

from portal.access import centre_ids_for, centres_for
from portal.models.accounts import Role
from tenants.feedback.models import (
    FeedbackPost,
    FeedbackReply,
    HotIssue,
    PhoneBlock,
    Visibility,
)
from tenants.selectors.contacts import tenants_of_contact
from tenants.selectors.directory import ARCHIVE_ROLES

# Who follows the board of a centre: the follow-up officer, the service desk
# and the managers. Other staff of the centre read it.
BOARD_ROLES = (Role.WEB_FOLLOWUP, Role.OPERATIONS, Role.MANAGER)
# Every member of a centre may be asked to approve a reply of their department.
BOARD_READ_ROLES = (*ARCHIVE_ROLES, Role.WEB_EDITOR, Role.WEB_REVIEWER)


def board_centres_followed_by(user):
    return centres_for(user, BOARD_ROLES)


def follows_board(user, centre_id: int) -> bool:
    return centre_id in centre_ids_for(user, BOARD_ROLES)


def posts_visible_to_staff(user):
    return FeedbackPost.objects.filter(centre__in=centres_for(user, BOARD_READ_ROLES))


def replies_visible_to_staff(user):
    return FeedbackReply.objects.filter(post__centre__in=centres_for(user, BOARD_READ_ROLES))


def hot_issues_visible_to_staff(user):
    return HotIssue.objects.filter(centre__in=centres_for(user, BOARD_READ_ROLES))


def phone_blocks_visible_to_staff(user):
    return PhoneBlock.objects.filter(centre__in=centres_for(user, BOARD_READ_ROLES))


def board_posts(centre, user):
    """The posts of `centre`'s board `user` sees, newest first: what is shown,
    and their own tenants' posts whatever their state."""
    mine = Q(tenant__in=tenants_of_contact(user)) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return (
        FeedbackPost.objects.filter(centre=centre).filter(Q(visibility=Visibility.SHOWN) | mine)
        .select_related("tenant", "hot_issue")
    )


def published_replies(post):
    return post.replies.filter(live=True).order_by("last_published_at", "pk")


def live_phone_block(centre) -> PhoneBlock | None:
    return PhoneBlock.objects.filter(centre=centre, live=True).first()


def posts_of_tenant_user(user):
    return FeedbackPost.objects.filter(tenant__in=tenants_of_contact(user))


def unseen_replies_for(user):
    """The tenant home's notice: posts whose reply was published and not seen."""
    return posts_of_tenant_user(user).filter(reply_unseen=True).select_related("centre")
