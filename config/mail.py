"""The production mail backend when none is configured: it refuses to send.

Django's console backend would print every message, invitation links included, to
the service's output, where logs are collected. Guest invitations check
`settings.EMAIL_CONFIGURED` first and answer 503; this backend makes anything else
that tries to send mail fail loudly instead of leaking it."""

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

NOT_CONFIGURED = (
    "No outgoing mail server is configured: set EMAIL_HOST (or EMAIL_BACKEND) to send mail."
)


class NotConfiguredEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        raise ImproperlyConfigured(NOT_CONFIGURED)
