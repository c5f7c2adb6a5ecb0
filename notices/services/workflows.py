"""What happens when an approval workflow completes (WAGTAIL_FINISH_WORKFLOW_ACTION)."""

from wagtail.workflows import publish_workflow_state


def finish_workflow(workflow_state, user=None):
    """Publish the approved revision.

    For a letter, completing the chain *is* the authority to publish: the seal
    keeper who gives the last approval holds no general "publish letters"
    permission (that would let them publish without the chain), so the check
    is skipped here and only here. Everything else keeps Wagtail's default."""
    from notices.models import Letter
    from tenants.feedback.models import FeedbackReply, PhoneBlock

    # The same holds for the feedback board's replies and telephone block: the
    # department's or the leader's approval is what publishes them.
    obj = workflow_state.content_object
    if isinstance(obj, (Letter, FeedbackReply, PhoneBlock)):
        obj.get_latest_revision().publish(user=user, skip_permission_checks=True)
    else:
        publish_workflow_state(workflow_state, user=user)
