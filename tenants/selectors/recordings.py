"""Call recordings (R7): heard only by those who handle the centre's
requests."""

from __future__ import annotations

from tenants.models import CallRecording, RecordingHold
from tenants.selectors.requests import request_centres_handled_by


def recordings_visible_to(user):
    return CallRecording.objects.filter(request__centre__in=request_centres_handled_by(user))


def recording_holds_visible_to(user):
    return RecordingHold.objects.filter(recording__request__centre__in=request_centres_handled_by(user))
