"""One way to build an e-mail from templates: ``<template>.txt`` as the body and
``<template>.html`` as its HTML alternative, both rendered with the same context (the shop's
name and phone added). The departments' emails.py build their messages with it; the outbox
(core/outbox.py) sends them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def templated_message(
    template: str, context: dict, *, to: list[str], subject: str | None = None
) -> EmailMultiAlternatives:
    """``subject`` as given, else rendered from ``<template>_subject.txt``."""
    context = {
        "shop_name": settings.OSCAR_SHOP_NAME,
        "shop_phone": settings.SHOP_PHONE,
        **context,
    }
    if subject is None:
        subject = render_to_string(f"{template}_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=to
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
