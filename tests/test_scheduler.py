"""The scheduler enqueues each daily job once per day, however often it wakes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.tasks import task
from django.utils import timezone

from kepu.core import registry
from kepu.core.scheduler import enqueue_due

RUNS: list[str] = []


@task
def _probe() -> None:
    RUNS.append("ran")


@pytest.fixture
def probe_job() -> Any:
    registry.add_scheduled_job(registry.ScheduledJob("test.probe", _probe, hour=2))
    RUNS.clear()
    yield
    registry._registry.scheduled_jobs.pop("test.probe")


@pytest.mark.django_db
def test_a_daily_job_runs_once_a_day_after_its_hour(probe_job: None) -> None:
    tz = timezone.get_current_timezone()
    early = datetime.datetime(2026, 3, 2, 1, 30, tzinfo=tz)
    assert "test.probe" not in enqueue_due(early)
    later = datetime.datetime(2026, 3, 2, 2, 5, tzinfo=tz)
    assert "test.probe" in enqueue_due(later)
    assert "test.probe" not in enqueue_due(later + datetime.timedelta(hours=3))
    assert "test.probe" in enqueue_due(later + datetime.timedelta(days=1))
    assert RUNS == ["ran", "ran"]


@task
def _hourly_probe() -> None:
    RUNS.append("hourly")


@pytest.mark.django_db
def test_an_interval_job_runs_once_in_each_slot() -> None:
    registry.add_scheduled_job(registry.ScheduledJob("test.hourly", _hourly_probe, every_minutes=60))
    RUNS.clear()
    try:
        tz = timezone.get_current_timezone()
        start = datetime.datetime(2026, 3, 2, 9, 10, tzinfo=tz)
        assert "test.hourly" in enqueue_due(start)
        assert "test.hourly" not in enqueue_due(start + datetime.timedelta(minutes=40))
        assert "test.hourly" in enqueue_due(start + datetime.timedelta(minutes=55))
        assert RUNS.count("hourly") == 2
    finally:
        registry._registry.scheduled_jobs.pop("test.hourly")
