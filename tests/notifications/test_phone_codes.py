"""Verification codes are kept only as long as the flood limits need them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kepu.core import registry
from kepu.notifications import phone
from kepu.notifications.models import PhoneVerification

pytestmark = pytest.mark.django_db


def test_the_daily_purge_deletes_codes_older_than_two_days_only() -> None:
    old = phone.code_send(phone="13700000001", purpose="service_orders", message="验证码 {code}，{minutes} 分钟内有效")
    recent = phone.code_send(phone="13700000002", purpose="service_orders", message="验证码 {code}")
    PhoneVerification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2, hours=1))
    assert phone.codes_purge() == 1
    assert list(PhoneVerification.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_purge_runs_as_a_daily_scheduled_job() -> None:
    job = {j.name: j for j in registry.scheduled_jobs()}["notifications.purge_phone_codes"]
    assert job.every_minutes == 0 and job.task.call() == "0"
