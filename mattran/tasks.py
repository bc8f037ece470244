"""Celery tasks of the project layer: the pending-work flush and e-mail."""
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .queue import TASK_OPTIONS, pending_flush

logger = logging.getLogger(__name__)

MAIL_OPTIONS = {
    **TASK_OPTIONS,
    # A mail server that is down or refuses for a while: retried for about an hour and a half.
    "autoretry_for": (*TASK_OPTIONS["autoretry_for"], smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 8,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="mattran.flush_pending_tasks", **TASK_OPTIONS)
def flush_pending_tasks() -> int:
    """Beat, every minute: queue the work recorded while the broker was away."""
    return pending_flush()


@shared_task(name="mattran.send_mail", bind=True, **MAIL_OPTIONS)
def send_mail(self, subject: str, body: str, recipients: list[str], separately: bool = True) -> int:
    """Send one message (or one per recipient); a failure is logged and retried with a backoff."""
    messages = [[to] for to in recipients] if separately else [list(recipients)]
    try:
        with get_connection() as connection:
            sent = connection.send_messages(
                [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection) for to in messages]
            )
    except Exception:
        logger.warning(
            "mail %r to %s failed (attempt %s); retried later", subject, ", ".join(recipients), self.request.retries + 1,
            exc_info=True,
        )
        raise
    logger.info("mail %r sent to %s", subject, ", ".join(recipients))
    return sent or 0
