"""E-mail through Django's mail backend (SMTP in production): one message to all the recipients' addresses,
Chinese subject and body, the absolute link to the page where the work is done."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from reminders.channels.base import ChannelError, NoRecipients
from reminders.channels.messages import email_body, email_subject
from reminders.models import Delivery, Reminder
from reminders.services.recipients import Recipient, email_addresses

NEEDS_RECIPIENTS = True


def send(delivery: Delivery, reminder: Reminder, recipients: list[Recipient]) -> str:
    addresses = email_addresses(recipients)
    if not addresses:
        raise NoRecipients("接收人都没有填写电子邮件地址，邮件未发送。")
    message = EmailMessage(
        subject=email_subject(reminder), body=email_body(reminder), from_email=settings.DEFAULT_FROM_EMAIL, to=addresses
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise ChannelError("邮件服务器拒收了全部收件人地址", technical=str(exc.recipients)[:300], retryable=False) from exc
    except OSError as exc:  # smtplib.SMTPException, refused connections, timeouts
        raise ChannelError("邮件发送失败", technical=f"{type(exc).__name__}: {exc}"[:300]) from exc
    return "\n".join(addresses)
