"""Tell people things: in the app always, by e-mail and SMS when asked. Callers pass users; the
message goes out after the surrounding transaction commits, so nobody hears of a change that
rolled back."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from kepu.notifications import sms
from kepu.notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(recipients: Iterable[Any], *, title: str, body: str = "", link: str = "", kind: str = "",
           email: bool = False, text_message: bool = False) -> list[Notification]:
    people = [u for u in {getattr(u, "pk", None): u for u in recipients if u is not None}.values()
              if getattr(u, "pk", None)]
    notes = Notification.objects.bulk_create(
        [Notification(recipient=u, title=title[:120], body=body, link=link, kind=kind) for u in people]
    )

    def deliver() -> None:
        for user in people:
            if email and user.email:
                try:
                    send_mail(title, f"{body}\n\n{link}".strip(), None, [user.email])
                except Exception:  # a mail outage must not undo the change that notified
                    logger.warning("mail delivery failed (kind=%s)", kind)  # no address: nothing personal
            if text_message and getattr(user, "phone", ""):
                sms.backend().send(user.phone, f"【科普平台】{title}")

    if email or text_message:
        transaction.on_commit(deliver)
    return notes


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()
