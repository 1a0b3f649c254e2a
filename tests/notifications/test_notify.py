"""Notifications reach people in the app, by mail and by (fake) SMS, only once the change commits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from kepu.notifications.models import SmsMessage
from kepu.notifications.services import notify, unread_count

pytestmark = pytest.mark.django_db


def test_a_notification_appears_in_the_inbox_and_counts_as_unread(cast: dict[str, Any], as_user: Any) -> None:
    before = unread_count(cast["jiaoyu"])  # the demo city already has messages for its liaisons
    note = notify([cast["jiaoyu"]], title="请于本周五前填报进展", link="/office/")[0]
    assert unread_count(cast["jiaoyu"]) == before + 1
    page = as_user("jiaoyu").get("/office/messages/").content.decode()
    assert "请于本周五前填报进展" in page
    as_user("jiaoyu").get(f"/office/messages/{note.pk}/")
    assert unread_count(cast["jiaoyu"]) == before
    note.refresh_from_db()
    assert note.read_at is not None


def test_mail_and_sms_go_out_after_commit(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    user = cast["jiaoyu"]
    user.email = "jiaoyu@example.gov.cn"
    sent_before = SmsMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], title="督办提醒", email=True, text_message=True)
    assert [m.subject for m in mail.outbox] == ["督办提醒"]
    assert SmsMessage.objects.count() == sent_before + 1
    assert SmsMessage.objects.latest("id").phone == user.phone


def test_nothing_is_sent_when_the_change_rolls_back(cast: dict[str, Any],
                                                     django_capture_on_commit_callbacks: Any) -> None:
    sent_before = SmsMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        notify([cast["jiaoyu"]], title="不会发送", text_message=True)
    assert SmsMessage.objects.count() == sent_before


def test_nobody_reads_another_persons_messages(cast: dict[str, Any], as_user: Any) -> None:
    note = notify([cast["jiaoyu"]], title="私信")[0]
    assert as_user("nongye").get(f"/office/messages/{note.pk}/").status_code == 404
