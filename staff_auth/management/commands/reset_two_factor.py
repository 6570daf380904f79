"""Forget a staff member's authenticator app and backup codes (a lost or replaced phone).

    manage.py reset_two_factor anna@example.com

Their next visit to the dashboard starts the set-up again, with a new QR code. Check who is
asking first (by phone, in person): this is the way around the second factor.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staff_auth import twofactor


class Command(BaseCommand):
    help = "Forget a staff member's authenticator app and backup codes (a lost phone)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the staff member's e-mail address")

    def handle(self, *args, email, **options):
        users = list(get_user_model().objects.filter(email__iexact=email.strip()))
        if len(users) != 1:
            raise CommandError(
                f"{len(users)} accounts have the e-mail address {email!r}; expected one."
            )
        removed = twofactor.reset(users[0])
        self.stdout.write(
            f"Removed {removed} second-factor device{'s' if removed != 1 else ''}: "
            "the account sets up a new app at its next dashboard sign-in."
        )
