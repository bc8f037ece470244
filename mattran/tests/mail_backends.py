"""E-mail backends for the tests: a mail server that fails a few times, or always."""
import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Refuses the first ``failures`` sends (as a mail server that is down), then delivers to mail.outbox."""

    failures = 1
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("mail server unavailable")
        return super().send_messages(messages)


class DownBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
