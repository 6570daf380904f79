"""Video-call links. The provider is a class named in settings (VIDEO_PROVIDER), so another
service can replace Jitsi without touching the booking code."""

import secrets

from django.conf import settings
from django.utils.module_loading import import_string


class JitsiMeeting:
    """A Jitsi Meet room on VIDEO_MEETING_BASE_URL with an unguessable name: anyone with the
    link can join, so the name carries 128 bits of randomness and nothing about the booking."""

    def meeting_url(self, booking) -> str:
        room = f"Bauerfeind-{secrets.token_urlsafe(16)}"
        return f"{settings.VIDEO_MEETING_BASE_URL.rstrip('/')}/{room}"


def video_provider():
    return import_string(settings.VIDEO_PROVIDER)()
