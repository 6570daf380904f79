"""What the site reads from a request, one way everywhere."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The visitor's address: ``REMOTE_ADDR``, or with ``TRUSTED_PROXY_COUNT`` proxies in
    front of the site (production: the proxy that terminates TLS), the address the nearest
    of them wrote into X-Forwarded-For. Entries further left can be typed by anyone, so they
    are never used: a client cannot choose the address it is counted under."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote
