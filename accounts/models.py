from django.conf import settings
from django.db import models

from core import clock
from core.encryption import EncryptedTextField


class EmailVerification(models.Model):
    """A request to prove that an account's e-mail address is its holder's: the link e-mailed
    to the address (accounts/services.py) carries a signed id, never stored; following it
    while signed in to the same account, before it expires and only once, sets `verified_at`.

    What the customer made as a guest with that address (health-fund enquiries, video calls)
    shows in their account only while the account's address is still the verified one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_verifications"
    )
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        state = "verified" if self.verified_at else "waiting"
        return f"verification {self.pk} ({state})"


class SignInCode(models.Model):
    """A one-time way in for a customer without a password: a 6-digit code and a link,
    e-mailed to the account's address (accounts/signin.py). Valid for SIGN_IN_CODE_MINUTES,
    used once, dead after SIGN_IN_CODE_ATTEMPTS wrong codes. The code is encrypted at rest
    (the worker that sends it decrypts it); the link carries a signed id, never stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_codes"
    )
    email = models.EmailField(max_length=254)
    code = EncryptedTextField()
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_email_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"sign-in code {self.pk}"
